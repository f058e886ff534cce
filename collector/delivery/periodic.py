"""Periodic jobs, kept queued by the worker itself.

At start and then every minute, ``tenpoint worker`` calls ``ensure_periodic``: each entry of
``PERIODIC`` makes sure its job kind has exactly one queued instance. Several workers may do
this at once; the partial unique index on ``jobs.dedupe_key`` (queued rows only) keeps one, and
``collector.delivery.jobs.enqueue_once`` treats the loser's conflict as "already queued". A running
instance does not block the next one from being queued by its own handler.

Adding a periodic job is one line in ``PERIODIC``: ``every(KIND, interval)`` for a job that
needs no payload, or any ``(session, now) -> int`` function (the weekly digest, per site).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from collector.analytics import alerts
from collector.analytics import rollup_builder as rollup
from collector.delivery.jobs import enqueue_once
from collector.eligibility import invitations
from collector.followups import digest, overdue
from collector.governance import housekeeping, retention
from collector.models import Job

log = logging.getLogger(__name__)

Scheduler = Callable[[Session, datetime], int]


def every(kind: str, interval: timedelta) -> Scheduler:
    """Keep one ``kind`` job queued: due now the first time, then ``interval`` after the
    previous run was due (a worker that was down catches up at once, not once per miss)."""

    def ensure(session: Session, now: datetime) -> int:
        last = session.scalar(select(func.max(Job.run_at)).where(
            Job.dedupe_key == kind, Job.status.in_(("done", "dead"))))
        run_at = now if last is None else max(now, last + interval)
        return int(enqueue_once(session, kind, {}, now=now, run_at=run_at, dedupe_key=kind))

    ensure.__qualname__ = f"every({kind!r}, {interval})"
    return ensure


PERIODIC: dict[str, Scheduler] = {
    alerts.KIND: every(alerts.KIND, alerts.EVERY),
    retention.KIND: every(retention.KIND, retention.EVERY),
    invitations.EXPIRE_JOB: every(invitations.EXPIRE_JOB, invitations.EXPIRE_EVERY),
    digest.KIND: digest.schedule_digests,
    rollup.KIND: every(rollup.KIND, rollup.EVERY),
    housekeeping.KIND: every(housekeeping.KIND, housekeeping.EVERY),
    overdue.KIND: every(overdue.KIND, overdue.EVERY),
    # once its handler queues its successor with ``enqueue_once(..., dedupe_key=KIND,
    # successor=True)`` like alerts.run_alert_check does (a plain ``enqueue`` would start a
    # second chain beside the scheduled one).
}


def ensure_periodic(session: Session, now: datetime) -> int:
    """Queue whatever periodic job is missing; returns how many were added. One failing
    scheduler is logged and does not keep the others from running."""
    added = 0
    for kind, scheduler in PERIODIC.items():
        try:
            with session.begin_nested():
                added += scheduler(session, now)
        except Exception:
            log.exception("scheduling the periodic job %s failed", kind)
    return added
