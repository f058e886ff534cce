"""Closing the loop with detractors: follow-up cases and the weekly digest."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    # Importing them registers their jobs and periodic schedules (collector/delivery/jobs.py).
    from collector.core.extensions import rest_api
    from collector.followups import digest, overdue, views  # noqa: F401 - registers jobs

    rest_api.register_blueprint(views.blp)
