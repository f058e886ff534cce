"""What is kept and for how long: the audit trail, retention and housekeeping."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    # Importing them registers their jobs and periodic schedules (collector/delivery/jobs.py).
    from collector.core.extensions import rest_api
    from collector.governance import housekeeping, retention, views  # noqa: F401

    rest_api.register_blueprint(views.blp)
