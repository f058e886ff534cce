"""The worker: claims, leases, retries with backoff for more than a day, dead jobs, replay."""

from __future__ import annotations

import random
import threading
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from collector.core.extensions import db
from collector.delivery.jobs import enqueue, handler, run_due_jobs
from collector.delivery.worker import MAX_ATTEMPTS, backoff, claim_next, run_claimed
from collector.models import AuditEntry, Job
from tests.factories import make_site

FAILURES: dict[str, int] = {}


@handler("test.flaky")
def flaky(session: Any, payload: dict[str, Any], now: Any) -> None:
    """Fails while FAILURES[name] > 0, then records an audit entry."""
    name = payload["name"]
    if FAILURES.get(name, 0) > 0:
        FAILURES[name] -= 1
        raise RuntimeError("receiver down")
    session.add(AuditEntry(site_id=payload["site_id"], actor="test", action="ran",
                           entity_type="job", entity_id=name, changes={}, at=now))


def _enqueue(app: Any, clock: Any, name: str, fail: int = 0) -> int:
    FAILURES[name] = fail
    with app.app_context():
        site = make_site(db.session, slug=f"s-{name}")
        job = enqueue(db.session, "test.flaky", {"name": name, "site_id": site.site_id},
                      now=clock(), site_id=site.site_id)
        db.session.commit()
        return job.id


def _job(app: Any, job_id: int) -> Job:
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job is not None
        db.session.expunge(job)
        return job


def _ran(app: Any, name: str) -> int:
    with app.app_context():
        return len(list(db.session.scalars(
            select(AuditEntry).where(AuditEntry.entity_id == name, AuditEntry.action == "ran"))))


def test_a_due_job_runs_once_and_is_done(any_app, clock, make_worker):
    job_id = _enqueue(any_app, clock, "once")
    worker = make_worker(any_app, clock)
    assert worker.run_until_idle() == 1
    assert worker.run_until_idle() == 0
    assert _job(any_app, job_id).status == "done"
    assert _ran(any_app, "once") == 1


def test_a_job_waits_for_its_run_at(app, clock, make_worker):
    with app.app_context():
        site = make_site(db.session, slug="later")
        FAILURES["later"] = 0
        enqueue(db.session, "test.flaky", {"name": "later", "site_id": site.site_id},
                now=clock(), run_at=clock() + timedelta(hours=1), site_id=site.site_id)
        db.session.commit()
    worker = make_worker(app, clock)
    assert worker.run_until_idle() == 0
    clock.advance(hours=1)
    assert worker.run_until_idle() == 1


def test_backoff_doubles_is_capped_and_jittered():
    rng = random.Random(1)
    waits = [backoff(n, rng) for n in range(1, 20)]
    assert waits[0] <= timedelta(seconds=30)
    assert waits[1] > waits[0]
    assert max(waits) <= timedelta(hours=6)
    assert len({w.total_seconds() for w in waits[-5:]}) == 5  # jittered, not lock-step


class _Lowest(random.Random):
    def random(self) -> float:
        return 0.0


