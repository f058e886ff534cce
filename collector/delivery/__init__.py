"""Telling other systems what happened, durably: jobs and the worker, email, webhooks and
events. Registers their endpoints and ``tenpoint worker``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from collector.core.extensions import rest_api
    from collector.delivery.commands import COMMANDS
    from collector.delivery.views import emails, jobs, webhooks

    rest_api.register_blueprint(jobs.blp)
    rest_api.register_blueprint(webhooks.blp)
    rest_api.register_blueprint(emails.blp)
    for command in COMMANDS:
        app.cli.add_command(command)
