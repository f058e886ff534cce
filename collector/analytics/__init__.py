"""NPS with honest intervals: statistics, metrics and their roll-ups, shift alerts, and the
report's figures. Registers the metrics endpoint, /report (now redirecting to the console) and
``tenpoint analytics``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from collector.analytics.commands import COMMANDS
    from collector.analytics.views import metrics, report
    from collector.core.extensions import rest_api

    rest_api.register_blueprint(metrics.blp)
    app.register_blueprint(report.bp)
    for command in COMMANDS:
        app.cli.add_command(command)
