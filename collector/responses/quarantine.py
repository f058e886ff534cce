"""Releasing a quarantined answer: the one domain function the API and the console share.

The release is recorded in the audit trail with the reasons the answer had been held for,
and the answer is then treated as if it had been accepted (events, a follow-up case).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.analytics.rollup_builder import mark_days_dirty
from collector.core.audit import record_audit
from collector.followups.cases import after_release
from collector.models import AuditEntry, Response
from collector.protection.verdicts import QUARANTINED, RELEASED


class NotQuarantined(ValueError):
    """The answer is accepted or already released: there is nothing to release."""


def release(session: Session, response: Response, *, actor: str, now: datetime) -> AuditEntry:
    """Count a quarantined answer from now on; returns the audit entry that records it."""
    if response.verdict != QUARANTINED:
        raise NotQuarantined(f"This response is {response.verdict}, not quarantined.")
    response.verdict = RELEASED
    response.updated_at = now
    mark_days_dirty(session, response.site_id, response.survey_id, [response.created_at])
    entry = record_audit(session, site_id=response.site_id, actor=actor,
                         action="response.release", entity_type="response",
                         entity_id=str(response.id),
                         changes={"verdict": [QUARANTINED, RELEASED],
                                  "verdict_reasons": list(response.verdict_reasons or [])},
                         at=now)
    after_release(session, response, now)
    session.flush()
    return entry


def quarantined(session: Session, site_id: int, *, limit: int, before_id: int | None = None
                ) -> list[Response]:
    """Held-back answers, newest first (keyset paging on the id)."""
    query = select(Response).where(Response.site_id == site_id, Response.verdict == QUARANTINED)
    if before_id is not None:
        query = query.where(Response.id < before_id)
    return list(session.scalars(query.order_by(Response.id.desc()).limit(limit)))


def reason_counts(session: Session, site_id: int) -> tuple[int, dict[str, int]]:
    """How many answers are held back, and how many carry each reason (an answer may carry
    several), in one scan."""
    counts: dict[str, int] = {}
    total = 0
    rows = session.scalars(select(Response.verdict_reasons).where(
        Response.site_id == site_id, Response.verdict == QUARANTINED))
    for reasons in rows:
        total += 1
        for reason in reasons or []:
            counts[str(reason)] = counts.get(str(reason), 0) + 1
    return total, dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
