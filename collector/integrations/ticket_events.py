"""What every help desk's delivery becomes: one ticket event, or a refusal with a code.

Vendor modules (``zendesk``, ``freshdesk``, ``intercom``) check a delivery's signature or
secret and read its payload into a ``TicketEvent``; they import no Flask and touch no
database, so each can be tested with the vendor's documented payloads alone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

TICKET_STATUSES = ("open", "pending", "solved", "closed")


@dataclass(frozen=True)
class TicketEvent:
    ticket_id: str
    status: str  # one of TICKET_STATUSES
    vendor_event: str  # the vendor's own status or topic, for the delivery log
    user_id: str | None = None
    email: str | None = None
    at: datetime | None = None  # the vendor's event time; ``None``: when it arrived


@dataclass(frozen=True)
class Ignored:
    """A delivery with nothing to do (Intercom's ``ping``, a topic about something else)."""

    vendor_event: str


@dataclass(frozen=True)
class Delivery:
    """One request as received: raw body bytes and headers (lower-cased names)."""

    body: bytes
    headers: Mapping[str, str]


class Refused(Exception):
    """A delivery Tenpoint will not act on; ``code`` and ``status`` go back to the vendor."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None,
                 vendor_event: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.vendor_event = vendor_event


def json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError) as error:
        raise Refused(400, "invalid_json", "The body is not JSON.") from error
    if not isinstance(data, dict):
        raise Refused(400, "invalid_json", "The body must be a JSON object.")
    return data


def text(value: Any, limit: int = 200) -> str | None:
    """A placeholder's value: ``None`` for missing or empty (an unset Zendesk placeholder
    renders as an empty string), numbers as text, too long values refused."""
    if value is None or isinstance(value, (bool, dict, list)):
        return None
    rendered = str(value).strip()
    if not rendered:
        return None
    if len(rendered) > limit:
        raise Refused(422, "validation_failed", f"{rendered[:40]}… is too long.")
    return rendered


def iso_time(value: Any, field: str) -> datetime | None:
    """An ISO 8601 time (UTC without an offset), or ``None`` when absent."""
    raw = text(value, 64)
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as error:
        raise Refused(422, "validation_failed", f"{field} is not an ISO 8601 time.",
                      field=field) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def unix_time(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return None
    return datetime.fromtimestamp(value, UTC)


def map_status(vendor_status: str | None, mapping: Mapping[str, str], field: str) -> str:
    if vendor_status is None:
        raise Refused(422, "validation_failed", f"{field} is missing.", field=field)
    status = mapping.get(vendor_status.strip().lower())
    if status is None:
        raise Refused(422, "unknown_ticket_status",
                      f"Unknown {field} {vendor_status!r}; known: "
                      f"{', '.join(sorted(mapping))}.", field=field, vendor_event=vendor_status)
    return status


def requester(user_id: str | None, email: str | None) -> tuple[str | None, str | None]:
    if not (user_id or email):
        raise Refused(422, "requester_missing",
                      "The payload names no requester: give their external id or email.",
                      field="requester_email")
    if email is not None and "@" not in email:
        raise Refused(422, "validation_failed", f"{email!r} is not an email address.",
                      field="requester_email")
    return user_id, email
