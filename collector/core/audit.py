"""Writing to the append-only audit trail. Nothing here updates or deletes an entry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from collector.models import AuditEntry


def record_audit(
    session: Session, *, site_id: int | None, actor: str, action: str, entity_type: str,
    entity_id: str, changes: dict[str, Any], at: datetime,
) -> AuditEntry:
    entry = AuditEntry(site_id=site_id, actor=actor, action=action, entity_type=entity_type,
                       entity_id=entity_id, changes=changes, at=at)
    session.add(entry)
    return entry
