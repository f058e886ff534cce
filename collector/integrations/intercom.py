"""Intercom: an app's webhook subscription to conversation topics.

Intercom signs each notification: ``X-Hub-Signature`` is ``sha1=`` and the hex HMAC-SHA1 of the
raw body, keyed with the app's client secret. A notification id already accepted is answered
as a duplicate without applying it again (Intercom retries with the same id). Topics map to
ticket statuses: a conversation opened or reopened is ``open``, snoozed is ``pending``, closed
is ``solved``; ``ping`` is accepted and ignored."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import Any

from collector.integrations.ticket_events import (
    Delivery,
    Ignored,
    Refused,
    TicketEvent,
    json_object,
    map_status,
    requester,
    text,
    unix_time,
)

SIGNATURE = "x-hub-signature"
TOPICS = {
    "conversation.user.created": "open",
    "conversation.admin.single.created": "open",
    "conversation.admin.opened": "open",
    "conversation.admin.unsnoozed": "open",
    "conversation.admin.snoozed": "pending",
    "conversation.admin.closed": "solved",
}
IGNORED_TOPICS = frozenset({"ping"})


def signature(secret: str, body: bytes) -> str:
    return "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


def verify(delivery: Delivery, secrets: Sequence[str]) -> None:
    given = delivery.headers.get(SIGNATURE)
    if not given:
        raise Refused(401, "signature_missing", "X-Hub-Signature is required.",
                      field="X-Hub-Signature")
    if not any(hmac.compare_digest(given.lower(), signature(secret, delivery.body))
               for secret in secrets):
        raise Refused(401, "bad_signature",
                      "The signature does not match this integration's client secret.",
                      field="X-Hub-Signature")


def notification_id(delivery: Delivery) -> str | None:
    data = json_object(delivery.body)
    found = text(data.get("id"))
    return hashlib.sha256(f"intercom:{found}".encode()).hexdigest() if found else None


def _contact(item: dict[str, Any]) -> dict[str, Any]:
    contacts = item.get("contacts")
    listed = contacts.get("contacts") if isinstance(contacts, dict) else None
    if isinstance(listed, list) and listed and isinstance(listed[0], dict):
        return listed[0]
    user = item.get("user")  # API versions before 2.0
    return user if isinstance(user, dict) else {}


def parse(delivery: Delivery) -> TicketEvent | Ignored:
    data = json_object(delivery.body)
    topic = text(data.get("topic"), 100)
    if topic in IGNORED_TOPICS:
        return Ignored(topic or "")
    status = map_status(topic, TOPICS, "topic")
    payload = data.get("data")
    item = payload.get("item") if isinstance(payload, dict) else None
    if not isinstance(item, dict) or text(item.get("id")) is None:
        raise Refused(422, "validation_failed", "data.item.id is missing.", field="data.item.id",
                      vendor_event=topic)
    contact = _contact(item)
    source = item.get("source")
    author = source.get("author") if isinstance(source, dict) else None
    author = author if isinstance(author, dict) and author.get("type") in (
        "user", "lead", "contact") else {}
    user_id, email = requester(text(contact.get("external_id", contact.get("user_id"))),
                               text(contact.get("email") or author.get("email")))
    return TicketEvent(ticket_id=str(item["id"]), status=status, vendor_event=topic or "",
                       user_id=user_id, email=email,
                       at=unix_time(item.get("updated_at")) or unix_time(data.get("created_at")))
