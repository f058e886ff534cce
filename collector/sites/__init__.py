"""Sites: a customer's product, its name, allowed origins, settings and identity secret.
Registers ``GET/PATCH /v1/site``, the identity-secret rotation and ``tenpoint sites``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from collector.core.extensions import rest_api
    from collector.sites import views
    from collector.sites.commands import COMMANDS

    rest_api.register_blueprint(views.blp)
    for command in COMMANDS:
        app.cli.add_command(command)
