"""Every eligibility decision counted by survey, UTC day and reason, cheaply.

A page view must not cost a database write just to be counted. Each process keeps an
in-memory buffer of ``(site, survey, day, reason) -> n`` and a background thread adds it to
``decision_counts`` with one UPSERT (``count = count + n``) every few seconds, or sooner when
many decisions are waiting. Readers flush their own process first, so a single collector
always reads its own counts. What a crash can lose is at most ``FLUSH_SECONDS`` of one
process's counts (docs/eligibility.md).

Lifecycle. The flusher belongs to one engine and holds it only weakly: ``engine.dispose()``
flushes the buffer and stops the thread (the next decision starts a new one), an engine that
is garbage-collected stops its flusher without writing, and at exit every buffer is flushed.
After ``fork`` (gunicorn with ``--preload``, ``os.fork``) the child starts with fresh locks and
an empty buffer: what the parent had buffered is the parent's to write. Counts for a survey
deleted meanwhile are dropped, not retried.

Recording a decision takes one short lock and does constant work; the database is only ever
touched by the flusher or a reader, never by the request that made the decision.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import weakref
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from sqlalchemy import Engine, event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from collector.models import DecisionCount, Survey

log = logging.getLogger(__name__)

FLUSH_SECONDS = 2.0
FLUSH_PENDING = 500
# Distinct keys a buffer holds while the database cannot be written; beyond, new keys are
# dropped (and counted in the log) rather than letting memory grow without bound.
MAX_KEYS = 50_000
# After this many failed flushes in a row (a dropped database), the batch is given up.
MAX_FAILURES = 30
Key = tuple[int, int, date, str]


class DecisionCounter:
    """Buffered counters for one database engine, safe across threads and ``fork``."""

    def __init__(self, engine: Engine, *, flush_seconds: float = FLUSH_SECONDS,
                 flush_pending: int = FLUSH_PENDING, max_keys: int = MAX_KEYS) -> None:
        self._engine = weakref.ref(engine)
        self.flush_seconds = flush_seconds
        self.flush_pending = flush_pending
        self.max_keys = max_keys
        self._reset()

    def _reset(self) -> None:
        """Fresh state: at creation, and in a forked child (whose locks may be held by a
        thread that does not exist there)."""
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._pending: Counter[Key] = Counter()
        self._waiting = 0
        self._dropped = 0
        self._retry: Counter[Key] = Counter()  # a failed batch; only the flusher touches it
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._failures = 0
        self._closed = False

    @property
    def engine(self) -> Engine | None:
        return self._engine()

    def pending(self) -> int:
        """Decisions buffered and not yet written."""
        with self._lock:
            return self._waiting + sum(self._retry.values())

    def add(self, site_id: int, survey_id: int, day: date, reason: str, n: int = 1) -> None:
        key = (site_id, survey_id, day, reason)
        with self._lock:
            if self._closed:
                return
            if key not in self._pending and len(self._pending) >= self.max_keys:
                self._dropped += n
                return
            self._pending[key] += n
            self._waiting += n
            waiting = self._waiting
            if self._thread is None:
                self._wake.clear()  # a wake-up left by ``stop`` was for the old thread
                self._thread = threading.Thread(target=_flusher, args=(weakref.ref(self),),
                                                name="decision-counts", daemon=True)
                self._thread.start()
        if waiting >= self.flush_pending:
            self._wake.set()

    def flush(self) -> int:
        """Write the buffer; returns how many decisions were written. On failure the counts
        are kept for the next attempt (up to ``MAX_FAILURES`` in a row)."""
        with self._flush_lock:
            with self._lock:
                fresh, self._pending, self._waiting = self._pending, Counter(), 0
                dropped, self._dropped = self._dropped, 0
            if dropped:
                log.warning("decision counts: %s decisions dropped, the buffer was full",
                            dropped)
            batch, self._retry = self._retry, Counter()
            batch.update(fresh)
            engine = self.engine
            if not batch or engine is None:
                return 0
            try:
                written = _upsert(engine, batch)
            except Exception:
                self._failures += 1
                if self._failures < MAX_FAILURES:
                    self._retry = batch
                else:
                    log.warning("decision counts: giving up %s decisions after %s failed "
                                "flushes", sum(batch.values()), self._failures)
                raise
            self._failures = 0
            return written

    def stop(self, *, flush: bool) -> None:
        """Stop the flusher thread (after one last flush when ``flush``); ``add`` starts a new
        one unless the counter is closed."""
        if flush:
            try:
                self.flush()
            except Exception:
                log.exception("decision counts lost while stopping the flusher")
        with self._lock:
            thread, self._thread = self._thread, None
        self._wake.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    def close(self) -> None:
        """Flush and stop for good: later decisions are not counted."""
        with self._lock:
            self._closed = True
        self.stop(flush=True)

    def discard(self) -> None:
        """Drop what is buffered and stop the flusher (a test's database is going away)."""
        with self._lock:
            self._pending.clear()
            self._waiting = 0
            self._closed = True
        with self._flush_lock:
            self._retry.clear()
        self.stop(flush=False)


def _flusher(ref: weakref.ref[DecisionCounter]) -> None:
    """The thread: holds its counter only weakly, so a forgotten counter ends it."""
    me = threading.current_thread()
    while True:
        counter = ref()
        if counter is None or counter._thread is not me or counter.engine is None:
            return
        wake, seconds = counter._wake, counter.flush_seconds
        del counter
        wake.wait(seconds)
        wake.clear()
        counter = ref()
        if counter is None or counter._thread is not me:
            return
        try:
            counter.flush()
        except Exception as error:  # noqa: BLE001 - the thread must live on; counts kept
            # Once per outage, not every two seconds.
            if counter._failures == 1:
                log.warning("flushing decision counts failed; will retry: %s", error)
        del counter


def _upsert(engine: Engine, batch: Counter[Key]) -> int:
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    with engine.begin() as connection:
        # A survey deleted since (its counts went with it): its decisions are dropped.
        live = set(connection.scalars(select(Survey.id).where(
            Survey.id.in_({survey_id for _, survey_id, _, _ in batch}))))
        # Sorted keys: two processes flushing the same rows lock them in the same order.
        rows = [{"site_id": site_id, "survey_id": survey_id, "day": day, "reason": reason,
                 "count": n} for (site_id, survey_id, day, reason), n in sorted(batch.items())
                if survey_id in live]
        if not rows:
            return 0
        statement = insert(DecisionCount).values(rows)
        statement = statement.on_conflict_do_update(
            index_elements=["survey_id", "day", "reason"],
            set_={"count": DecisionCount.count + statement.excluded.count},
        )
        connection.execute(statement)
    return sum(cast(int, row["count"]) for row in rows)


_COUNTERS: weakref.WeakKeyDictionary[Engine, DecisionCounter] = weakref.WeakKeyDictionary()
_COUNTERS_LOCK = threading.Lock()


def _engine_disposed(engine: Engine) -> None:
    with _COUNTERS_LOCK:
        counter = _COUNTERS.get(engine)
    if counter is not None:
        counter.stop(flush=True)


def counter_for(engine: Engine) -> DecisionCounter:
    with _COUNTERS_LOCK:
        counter = _COUNTERS.get(engine)
        if counter is None:
            counter = _COUNTERS[engine] = DecisionCounter(engine)
            if not event.contains(engine, "engine_disposed", _engine_disposed):
                event.listen(engine, "engine_disposed", _engine_disposed)
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
    with _COUNTERS_LOCK:
        counters = list(_COUNTERS.values())
    for counter in counters:
        try:
            counter.flush()
        except Exception as error:  # noqa: BLE001 - exiting anyway; say what was lost
            log.warning("decision counts lost at exit: %s", error)


def _after_fork_in_child() -> None:
    global _COUNTERS_LOCK
    _COUNTERS_LOCK = threading.Lock()
    for counter in list(_COUNTERS.values()):
        counter._reset()


os.register_at_fork(after_in_child=_after_fork_in_child)


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
