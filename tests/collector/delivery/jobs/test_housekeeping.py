"""Housekeeping: old idempotency records and finished jobs go, everything else stays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import func, select

from collector.core.extensions import db
from collector.core.rows import insert_row
from collector.delivery.jobs import run_due_jobs
from collector.delivery.periodic import ensure_periodic
from collector.governance import housekeeping
from collector.models import IdempotencyRecord, Job
from tests.factories import make_site

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _record(site_id: int, key: str, age: timedelta) -> None:
    insert_row(db.session, IdempotencyRecord, site_id=site_id, endpoint="responses.create",
               key=key, request_hash="h", status_code=201, body={"id": 1},
               created_at=NOW - age)


def _job(status: str, age: timedelta, kind: str = "webhook.deliver") -> None:
    insert_row(db.session, Job, kind=kind, payload={}, status=status, run_at=NOW - age,
               attempts=1, created_at=NOW - age, updated_at=NOW - age)


def _keys() -> set[str]:
    return set(db.session.scalars(select(IdempotencyRecord.key)))


def _jobs() -> list[tuple[str, datetime]]:
    return sorted((status, run_at) for status, run_at in db.session.execute(
        select(Job.status, Job.run_at).where(Job.kind == "webhook.deliver")))


def test_old_records_and_done_jobs_go_the_rest_stays(any_app: Flask) -> None:
    with any_app.app_context():
        site = make_site(db.session)
        _record(site.site_id, "fresh", timedelta(days=29))
        _record(site.site_id, "old", timedelta(days=31))
        for status in ("done", "dead", "queued", "running"):
            _job(status, timedelta(days=20))
        _job("done", timedelta(days=10))
        db.session.commit()

        result = housekeeping.prune(db.session, NOW, idempotency_keep=timedelta(days=30),
                                    jobs_keep=timedelta(days=14))
        db.session.commit()

        assert (result.idempotency_records, result.jobs) == (1, 1)
        assert _keys() == {"fresh"}
        assert _jobs() == sorted([("dead", NOW - timedelta(days=20)),
                                  ("queued", NOW - timedelta(days=20)),
                                  ("running", NOW - timedelta(days=20)),
                                  ("done", NOW - timedelta(days=10))])


def test_a_job_is_kept_from_when_it_finished_not_from_when_it_was_due(any_app: Flask) -> None:
    with any_app.app_context():
        insert_row(db.session, Job, kind="webhook.deliver", payload={}, status="done",
                   run_at=NOW - timedelta(days=40), attempts=9,
                   created_at=NOW - timedelta(days=40), updated_at=NOW - timedelta(days=1))
        db.session.commit()
        result = housekeeping.prune(db.session, NOW, idempotency_keep=timedelta(days=30),
                                    jobs_keep=timedelta(days=14))
        assert result.jobs == 0


def test_done_jobs_are_kept_at_least_two_days_whatever_the_setting(any_app: Flask) -> None:
    """The periodic scheduler finds a daily job's next run from its last finished run."""
    with any_app.app_context():
        _job("done", timedelta(days=1))
        _job("done", timedelta(days=3))
        db.session.commit()
        housekeeping.prune(db.session, NOW, idempotency_keep=timedelta(days=30),
                           jobs_keep=timedelta(0))
        db.session.commit()
        assert _jobs() == [("done", NOW - timedelta(days=1))]


def test_idempotency_records_are_kept_at_least_eight_days_whatever_the_setting(
        any_app: Flask) -> None:
    """The widget retries an unsent answer for up to a week; its record must still answer."""
    with any_app.app_context():
        site = make_site(db.session)
        _record(site.site_id, "a-week-old", timedelta(days=7, hours=23))
        _record(site.site_id, "nine-days-old", timedelta(days=9))
        db.session.commit()
        housekeeping.prune(db.session, NOW, idempotency_keep=timedelta(days=1),
                           jobs_keep=timedelta(days=14))
        db.session.commit()
        assert _keys() == {"a-week-old"}


def test_a_capped_run_queues_the_next_one_soon_until_the_backlog_is_gone(
        make_app: object, sqlite_url: str) -> None:
    app = make_app(sqlite_url, IDEMPOTENCY_KEEP_DAYS=1)  # type: ignore[operator]
    with app.app_context():
        site = make_site(db.session)
        for number in range(5):
            _record(site.site_id, f"k{number}", timedelta(days=10))
        db.session.add(Job(kind=housekeeping.KIND, payload={"batch": 3}, status="queued",
                           run_at=NOW, attempts=0, dedupe_key=housekeeping.KIND,
                           created_at=NOW, updated_at=NOW))
        db.session.commit()

        assert run_due_jobs(db.session, NOW) == 1
        db.session.commit()
        assert len(_keys()) == 2
        successor = db.session.scalars(select(Job).where(
            Job.kind == housekeeping.KIND, Job.status == "queued")).one()
        assert successor.run_at == NOW + housekeeping.SOON

        later = NOW + housekeeping.SOON
        assert run_due_jobs(db.session, later) == 1
        db.session.commit()
        assert _keys() == set()
        # Nothing left over: the next run is the hourly one the scheduler queues.
        assert db.session.scalar(select(func.count()).select_from(Job).where(
            Job.kind == housekeeping.KIND, Job.status == "queued")) == 0
        ensure_periodic(db.session, later)
        db.session.commit()
        hourly = db.session.scalars(select(Job).where(
            Job.kind == housekeeping.KIND, Job.status == "queued")).one()
        assert hourly.run_at == later + housekeeping.EVERY
