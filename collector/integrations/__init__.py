"""Help desks a support team already uses: ticket events in from Zendesk, Freshdesk and
Intercom (verified, logged, applied like ``POST /v1/tickets``). Registers their endpoints and
``tenpoint integrations``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from collector.core.extensions import rest_api
    from collector.integrations import views
    from collector.integrations.commands import COMMANDS

    rest_api.register_blueprint(views.blp)
    for command in COMMANDS:
        app.cli.add_command(command)
