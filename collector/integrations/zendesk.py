"""Zendesk: a webhook called by a trigger when a ticket's status changes.

Zendesk signs every webhook request: ``X-Zendesk-Webhook-Signature`` is the base64 HMAC-SHA256
of ``X-Zendesk-Webhook-Signature-Timestamp`` followed by the raw body, keyed with the webhook's
signing secret. A timestamp more than ``TOLERANCE`` away from now is refused, and so is a
signature accepted before (``replay_key``), so a captured request cannot be sent again.
The body is the JSON the trigger writes (docs/integrations.md, "Zendesk")."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from collector.integrations.ticket_events import (
    Delivery,
    Refused,
    TicketEvent,
    iso_time,
    json_object,
    map_status,
    requester,
    text,
)

SIGNATURE = "x-zendesk-webhook-signature"
TIMESTAMP = "x-zendesk-webhook-signature-timestamp"
TOLERANCE = timedelta(minutes=5)
# Zendesk's statuses (``{{ticket.status}}``), lower-cased.
STATUSES = {"new": "open", "open": "open", "pending": "pending", "hold": "pending",
            "on-hold": "pending", "on hold": "pending", "solved": "solved", "closed": "closed"}


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify(delivery: Delivery, secrets: Sequence[str], now: datetime) -> str:
    """Check the signature and its age; returns the replay key of this delivery."""
    given = delivery.headers.get(SIGNATURE)
    timestamp = delivery.headers.get(TIMESTAMP)
    if not given or not timestamp:
        raise Refused(401, "signature_missing",
                      "X-Zendesk-Webhook-Signature and its timestamp are required.",
                      field="X-Zendesk-Webhook-Signature")
    if not any(hmac.compare_digest(given, signature(secret, timestamp, delivery.body))
               for secret in secrets):
        raise Refused(401, "bad_signature", "The signature does not match this integration's "
                      "signing secret.", field="X-Zendesk-Webhook-Signature")
    try:
        signed_at = iso_time(timestamp, "X-Zendesk-Webhook-Signature-Timestamp")
    except Refused as error:
        raise Refused(401, "stale_timestamp", error.message, field=error.field) from error
    if signed_at is None or abs(now - signed_at) > TOLERANCE:
        raise Refused(401, "stale_timestamp",
                      f"The signature timestamp {timestamp} is more than "
                      f"{int(TOLERANCE.total_seconds() // 60)} minutes from now.",
                      field="X-Zendesk-Webhook-Signature-Timestamp")
    return hashlib.sha256(f"zendesk:{given}".encode()).hexdigest()


def parse(delivery: Delivery) -> TicketEvent:
    data = json_object(delivery.body)
    nested = data.get("ticket")
    ticket: dict[str, Any] = nested if isinstance(nested, dict) else {}
    ticket_id = text(data.get("ticket_id", ticket.get("id")))
    if ticket_id is None:
        raise Refused(422, "validation_failed", "ticket_id is missing.", field="ticket_id")
    vendor_status = text(data.get("status", ticket.get("status")), 40)
    status = map_status(vendor_status, STATUSES, "status")
    user_id, email = requester(text(data.get("requester_external_id")),
                               text(data.get("requester_email")))
    return TicketEvent(ticket_id=ticket_id, status=status, vendor_event=vendor_status or "",
                       user_id=user_id, email=email,
                       at=iso_time(data.get("updated_at"), "updated_at"))
