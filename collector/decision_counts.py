"""Every eligibility decision counted by survey, UTC day and reason, cheaply.

A page view must not cost a database write just to be counted. Each process keeps an
in-memory buffer of ``(site, survey, day, reason) -> n`` and a background thread adds it to
``decision_counts`` with one UPSERT (``count = count + n``) every few seconds, or sooner when
many decisions are waiting; at exit the rest is flushed. Readers flush their own process
first, so a single collector always reads its own counts. What a crash can lose is at most
``FLUSH_SECONDS`` of one process's counts (docs/eligibility.md).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from collector.models import DecisionCount, Survey

log = logging.getLogger(__name__)

FLUSH_SECONDS = 2.0
FLUSH_PENDING = 500
# After this many failed flushes in a row (a dropped database), the batch is given up.
MAX_FAILURES = 30
Key = tuple[int, int, date, str]


class DecisionCounter:
    """Buffered counters for one database engine, safe across threads and ``fork``."""

    def __init__(self, engine: Engine, *, flush_seconds: float = FLUSH_SECONDS,
                 flush_pending: int = FLUSH_PENDING) -> None:
        self.engine = engine
        self.flush_seconds = flush_seconds
        self.flush_pending = flush_pending
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._pending: Counter[Key] = Counter()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._failures = 0
        self._closed = False

    def add(self, site_id: int, survey_id: int, day: date, reason: str, n: int = 1) -> None:
        if os.getpid() != self._pid:
            # A forked worker inherits the parent's buffer: the parent flushes that, not us.
            self._reset()
        with self._lock:
            self._pending[(site_id, survey_id, day, reason)] += n
            waiting = sum(self._pending.values())
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="decision-counts",
                                                daemon=True)
                self._thread.start()
        if waiting >= self.flush_pending:
            self._wake.set()

    def discard(self) -> None:
        """Drop what is buffered and stop the flusher (a test's database is going away)."""
        with self._lock:
            self._pending.clear()
            self._closed = True
        self._wake.set()

    def _run(self) -> None:
        while not self._closed:
            self._wake.wait(self.flush_seconds)
            self._wake.clear()
            try:
                self.flush()
            except Exception:
                log.exception("flushing decision counts failed; will retry")

    def flush(self) -> int:
        """Write the buffer; returns how many decisions were written. On failure the counts
        go back into the buffer for the next attempt."""
        if os.getpid() != self._pid:
            self._reset()
        with self._flush_lock:
            with self._lock:
                batch, self._pending = self._pending, Counter()
            if not batch:
                return 0
            try:
                _upsert(self.engine, batch)
            except Exception:
                self._failures += 1
                if self._failures < MAX_FAILURES:
                    with self._lock:
                        self._pending.update(batch)
                raise
            self._failures = 0
            return sum(batch.values())


def _upsert(engine: Engine, batch: Counter[Key]) -> None:
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    # Sorted keys: two processes flushing the same rows lock them in the same order.
    rows = [{"site_id": site_id, "survey_id": survey_id, "day": day, "reason": reason,
             "count": n} for (site_id, survey_id, day, reason), n in sorted(batch.items())]
    statement = insert(DecisionCount).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["survey_id", "day", "reason"],
        set_={"count": DecisionCount.count + statement.excluded.count},
    )
    with engine.begin() as connection:
        connection.execute(statement)


_COUNTERS: dict[Engine, DecisionCounter] = {}
_COUNTERS_LOCK = threading.Lock()


def counter_for(engine: Engine) -> DecisionCounter:
    with _COUNTERS_LOCK:
        counter = _COUNTERS.get(engine)
        if counter is None:
            counter = _COUNTERS[engine] = DecisionCounter(engine)
        return counter


def discard_all() -> None:
    """Forget every buffered count (tests, between databases)."""
    with _COUNTERS_LOCK:
        counters = list(_COUNTERS.values())
        _COUNTERS.clear()
    for counter in counters:
        counter.discard()


@atexit.register
def flush_all() -> None:
    for counter in list(_COUNTERS.values()):
        try:
            counter.flush()
        except Exception:
            log.exception("decision counts lost at exit")


def count_decision(session: Session, survey: Survey, reason: str, now: datetime) -> None:
    """Count one decision; buffered, never a write in the caller's transaction."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    counter_for(engine).add(survey.site_id, survey.id, now.date(), reason)


@dataclass(frozen=True)
class CountRow:
    survey: str
    day: date
    reason: str
    count: int


def read_counts(session: Session, site_id: int, *, survey_id: int | None = None,
                since: date | None = None, until: date | None = None) -> list[CountRow]:
    """Counts for the site, oldest day first; ``until`` is exclusive."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    counter_for(engine).flush()
    query = (select(Survey.key, DecisionCount.day, DecisionCount.reason, DecisionCount.count)
             .join(Survey, Survey.id == DecisionCount.survey_id)
             .where(DecisionCount.site_id == site_id))
    if survey_id is not None:
        query = query.where(DecisionCount.survey_id == survey_id)
    if since is not None:
        query = query.where(DecisionCount.day >= since)
    if until is not None:
        query = query.where(DecisionCount.day < until)
    rows = session.execute(query.order_by(DecisionCount.day, Survey.key, DecisionCount.reason))
    return [CountRow(key, day, reason, count) for key, day, reason, count in rows]
