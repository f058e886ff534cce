"""NPS with honest intervals: statistics, metrics and their roll-ups, shift alerts.
Registers the metrics endpoint and ``tenpoint analytics``; the console shows the figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    # Importing them registers their jobs and periodic schedules (collector/delivery/jobs.py).
    from collector.analytics import alerts, rollup_builder  # noqa: F401
    from collector.analytics.commands import COMMANDS
    from collector.analytics.views import metrics
    from collector.core.extensions import rest_api

    rest_api.register_blueprint(metrics.blp)
    for command in COMMANDS:
        app.cli.add_command(command)
