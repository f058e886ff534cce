"""Keeping bots and floods out while keeping every honest answer: rate limits, verdicts,
user agents, screening and the quarantine."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from collector.core.extensions import rest_api
    from collector.protection import rate_limits
    from collector.protection.views import quarantine

    rate_limits.init_app(app)

    rest_api.register_blueprint(quarantine.blp)
