"""Retention per site, run by the worker: comments dropped after N days, people anonymised
after M days without activity.

Site settings (docs/governance.md): ``retention_comment_days`` (N) and
``retention_anonymise_days`` (M); absent or null means keep forever. Anonymising is the same
erasure as a person's own request (``collector.people.privacy.erase_person``), by ``system``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from collector.core.audit import record_audit
from collector.core.rows import rows_changed
from collector.delivery.jobs import enqueue_once, handler, run_for_each_site
from collector.delivery.periodic import every, periodic
from collector.models import Person, Response, Site
from collector.people.privacy import erase_person

KIND = "retention.apply"
EVERY = timedelta(days=1)
ACTOR = "system"


@dataclass(frozen=True)
class RetentionResult:
    comments_dropped: int
    people_anonymised: int


def apply_retention(session: Session, site: Site, now: datetime) -> RetentionResult:
    settings = site.settings or {}
    comment_days = settings.get("retention_comment_days")
    anonymise_days = settings.get("retention_anonymise_days")
    dropped = anonymised = 0
    if comment_days is not None:
        cutoff = now - timedelta(days=float(comment_days))
        dropped = rows_changed(session.execute(
            update(Response).where(Response.site_id == site.id, Response.created_at < cutoff,
                                   Response.comment.is_not(None))
            .values(comment=None, answers={}, updated_at=now)
        ))
    if anonymise_days is not None:
        cutoff = now - timedelta(days=float(anonymise_days))
        recent_answer = exists().where(Response.person_id == Person.id,
                                       Response.created_at >= cutoff)
        stale = session.scalars(select(Person).where(
            Person.site_id == site.id, Person.erased_at.is_(None), Person.updated_at < cutoff,
            Person.first_seen_at < cutoff, ~recent_answer).order_by(Person.id))
        for person in list(stale):
            erase_person(session, person, actor=ACTOR, now=now)
            anonymised += 1
    if dropped or anonymised:
        record_audit(session, site_id=site.id, actor=ACTOR, action="retention.applied",
                     entity_type="site", entity_id=str(site.id),
                     changes={"comments_dropped": dropped, "people_anonymised": anonymised},
                     at=now)
    return RetentionResult(dropped, anonymised)


def schedule_retention(session: Session, now: datetime) -> int:
    """Queue the first run when none is pending; returns how many were added. The worker
    does this itself at start and every minute (collector/delivery/periodic.py)."""
    return int(enqueue_once(session, KIND, {}, now=now, dedupe_key=KIND))


@handler(KIND)
def run_retention(session: Session, payload: dict[str, Any], now: datetime) -> None:
    """Apply every site's retention (or ``payload["site_id"]``'s), then queue tomorrow's run."""
    run_for_each_site(session, KIND, EVERY, payload, now, apply_retention)


periodic(KIND, every(KIND, EVERY))
