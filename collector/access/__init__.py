"""API keys, their roles and allowed origins, CORS, and identity tokens: who is calling.
Registers the key check on every request, the key endpoints and ``tenpoint keys``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from collector.access import auth, views
    from collector.access.commands import COMMANDS
    from collector.core.extensions import rest_api

    auth.init_app(app)

    rest_api.register_blueprint(views.blp)
    for command in COMMANDS:
        app.cli.add_command(command)
