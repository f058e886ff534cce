"""The current time, replaceable in tests through ``app.config["CLOCK"]``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app, has_app_context


def system_clock() -> datetime:
    return datetime.now(UTC)


def now() -> datetime:
    """Views call this once per request and hand the value to domain functions."""
    if has_app_context():
        clock: Callable[[], datetime] | None = current_app.config.get("CLOCK")
        if clock is not None:
            return clock()
    return system_clock()
