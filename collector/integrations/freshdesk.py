"""Freshdesk: an automation rule's "Trigger webhook" action.

Freshdesk does not sign its webhooks. The rule authenticates with the integration's own
secret instead, sent as the ``X-Tenpoint-Secret`` header (or as the password of the action's
basic authentication); anyone holding that secret can send ticket events, so it is shown once
and rotatable like any other secret. The body is the JSON the rule writes
(docs/integrations.md, "Freshdesk"); the simple mode's ``{"freshdesk_webhook": {...}}`` wrapper
is read too."""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Sequence

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

HEADER = "x-tenpoint-secret"
# Freshdesk's default statuses ({{ticket.status}}), lower-cased.
STATUSES = {"open": "open", "pending": "pending", "waiting on customer": "pending",
            "waiting on third party": "pending", "resolved": "solved", "closed": "closed"}


def _given_secret(delivery: Delivery) -> str | None:
    if delivery.headers.get(HEADER):
        return delivery.headers[HEADER]
    authorization = delivery.headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(credentials, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded.partition(":")[2] or None


def verify(delivery: Delivery, secrets: Sequence[str]) -> None:
    given = _given_secret(delivery)
    if not given:
        raise Refused(401, "secret_missing", "Send the integration's secret in X-Tenpoint-Secret "
                      "(Freshdesk does not sign webhooks).", field="X-Tenpoint-Secret")
    if not any(hmac.compare_digest(given.encode(), secret.encode()) for secret in secrets):
        raise Refused(401, "bad_secret", "This is not the integration's secret.",
                      field="X-Tenpoint-Secret")


def parse(delivery: Delivery) -> TicketEvent:
    data = json_object(delivery.body)
    if isinstance(data.get("freshdesk_webhook"), dict):
        data = data["freshdesk_webhook"]
    ticket_id = text(data.get("ticket_id"))
    if ticket_id is None:
        raise Refused(422, "validation_failed", "ticket_id is missing.", field="ticket_id")
    vendor_status = text(data.get("ticket_status", data.get("status")), 40)
    status = map_status(vendor_status, STATUSES, "ticket_status")
    user_id, email = requester(
        text(data.get("requester_external_id", data.get("ticket_contact_unique_external_id"))),
        text(data.get("requester_email", data.get("ticket_contact_email"))))
    return TicketEvent(ticket_id=ticket_id, status=status, vendor_event=vendor_status or "",
                       user_id=user_id, email=email,
                       at=iso_time(data.get("updated_at", data.get("ticket_updated_at")),
                                   "updated_at"))
