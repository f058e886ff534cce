"""Things that happened, told to other systems (webhooks) through durable jobs.

``emit`` is called by domain code inside the transaction that made the change; the
``event.dispatch`` job fans the event out to the site's webhook endpoints.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from collector.jobs import enqueue

EVENT_TYPES = (
    "response.created",
    "response.updated",
    "response.detractor",
    "followup.created",
    "followup.updated",
    "alert.nps_shift",
    "digest.weekly",
)


def emit(
    session: Session, *, site_id: int, type: str, data: dict[str, Any], now: datetime
) -> str:
    """Queue an event; returns its id (``msg_…``), stable across delivery retries."""
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}")
    event_id = "msg_" + secrets.token_urlsafe(18)
    enqueue(session, "event.dispatch",
            {"id": event_id, "type": type, "timestamp": now.isoformat(), "data": data},
            now=now, site_id=site_id)
    return event_id
