"""The worker keeps exactly one queued instance of every periodic job, however many run."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from collector.analytics import alerts
from collector.analytics import rollup_builder as rollup
from collector.core.extensions import db
from collector.delivery.jobs import enqueue, enqueue_once
from collector.delivery.periodic import PERIODIC, ensure_periodic
from collector.eligibility import invitations
from collector.followups import digest, overdue
from collector.governance import housekeeping, retention
from collector.models import Job
from tests.factories import make_site

DAILY = {alerts.KIND, retention.KIND}


def _queued(app) -> Counter[str]:
    with app.app_context():
        return Counter(db.session.scalars(select(Job.dedupe_key).where(
            Job.status == "queued", Job.dedupe_key.is_not(None))))


def test_a_starting_worker_queues_every_periodic_job(clocked_app, make_worker, clock):
    with clocked_app.app_context():
        site = make_site(db.session)
    make_worker(clocked_app, periodic=ensure_periodic).tick()
    assert _queued(clocked_app) == {alerts.KIND: 1, retention.KIND: 1,
                                    invitations.EXPIRE_JOB: 1, rollup.KIND: 1,
                                    housekeeping.KIND: 1, overdue.KIND: 1,
                                    f"{digest.KIND}:{site.site_id}": 1}
    with clocked_app.app_context():
        due = dict(db.session.execute(select(Job.kind, Job.run_at).where(
            Job.kind.in_(DAILY | {invitations.EXPIRE_JOB}))).all())
    assert due == {kind: clock() for kind in DAILY | {invitations.EXPIRE_JOB}}


def test_several_workers_scheduling_again_and_again_keep_one_of_each(clocked_app, make_worker):
    with clocked_app.app_context():
        make_site(db.session)
    workers = [make_worker(clocked_app, f"w{n}", periodic=ensure_periodic, periodic_every=0)
               for n in range(3)]
    for worker in workers * 2:
        worker.tick()
    assert set(_queued(clocked_app).values()) == {1}
    assert len(_queued(clocked_app)) == 7


def test_the_database_refuses_a_second_queued_instance(clocked_app, clock):
    with clocked_app.app_context():
        enqueue(db.session, alerts.KIND, {}, now=clock(), dedupe_key=alerts.KIND)
        db.session.commit()
        with pytest.raises(IntegrityError):  # at the insert or, at the latest, the commit
            enqueue(db.session, alerts.KIND, {}, now=clock(), dedupe_key=alerts.KIND)
            db.session.commit()
        db.session.rollback()
        # Done and dead instances do not count: history may hold any number of them.
        db.session.execute(Job.__table__.update().values(status="done"))
        enqueue(db.session, alerts.KIND, {}, now=clock(), dedupe_key=alerts.KIND)
        db.session.commit()


def test_two_schedulers_in_concurrent_transactions_queue_one_job(make_app, postgres_url, clock):
    app = make_app(postgres_url, CLOCK=clock)
    results: list[bool] = []
    with app.app_context():
        first = db.sessionmaker()
        second = db.sessionmaker()
    with first, second:
        # Neither sees the other's uncommitted row; the unique index makes the second wait
        # for the first, then fail, which enqueue_once reports as "already queued".
        assert enqueue_once(first, alerts.KIND, {}, now=clock(), dedupe_key=alerts.KIND)
        first.flush()
        racer = threading.Thread(target=lambda: results.append(enqueue_once(
            second, alerts.KIND, {}, now=clock(), dedupe_key=alerts.KIND)))
        racer.start()
        first.commit()
        racer.join(timeout=30)
        second.commit()
    assert results == [False]
    assert _queued(app) == {alerts.KIND: 1}


def test_a_running_job_queues_its_successor_and_the_scheduler_adds_no_twin(
        clocked_app, make_worker, clock):
    worker = make_worker(clocked_app, periodic=ensure_periodic, periodic_every=0)
    worker.tick()
    worker.run_until_idle()
    with clocked_app.app_context():
        rows = db.session.execute(select(Job.kind, Job.status, Job.run_at).where(
            Job.kind == retention.KIND).order_by(Job.id)).all()
    assert rows == [(retention.KIND, "done", clock()),
                    (retention.KIND, "queued", clock() + retention.EVERY)]
    worker.tick()
    assert _queued(clocked_app)[retention.KIND] == 1


def test_a_worker_that_was_down_catches_up_once(clocked_app, make_worker, clock):
    worker = make_worker(clocked_app, periodic=ensure_periodic, periodic_every=0)
    worker.tick()
    worker.run_until_idle()
    with clocked_app.app_context():
        # Someone deleted the queued successors while the worker was down for three days.
        db.session.execute(Job.__table__.delete().where(Job.status == "queued"))
        db.session.commit()
    clock.advance(days=3)
    worker.tick()
    with clocked_app.app_context():
        queued = db.session.scalars(select(Job.run_at).where(
            Job.kind == alerts.KIND, Job.status == "queued")).all()
    assert queued == [clock()]


def test_analytics_schedule_is_an_alias_of_the_worker_scheduler(app, runner):
    result = runner.invoke(args=["analytics", "schedule"])
    assert result.exit_code == 0, result.output
    assert "Queued 6 job(s)" in result.output
    again = runner.invoke(args=["analytics", "schedule"])
    assert "Queued 0 job(s)" in again.output
    assert set(_queued(app)) == {alerts.KIND, retention.KIND, invitations.EXPIRE_JOB,
                                 rollup.KIND, housekeeping.KIND, overdue.KIND}


def test_every_periodic_job_has_a_handler():
    from collector.delivery.jobs import HANDLERS

    assert set(PERIODIC) <= set(HANDLERS)


def test_a_failed_periodic_run_is_retried_without_a_twin(clocked_app, make_worker, clock):
    from collector.delivery.jobs import handler

    calls: list[int] = []

    @handler("ops.test.flaky")
    def flaky(session, payload, now):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("first run fails")

    from collector.delivery.periodic import every

    PERIODIC["ops.test.flaky"] = every("ops.test.flaky", timedelta(days=1))
    try:
        worker = make_worker(clocked_app, periodic=ensure_periodic, periodic_every=0)
        worker.tick()
        with clocked_app.app_context():
            db.session.execute(Job.__table__.delete().where(Job.kind != "ops.test.flaky"))
            db.session.commit()
        assert worker.run_once() == "queued"  # back in the queue for its retry
        worker.tick()
        assert _queued(clocked_app)["ops.test.flaky"] == 1
    finally:
        del PERIODIC["ops.test.flaky"]


def test_worker_once_runs_the_periodic_jobs_and_leaves_the_next_ones_queued(app, runner):
    with app.app_context():
        make_site(db.session)
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        done = Counter(db.session.scalars(select(Job.kind).where(Job.status == "done")))
    assert done[alerts.KIND] == done[retention.KIND] == done[invitations.EXPIRE_JOB] == 1
    assert set(_queued(app).values()) == {1} and len(_queued(app)) == 5


def test_a_replayed_dead_periodic_job_runs_beside_the_next_scheduled_one(clocked_app, clock):
    from collector.delivery.worker import replay_job

    with clocked_app.app_context():
        dead = enqueue(db.session, alerts.KIND, {}, now=clock(), dedupe_key=alerts.KIND)
        dead.status = "dead"
        db.session.flush()  # enqueue inserts at once; the dead one must be dead by then
        enqueue(db.session, alerts.KIND, {}, now=clock(), dedupe_key=alerts.KIND)
        db.session.commit()
        replay_job(db.session, dead, clock())
        db.session.commit()
        statuses = db.session.scalars(select(Job.status).where(Job.kind == alerts.KIND)).all()
    assert statuses == ["queued", "queued"]
    assert _queued(clocked_app) == {alerts.KIND: 1}
