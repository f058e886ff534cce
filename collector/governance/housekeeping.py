"""Housekeeping, run by the worker: what the collector keeps only for a while.

- **Idempotency records** (the first answer to each ``Idempotency-Key``) are deleted after
  ``TENPOINT_IDEMPOTENCY_KEEP_DAYS`` (default 30, at least 8). The widget keeps an unsent
  answer in its outbox for up to a week, until the visitor comes back, so the window is long;
  a retry arriving later is treated as a new request (docs/api-contract.md).
- **Finished jobs** (``done``) are deleted after ``TENPOINT_JOBS_KEEP_DAYS`` (default 14, at
  least 2: the periodic scheduler reads the last run of each periodic job, and the slowest
  of them repeats daily). Queued, running and dead jobs are never deleted here.
- **Anonymous people** never in touch with a survey or support are deleted after
  ``TENPOINT_ANONYMOUS_PEOPLE_KEEP_DAYS`` idle (default 30; ``anonymous_people.py``).

- **Used display tokens** (docs/protection.md) are forgotten once older than a token's
  lifetime (8 days): such a token is refused as expired whether or not it was used.

Without this, the tables gain a row or more per answer forever, and an erasure, which
scrubs them, costs more every month. Each run deletes at most ``BATCH`` rows per table, so
a transaction stays short (SQLite has one writer); a run that hit the cap queues the next
one a minute later instead of an hour, until the backlog is gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, delete, literal_column, select
from sqlalchemy.orm import Session

from collector.core.rows import rows_changed
from collector.delivery.jobs import enqueue_once, handler
from collector.delivery.periodic import every, periodic
from collector.governance.anonymous_people import expire_anonymous_people
from collector.models import IdempotencyRecord, Job
from collector.protection.token_uses import forget_expired_uses

KIND = "housekeeping.prune"
EVERY = timedelta(hours=1)
SOON = timedelta(minutes=1)
BATCH = 10_000
MIN_JOBS_KEEP = timedelta(days=2)
# The widget drops an unsent answer a week after it was given (docs/widget.md): every retry
# it may still send must find its record, or it would be stored a second time.
MIN_IDEMPOTENCY_KEEP = timedelta(days=8)


@dataclass(frozen=True)
class PruneResult:
    idempotency_records: int
    jobs: int

    def capped(self, batch: int) -> bool:
        return self.idempotency_records >= batch or self.jobs >= batch


def _delete_oldest(session: Session, model: Any, condition: ColumnElement[bool],
                   batch: int) -> int:
    ids = select(model.id).where(condition).order_by(model.id).limit(batch)
    result = session.execute(delete(model).where(model.id.in_(ids.scalar_subquery()))
                             .execution_options(synchronize_session=False))
    return rows_changed(result)


def prune(session: Session, now: datetime, *, idempotency_keep: timedelta,
          jobs_keep: timedelta, batch: int = BATCH) -> PruneResult:
    """Delete up to ``batch`` idempotency records older than ``idempotency_keep`` (never
    less than ``MIN_IDEMPOTENCY_KEEP``) and up to ``batch`` jobs that finished more than
    ``jobs_keep`` ago (never less than ``MIN_JOBS_KEEP``)."""
    cutoff = now - max(idempotency_keep, MIN_IDEMPOTENCY_KEEP)
    records = _delete_oldest(session, IdempotencyRecord,
                             IdempotencyRecord.created_at < cutoff, batch)
    # 'done' is written into the SQL: a bound status would make SQLite re-plan the statement
    # on every run (a partial index on jobs depends on the status). A done job finished at
    # ``updated_at``; ``run_at`` (never later) lets the (status, run_at) index narrow it down.
    cutoff = now - max(jobs_keep, MIN_JOBS_KEEP)
    jobs = _delete_oldest(session, Job, (Job.status == literal_column("'done'"))
                          & (Job.run_at < cutoff) & (Job.updated_at < cutoff), batch)
    return PruneResult(records, jobs)


@handler(KIND)
def run_housekeeping(session: Session, payload: dict[str, Any], now: datetime) -> None:
    config = current_app.config
    batch = int(payload.get("batch", BATCH))
    result = prune(session, now,
                   idempotency_keep=timedelta(days=float(config["IDEMPOTENCY_KEEP_DAYS"])),
                   jobs_keep=timedelta(days=float(config["JOBS_KEEP_DAYS"])), batch=batch)
    # Used display tokens past their lifetime: refused as expired anyway (an hour's worth).
    forget_expired_uses(session, now)
    expired = expire_anonymous_people(
        session, now, keep=timedelta(days=float(config["ANONYMOUS_PEOPLE_KEEP_DAYS"])),
        batch=batch)
    if result.capped(batch) or expired >= batch:
        enqueue_once(session, KIND, payload, now=now, run_at=now + SOON, dedupe_key=KIND,
                     successor=True)


periodic(KIND, every(KIND, EVERY))
