"""The job worker: claims due jobs, runs their handlers, retries with backoff, buries the dead.

Claiming is one short transaction. On PostgreSQL the candidate row is read with
``SELECT … FOR UPDATE SKIP LOCKED``, so any number of workers share the queue without ever
taking the same job. Every claim is also a compare-and-set on ``(id, attempts)``, which keeps
SQLite correct too, but SQLite serialises writers: run one worker there.

A claimed job carries a lease (``lease_until``, ``TENPOINT_JOB_LEASE_SECONDS``). While the
handler runs, a heartbeat thread extends the lease every third of it, so a long job keeps it; a
worker that dies mid-job stops renewing, and once the lease has passed another worker claims
the job again. A worker finishes a job
(committing the handler's writes with ``status = done``) only while it still holds the lease,
so database effects happen once; side effects outside the database (HTTP, email) happen at
least once, which is why webhooks carry a stable ``webhook-id``.
"""

from __future__ import annotations

import logging
import random
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import FrameType
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from collector.core.rows import rows_changed
from collector.delivery.jobs import HANDLERS, current_attempt
from collector.models import Job

log = logging.getLogger(__name__)

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=6)
# With the smallest jitter (x0.75) the 15 waits between 16 attempts add up to about 29 hours,
# with the largest to about 38: a receiver that is down for a day still gets its events.
MAX_ATTEMPTS = 16
DEFAULT_LEASE = timedelta(minutes=5)


def backoff(attempt: int, rng: random.Random) -> timedelta:
    """Wait after failed attempt number ``attempt`` (1-based): doubling, capped, jittered."""
    exponent = min(attempt - 1, 30)
    raw = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** exponent))
    return raw * (0.75 + 0.25 * rng.random())


@dataclass(frozen=True)
class Claim:
    job_id: int
    kind: str
    payload: dict[str, Any]
    attempts: int


def _due(now: datetime) -> Any:
    return or_(
        and_(Job.status == "queued", Job.run_at <= now),
        and_(Job.status == "running", Job.lease_until <= now),
    )


def claim_next(
    session: Session, now: datetime, worker_id: str, lease: timedelta = DEFAULT_LEASE,
    kinds: tuple[str, ...] | None = None,
) -> Claim | None:
    """Take the oldest due job (or one whose lease expired) and commit the claim."""
    query = select(Job.id, Job.attempts).where(_due(now))
    if kinds:
        query = query.where(Job.kind.in_(kinds))
    query = query.order_by(Job.run_at, Job.id).limit(1)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    for _ in range(5):  # another SQLite writer may win the compare-and-set; look again
        row = session.execute(query).first()
        if row is None:
            session.rollback()
            return None
        job_id, attempts = row
        if attempts >= MAX_ATTEMPTS:
            # Its last attempt never finished (the worker died each time): a poison job.
            session.execute(
                update(Job).where(Job.id == job_id, Job.attempts == attempts, _due(now))
                .values(status="dead", lease_until=None, locked_by=None, updated_at=now,
                        last_error="the worker stopped during the last attempt")
                .execution_options(synchronize_session=False))
            session.commit()
            continue
        claimed = rows_changed(session.execute(
            update(Job).where(Job.id == job_id, Job.attempts == attempts, _due(now))
            .values(status="running", attempts=attempts + 1, lease_until=now + lease,
                    locked_by=worker_id, updated_at=now)
            .execution_options(synchronize_session=False)
        ))
        if claimed == 1:
            job = session.get(Job, job_id, populate_existing=True)
            assert job is not None
            result = Claim(job.id, job.kind, dict(job.payload), job.attempts)
            session.commit()
            return result
        session.rollback()
    return None


def _still_mine(claim: Claim, worker_id: str) -> Any:
    return and_(Job.id == claim.job_id, Job.status == "running",
                Job.locked_by == worker_id, Job.attempts == claim.attempts)


def run_claimed(
    session: Session, claim: Claim, worker_id: str, clock: Callable[[], datetime],
    rng: random.Random,
) -> str:
    """Run one claimed job; return its new status (done, queued, dead, or lost)."""
    now = clock()
    function = HANDLERS.get(claim.kind)
    token = current_attempt.set(claim.attempts)
    try:
        if function is None:
            raise LookupError(f"no handler for {claim.kind!r}")
        function(session, claim.payload, now)
        session.flush()
    except Exception as error:  # noqa: BLE001 - a failed job is retried, never fatal
        session.rollback()
        log.warning("job %s (%s) attempt %s failed: %s", claim.job_id, claim.kind,
                    claim.attempts, error)
        for kept in getattr(error, "keep", ()):
            session.add(kept)
        return _fail(session, claim, worker_id, f"{type(error).__name__}: {error}", clock(),
                     rng)
    finally:
        current_attempt.reset(token)
    done = rows_changed(session.execute(
        update(Job).where(_still_mine(claim, worker_id))
        .values(status="done", lease_until=None, last_error=None, updated_at=clock())
        .execution_options(synchronize_session=False)
    ))
    if done != 1:
        # The lease ran out and another worker owns the job now: drop our writes.
        session.rollback()
        log.warning("job %s lost its lease before finishing; not committed", claim.job_id)
        return "lost"
    session.commit()
    return "done"


