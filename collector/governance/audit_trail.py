"""Reading the audit trail back: newest first, filtered, with keyset cursors."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.core.validation import id_in_range
from collector.models import AuditEntry


class InvalidAuditCursor(ValueError):
    pass


def _encode(entry_id: int) -> str:
    return base64.urlsafe_b64encode(f"audit|{entry_id}".encode()).decode().rstrip("=")


def _decode(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        tag, _, ident = raw.partition("|")
        if tag != "audit":
            raise ValueError(tag)
        return id_in_range(int(ident))
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise InvalidAuditCursor(cursor) from error


def list_audit(
    session: Session, site_id: int, *, entity_type: str | None = None,
    entity_id: str | None = None, action: str | None = None, since: datetime | None = None,
    until: datetime | None = None, limit: int = 50, cursor: str | None = None,
) -> tuple[list[AuditEntry], str | None]:
    """One page, newest first (ids grow with time), and the next page's cursor or ``None``."""
    query = select(AuditEntry).where(AuditEntry.site_id == site_id)
    if entity_type is not None:
        query = query.where(AuditEntry.entity_type == entity_type)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    if cursor:
        query = query.where(AuditEntry.id < _decode(cursor))
    rows = list(session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit + 1)))
    page, more = rows[:limit], len(rows) > limit
    return page, (_encode(page[-1].id) if more else None)
