"""People: finding or creating the person a request speaks of, their data exported or
erased everywhere. Registers the people endpoints and ``tenpoint people``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from collector.core.extensions import rest_api
    from collector.people import views
    from collector.people.commands import COMMANDS

    rest_api.register_blueprint(views.blp)
    for command in COMMANDS:
        app.cli.add_command(command)