def _fail(
    session: Session, claim: Claim, worker_id: str, error: str, now: datetime,
    rng: random.Random,
) -> str:
    dead = claim.attempts >= MAX_ATTEMPTS
    values: dict[str, Any] = {"last_error": error[:2000], "lease_until": None,
                              "locked_by": None, "updated_at": now}
    if dead:
        values["status"] = "dead"
    else:
        values.update(status="queued", run_at=now + backoff(claim.attempts, rng))
    changed = rows_changed(session.execute(
        update(Job).where(_still_mine(claim, worker_id)).values(**values)
        .execution_options(synchronize_session=False)
    ))
    if changed != 1:
        session.rollback()
        return "lost"
    session.commit()
    return "dead" if dead else "queued"


def renew_lease(session: Session, claim: Claim, worker_id: str, now: datetime,
                lease: timedelta) -> bool:
    """Extend the lease of a job this worker still holds; ``False`` when it no longer does."""
    changed = rows_changed(session.execute(
        update(Job).where(_still_mine(claim, worker_id))
        .values(lease_until=now + lease, updated_at=now)
        .execution_options(synchronize_session=False)
    ))
    session.commit()
    return changed == 1


class Heartbeat:
    """Renews one claimed job's lease from a thread, in its own session, until stopped."""

    def __init__(self, worker: Worker, claim: Claim) -> None:
        self.worker = worker
        self.claim = claim
        self.beats = 0
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"lease-{claim.job_id}")

    def beat(self) -> bool:
        with self.worker.session_factory() as session:
            held = renew_lease(session, self.claim, self.worker.worker_id, self.worker.clock(),
                               self.worker.lease)
        self.beats += 1
        if not held:
            self.lost = True
            log.warning("job %s: lease lost while running", self.claim.job_id)
        return held

    def _run(self) -> None:
        while not self._stop.wait(self.worker.heartbeat_seconds):
            try:
                if not self.beat():
                    return
            except Exception:  # a database hiccup: the next beat may work, else the lease ends
                log.exception("job %s: renewing the lease failed", self.claim.job_id)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def replay_job(session: Session, job: Job, now: datetime) -> Job:
    """Queue a dead job again with a fresh set of attempts. A replayed periodic job is a
    one-off run: it leaves its ``dedupe_key`` behind, so it never collides with the next
    scheduled run already queued."""
    job.dedupe_key = None
    job.status = "queued"
    job.attempts = 0
    job.run_at = now
    job.lease_until = None
    job.locked_by = None
    job.updated_at = now
    return job


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"


@dataclass
class Worker:
    """Runs jobs until told to stop. Each iteration opens its own session."""

    session_factory: Callable[[], Session]
    clock: Callable[[], datetime]
    rng: random.Random = field(default_factory=random.Random)
    worker_id: str = field(default_factory=default_worker_id)
    lease: timedelta = DEFAULT_LEASE
    # Seconds between lease renewals while a job runs; default a third of the lease.
    heartbeat_every: float | None = None
    poll_interval: float = 1.0
    periodic: Callable[[Session, datetime], object] | None = None
    periodic_every: float = 60.0
    stopping: threading.Event = field(default_factory=threading.Event)
    _last_tick: float | None = field(default=None, repr=False)

    @property
    def heartbeat_seconds(self) -> float:
        if self.heartbeat_every is not None:
            return self.heartbeat_every
        return self.lease.total_seconds() / 3

    def run_once(self) -> str | None:
        """Claim and run at most one job; ``None`` when nothing was due."""
        with self.session_factory() as session:
            claim = claim_next(session, self.clock(), self.worker_id, self.lease)
            if claim is None:
                return None
            with Heartbeat(self, claim):
                return run_claimed(session, claim, self.worker_id, self.clock, self.rng)

    def run_until_idle(self, limit: int = 1000) -> int:
        """Run due jobs (including ones they queue for now) until none is due."""
        ran = 0
        while ran < limit and not self.stopping.is_set() and self.run_once() is not None:
            ran += 1
        return ran

    def tick(self) -> None:
        """Run the periodic scheduler (collector/delivery/periodic.py), at most every
        ``periodic_every`` seconds; the first call always runs it."""
        moment = time.monotonic()
        if self.periodic is None or (self._last_tick is not None
                                     and moment - self._last_tick < self.periodic_every):
            return
        self._last_tick = moment
        with self.session_factory() as session:
            self.periodic(session, self.clock())
            session.commit()

    def run_forever(self) -> None:
        """Loop until ``stop()``: the job in hand is finished, no new one is claimed."""
        log.info("worker %s started", self.worker_id)
        while not self.stopping.is_set():
            try:
                self.tick()
                if self.run_once() is None:
                    self.stopping.wait(self.poll_interval)
            except Exception:  # a database hiccup must not end the worker
                log.exception("worker loop error; retrying")
                self.stopping.wait(self.poll_interval)
        log.info("worker %s stopped", self.worker_id)

    def stop(self, *_: Any) -> None:
        self.stopping.set()

    def install_signal_handlers(self) -> None:
        def handle(signum: int, _frame: FrameType | None) -> None:
            log.info("signal %s: finishing the current job, then stopping", signum)
            self.stop()

        signal.signal(signal.SIGTERM, handle)
        signal.signal(signal.SIGINT, handle)
