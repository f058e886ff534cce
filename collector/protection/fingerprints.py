"""The calling browser's fingerprint, read from the request once: the rate limits and the
screening of an answer both ask for it."""

from __future__ import annotations

from flask import current_app, g, request

from collector.protection.verdicts import fingerprint


def caller_fingerprint() -> str:
    """The calling browser's fingerprint (collector/protection/verdicts.py), worked out once per
    request: the rate limits and the screening of an answer both ask for it."""
    found: str | None = g.get("_tenpoint_fingerprint")
    if found is None:
        found = g._tenpoint_fingerprint = fingerprint(
            current_app.config["SECRET_KEY"], request.remote_addr or "",
            request.headers.get("User-Agent", ""), request.headers.get("Accept-Language", ""))
    return found
