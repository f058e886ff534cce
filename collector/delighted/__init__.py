"""Delighted compatibility: its v1 API on top of Tenpoint's objects, and the CSV importer.
Registers /delighted/v1 and ``tenpoint import delighted``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from collector.delighted import views
    from collector.delighted.commands import COMMANDS

    app.register_blueprint(views.bp)
    for command in COMMANDS:
        app.cli.add_command(command)
