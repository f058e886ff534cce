"""Keeping bots and floods out while keeping every honest answer: rate limits, fingerprints,
verdicts, user agents and the screening of each answer (the quarantine itself is responses')."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from collector.protection import rate_limits

    rate_limits.init_app(app)
