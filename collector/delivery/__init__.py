"""Telling other systems what happened, durably: jobs and the worker, events and webhooks.
Registers their endpoints and ``tenpoint worker``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from collector.core.extensions import rest_api
    from collector.delivery import events, webhooks  # noqa: F401 - importing registers their jobs
    from collector.delivery.commands import COMMANDS
    from collector.delivery.views import jobs as job_views
    from collector.delivery.views import webhooks as webhook_views

    rest_api.register_blueprint(job_views.blp)
    rest_api.register_blueprint(webhook_views.blp)
    for command in COMMANDS:
        app.cli.add_command(command)
