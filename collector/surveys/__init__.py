"""Survey definitions and their immutable versions, surveys as code, and the demo site.
Registers the survey endpoints and ``tenpoint surveys``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from collector.core.extensions import rest_api
    from collector.surveys import views
    from collector.surveys.commands import COMMANDS

    rest_api.register_blueprint(views.blp)
    for command in COMMANDS:
        app.cli.add_command(command)
