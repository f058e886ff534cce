"""Long jobs keep their lease: a heartbeat renews it while the handler runs."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select

from collector.core.extensions import db
from collector.delivery.jobs import enqueue, handler
from collector.delivery.worker import claim_next, renew_lease
from collector.models import Job

LEASE = timedelta(seconds=30)


def _lease_until(app, job_id):
    with app.app_context():
        return db.session.scalar(select(Job.lease_until).where(Job.id == job_id))


def _queue(app, clock, kind):
    with app.app_context():
        job = enqueue(db.session, kind, {}, now=clock())
        db.session.commit()
        return job.id


def test_renewing_a_lease_keeps_other_workers_away(clocked_app, clock):
    job_id = _queue(clocked_app, clock, "ops.test.noop")
    with clocked_app.app_context():
        claim = claim_next(db.session, clock(), "w1", LEASE)
        assert claim is not None and claim.job_id == job_id
        clock.advance(seconds=25)
        assert renew_lease(db.session, claim, "w1", clock(), LEASE)
        clock.advance(seconds=25)  # past the first lease, within the renewed one
        assert claim_next(db.session, clock(), "w2", LEASE) is None
        clock.advance(seconds=10)
        taken = claim_next(db.session, clock(), "w2", LEASE)
        assert taken is not None and taken.job_id == job_id
        # The first worker has lost it: it can no longer renew.
        assert not renew_lease(db.session, claim, "w1", clock(), LEASE)


def test_a_job_running_longer_than_its_lease_is_not_taken_over(clocked_app, make_worker,
                                                                 clock):
    started = clock()
    seen: dict[str, object] = {}

    @handler("ops.test.long")
    def long_job(session, payload, now):
        clock.advance(seconds=45)  # past the 30 s lease the claim took
        for _ in range(400):  # wait for the heartbeat thread's renewal to land
            if _lease_until(clocked_app, job_id) > started + LEASE:
                break
            time.sleep(0.05)
        seen["lease_until"] = _lease_until(clocked_app, job_id)
        with clocked_app.app_context():
            seen["other"] = claim_next(db.session, clock(), "w2", LEASE)

    job_id = _queue(clocked_app, clock, "ops.test.long")
    worker = make_worker(clocked_app, lease=LEASE, heartbeat_every=0.02)
    assert worker.run_once() == "done"
    assert seen["lease_until"] == started + timedelta(seconds=45) + LEASE
    assert seen["other"] is None


def test_the_lease_is_a_setting(make_app, sqlite_url, monkeypatch):
    monkeypatch.setenv("TENPOINT_JOB_LEASE_SECONDS", "5")
    assert make_app(sqlite_url).config["JOB_LEASE_SECONDS"] == 5
    monkeypatch.delenv("TENPOINT_JOB_LEASE_SECONDS")
    assert make_app(sqlite_url).config["JOB_LEASE_SECONDS"] == 300
