"""Durable jobs: ``enqueue`` writes a row in the caller's transaction, so the job exists
exactly when the event that caused it does. The worker (``tenpoint worker``) runs them.

Handlers register by kind with ``@handler("kind")``; a handler takes the session, the
payload and the current time, and raises to ask for a retry. Its writes are rolled back when
it raises, except the objects listed in ``JobFailed.keep`` (a delivery log, for instance).
``current_attempt`` tells a handler which attempt this is (1 for the first).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from collector.core.rows import insert_row
from collector.models import Job, Site

Handler = Callable[[Session, dict[str, Any], datetime], None]
HANDLERS: dict[str, Handler] = {}
current_attempt: ContextVar[int] = ContextVar("current_attempt", default=1)


class JobFailed(Exception):
    """Raised by a handler to ask for a retry while keeping ``keep`` (e.g. a delivery log)."""

    def __init__(self, message: str, *, keep: Sequence[object] = ()) -> None:
        super().__init__(message)
        self.keep = list(keep)


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        HANDLERS[kind] = function
        return function

    return register


def enqueue(
    session: Session, kind: str, payload: dict[str, Any], *, now: datetime,
    run_at: datetime | None = None, site_id: int | None = None, dedupe_key: str | None = None,
) -> Job:
    """Add a job to the current transaction; nothing runs until the transaction commits."""
    return insert_row(session, Job, site_id=site_id, kind=kind, payload=payload,
                      status="queued", run_at=run_at or now, attempts=0,
                      dedupe_key=dedupe_key, created_at=now, updated_at=now)


def enqueue_once(
    session: Session, kind: str, payload: dict[str, Any], *, now: datetime, dedupe_key: str,
    run_at: datetime | None = None, site_id: int | None = None, successor: bool = False,
) -> bool:
    """Queue the job unless one with ``dedupe_key`` is already queued or running; ``True``
    when this call queued it. A running job queues its own next run with ``successor=True``
    (then only a queued one counts). Several workers may race here: the partial unique index
    ``uq_jobs_dedupe_queued`` keeps one, and the loser's savepoint is rolled back.

    The scheduler leaves a running job alone so that, should it fail, it can go back to
    ``queued`` for its retry without meeting a twin."""
    statuses = ("queued",) if successor else ("queued", "running")
    pending = session.scalar(select(Job.id).where(
        Job.dedupe_key == dedupe_key, Job.status.in_(statuses)).limit(1))
    if pending is not None:
        return False
    try:
        with session.begin_nested():
            enqueue(session, kind, payload, now=now, run_at=run_at, site_id=site_id,
                    dedupe_key=dedupe_key)
    except IntegrityError:
        return False
    return True


def run_due_jobs(session: Session, now: datetime, *, limit: int = 100) -> int:
    """Run queued jobs whose time has come, in this process; returns how many ran.

    The simplest correct runner, for tests and single-process use. A failing job is marked
    with its error and retried on a later call.
    """
    due = list(session.scalars(
        select(Job).where(Job.status == "queued", Job.run_at <= now)
        .order_by(Job.run_at, Job.id).limit(limit)
    ))
    for job in due:
        function = HANDLERS.get(job.kind)
        job.attempts += 1
        job.updated_at = now
        if function is None:
            job.last_error = f"no handler for {job.kind!r}"
            continue
        # Running, as in the worker: a periodic job may then queue its own successor.
        job.status = "running"
        token = current_attempt.set(job.attempts)
        try:
            with session.begin_nested():
                function(session, job.payload, now)
        except Exception as error:  # noqa: BLE001 - a failed job is recorded, never fatal
            job.status = "queued"
            job.last_error = f"{type(error).__name__}: {error}"
            for kept in getattr(error, "keep", ()):
                session.add(kept)
            continue
        finally:
            current_attempt.reset(token)
        job.status = "done"
        job.last_error = None
    session.commit()
    return len(due)


def run_for_each_site(
    session: Session, kind: str, every: timedelta, payload: dict[str, Any], now: datetime,
    work: Callable[[Session, Site, datetime], object],
) -> None:
    """The body of a periodic per-site job: ``work`` for every site (or only
    ``payload["site_id"]``), then queue the next run ``every`` later, once."""
    query = select(Site).order_by(Site.id)
    if payload.get("site_id") is not None:
        query = query.where(Site.id == payload["site_id"])
    for site in list(session.scalars(query)):
        work(session, site, now)
    if payload.get("repeat", True):
        key = kind if payload.get("site_id") is None else f"{kind}:{payload['site_id']}"
        enqueue_once(session, kind, payload, now=now, run_at=now + every, dedupe_key=key,
                     successor=True)