def test_retries_span_more_than_a_day_then_dead_then_replay(any_app, clock, make_worker):
    any_app.config["CLOCK"] = clock
    job_id = _enqueue(any_app, clock, "down", fail=10_000)
    worker = make_worker(any_app, clock, rng=_Lowest())  # shortest possible waits
    started = clock()
    for _ in range(MAX_ATTEMPTS):
        clock.set(max(clock(), _job(any_app, job_id).run_at))
        assert worker.run_once() in ("queued", "dead")
    job = _job(any_app, job_id)
    assert job.status == "dead"
    assert job.attempts == MAX_ATTEMPTS
    assert clock() - started >= timedelta(hours=24)
    assert "receiver down" in (job.last_error or "")

    with any_app.app_context():
        site_id = db.session.get(Job, job_id).site_id
        from collector.access.keys import create_key
        _, admin = create_key(db.session, site_id, "admin", clock())
        _, secret = create_key(db.session, site_id, "secret", clock())
        db.session.commit()
    client = any_app.test_client()
    dead = client.get("/v1/jobs?status=dead", headers={"Authorization": f"Bearer {secret}"})
    assert [j["id"] for j in dead.get_json()["data"]] == [job_id]
    refused = client.post(f"/v1/jobs/{job_id}/replay",
                          headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 403
    replayed = client.post(f"/v1/jobs/{job_id}/replay",
                           headers={"Authorization": f"Bearer {admin}"})
    assert replayed.status_code == 200, replayed.get_json()
    assert replayed.get_json()["status"] == "queued"
    FAILURES["down"] = 0
    assert worker.run_once() == "done"
    assert _ran(any_app, "down") == 1


def test_replaying_a_job_that_is_not_dead_is_a_conflict(app, clock, make_worker):
    job_id = _enqueue(app, clock, "alive")
    with app.app_context():
        from collector.access.keys import create_key
        _, admin = create_key(db.session, db.session.get(Job, job_id).site_id, "admin", clock())
        db.session.commit()
    answer = app.test_client().post(f"/v1/jobs/{job_id}/replay",
                                    headers={"Authorization": f"Bearer {admin}"})
    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "job_not_dead"


def test_a_job_left_by_a_killed_worker_runs_again_after_its_lease(any_app, clock, make_worker):
    job_id = _enqueue(any_app, clock, "orphan")
    with any_app.app_context():
        # Worker A claims, then "dies": it never finishes.
        claim = claim_next(db.session, clock(), "worker-a", lease=timedelta(minutes=5))
        assert claim is not None and claim.job_id == job_id
    survivor = make_worker(any_app, clock, name="worker-b")
    assert survivor.run_once() is None  # the lease still holds
    clock.advance(minutes=6)
    assert survivor.run_once() == "done"
    assert _ran(any_app, "orphan") == 1
    with any_app.app_context():
        # A finishes late: its work is dropped, the job stays done once.
        assert run_claimed(db.session, claim, "worker-a", clock, random.Random()) == "lost"
    assert _ran(any_app, "orphan") == 1
    assert _job(any_app, job_id).status == "done"


def test_stop_finishes_the_current_job_and_claims_no_more(app, clock, make_worker):
    started, release = threading.Event(), threading.Event()

    @handler("test.slow")
    def slow(session: Any, payload: dict[str, Any], now: Any) -> None:
        started.set()
        release.wait(10)

    with app.app_context():
        site = make_site(db.session, slug="slow")
        ids = [enqueue(db.session, "test.slow", {}, now=clock(), site_id=site.site_id)
               for _ in range(2)]
        db.session.commit()
        ids = [j.id for j in ids]
    worker = make_worker(app, clock, poll_interval=0.05)

    def run() -> None:
        with app.app_context():
            worker.run_forever()

    thread = threading.Thread(target=run)
    thread.start()
    assert started.wait(10)
    worker.stop()
    release.set()
    thread.join(10)
    assert not thread.is_alive()
    assert [_job(app, i).status for i in ids] == ["done", "queued"]


def test_run_due_jobs_still_runs_jobs_in_process(app, clock):
    job_id = _enqueue(app, clock, "inline")
    with app.app_context():
        assert run_due_jobs(db.session, clock()) == 1
    assert _job(app, job_id).status == "done"


def test_a_job_that_kills_every_worker_ends_dead(app, clock, make_worker):
    job_id = _enqueue(app, clock, "poison")
    with app.app_context():
        for n in range(MAX_ATTEMPTS):
            assert claim_next(db.session, clock(), f"doomed-{n}") is not None  # and dies
            clock.advance(minutes=6)
    assert make_worker(app, clock).run_once() is None
    job = _job(app, job_id)
    assert (job.status, job.attempts) == ("dead", MAX_ATTEMPTS)
    assert _ran(app, "poison") == 0
