"""Things that happened, told to other systems (webhooks) through durable jobs.

``emit`` is called by domain code inside the transaction that made the change; the
``event.dispatch`` job fans the event out to the site's webhook endpoints.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.delivery.jobs import enqueue, handler
from collector.models import WebhookEndpoint

EVENT_TYPES = (
    "response.created",
    "response.updated",
    "response.detractor",
    "followup.created",
    "followup.updated",
    "followup.overdue",
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
            {"id": event_id, "type": type, "timestamp": now.isoformat(), "data": data,
             "site_id": site_id},
            now=now, site_id=site_id)
    return event_id


@handler("event.dispatch")
def dispatch_event(session: Session, payload: dict[str, Any], now: datetime) -> None:
    """Fan one event out: a ``webhook.deliver`` job per endpoint subscribed to its type, so
    one slow receiver never holds the others back."""
    event = {key: payload[key] for key in ("id", "type", "timestamp", "data")}
    # Only endpoints registered by the time the event happened: one added while the event
    # waited for the worker did not ask for it (issue 25).
    happened = datetime.fromisoformat(event["timestamp"])
    endpoints = session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.site_id == payload.get("site_id"), WebhookEndpoint.active.is_(True),
        WebhookEndpoint.created_at <= happened,
    ).order_by(WebhookEndpoint.id))
    for endpoint in endpoints:
        if not endpoint.events or event["type"] in endpoint.events:
            enqueue(session, "webhook.deliver", {"endpoint_id": endpoint.id, "event": event},
                    now=now, site_id=endpoint.site_id)
