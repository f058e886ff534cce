"""Anonymous people expire: a browser id that never met a survey is not kept.

A page view no longer stores anyone it refuses (docs/eligibility.md, "What a check writes"),
but anonymous people are still stored by a display and, before that change, were stored on
every first page view. Housekeeping deletes an anonymous person (no user id, no email, not
erased) that has no contact (display, sending, decline, answer), no response, no invitation
and no ticket, once neither their first sight nor their last update is more recent than
``TENPOINT_ANONYMOUS_PEOPLE_KEEP_DAYS`` (default 30, at least ``MIN_KEEP``). Identified
people are kept, and so are erased ones: their row is what keeps them from being surveyed
again. Nothing is lost to the rules: such a person has no history, and sampling is a salted
hash of the browser id, the same with or without the row.

The conditions are checked again inside the ``DELETE`` itself, so a person who met a survey
between the selection and the delete stays.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from collector.core.rows import rows_changed
from collector.models import Contact, Invitation, Person, Response, Ticket

# A visitor mid-visit must not lose their row between two page views.
MIN_KEEP = timedelta(days=1)


def _expired(cutoff: datetime) -> Any:
    """Anonymous, not erased, idle since ``cutoff`` and never in touch with a survey or
    support. The first three conditions are the partial index ``ix_people_anonymous_updated``."""
    touched = [exists().where(model.person_id == Person.id)
               for model in (Contact, Response, Invitation, Ticket)]
    return (Person.external_id.is_(None) & Person.email.is_(None) & Person.erased_at.is_(None)
            & (Person.updated_at < cutoff) & (Person.first_seen_at < cutoff)
            & ~touched[0] & ~touched[1] & ~touched[2] & ~touched[3])


def expire_anonymous_people(session: Session, now: datetime, *, keep: timedelta,
                            batch: int) -> int:
    """Delete up to ``batch`` expired anonymous people, oldest update first; returns how many."""
    condition = _expired(now - max(keep, MIN_KEEP))
    ids = select(Person.id).where(condition).order_by(Person.updated_at).limit(batch)
    result = session.execute(
        delete(Person).where(Person.id.in_(ids.scalar_subquery()), condition)
        .execution_options(synchronize_session=False))
    return rows_changed(result)
