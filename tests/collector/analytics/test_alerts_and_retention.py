"""Jobs: significance alerts fire only on real shifts; retention drops and anonymises."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from collector.analytics.alerts import check_site, schedule_alerts
from collector.core.extensions import db
from collector.delivery.jobs import run_due_jobs
from collector.governance.retention import schedule_retention
from collector.models import AuditEntry, Job, Person, Response, Site
from collector.people.lookup import find_person
from tests.collector.conftest import START, Stage

NOW = START + timedelta(days=40)


def _run_all(moment: object) -> None:
    """Run every due job, the answers' own events included, until none is left."""
    for _ in range(50):
        if not run_due_jobs(db.session, moment):  # type: ignore[arg-type]
            return


def _answers(stage: Stage, scores: list[int], days_ago: float) -> None:
    for index, score in enumerate(scores):
        stage.add(score, at=NOW - timedelta(days=days_ago, minutes=index))


def _run_alerts(stage: Stage) -> list[dict[str, Any]]:
    with stage.app.app_context():
        schedule_alerts(db.session, NOW)
        db.session.commit()
        _run_all(NOW)
        events = [job.payload for job in db.session.scalars(
            select(Job).where(Job.kind == "event.dispatch").order_by(Job.id))]
        next_check = db.session.scalars(select(Job.run_at).where(
            Job.kind == "alerts.check", Job.status == "queued")).all()
        assert next_check == [NOW + timedelta(days=1)]  # the check queues tomorrow's
    return [event for event in events if event["type"] == "alert.nps_shift"]


def test_a_real_drop_raises_an_alert(any_stage: Stage) -> None:
    _answers(any_stage, [10] * 25 + [8] * 10 + [3] * 5, days_ago=20)  # baseline: NPS 50
    _answers(any_stage, [10] * 8 + [8] * 10 + [3] * 22, days_ago=2)  # this week: NPS -35
    alerts = _run_alerts(any_stage)
    assert len(alerts) == 1
    data = alerts[0]["data"]
    assert data["survey"] == "nps" and data["direction"] == "down"
    assert data["window"]["n"] == 40 and data["baseline"]["n"] == 40
    assert data["window"]["nps"] == -35.0 and data["p_value"] < 0.05


def test_a_fluctuation_within_noise_raises_nothing(any_stage: Stage) -> None:
    _answers(any_stage, [10] * 20 + [8] * 10 + [3] * 10, days_ago=20)  # NPS 25
    _answers(any_stage, [10] * 17 + [8] * 12 + [3] * 11, days_ago=2)  # NPS 15
    assert _run_alerts(any_stage) == []


def test_too_few_answers_raise_nothing_however_large_the_shift(stage: Stage) -> None:
    with stage.app.app_context():
        site = db.session.get(Site, stage.keys.site_id)
        assert site is not None
        site.settings = {"alert_min_n": 50}
        db.session.commit()
    _answers(stage, [10] * 40, days_ago=20)
    _answers(stage, [0] * 40, days_ago=2)
    assert _run_alerts(stage) == []


def test_alpha_is_a_site_setting(stage: Stage) -> None:
    _answers(stage, [10] * 20 + [8] * 10 + [3] * 10, days_ago=20)
    _answers(stage, [10] * 10 + [8] * 10 + [3] * 20, days_ago=2)  # p is about 0.009
    with stage.app.app_context():
        site = db.session.get(Site, stage.keys.site_id)
        assert site is not None
        site.settings = {"alert_alpha": 0.001}
        db.session.commit()
    assert _run_alerts(stage) == []
    with stage.app.app_context():
        site = db.session.get(Site, stage.keys.site_id)
        assert site is not None
        site.settings = {"alert_alpha": 0.01}
        assert len(check_site(db.session, site, NOW)) == 1


def test_retention_drops_old_comments_and_anonymises_inactive_people(any_stage: Stage) -> None:
    with any_stage.app.app_context():
        site = db.session.get(Site, any_stage.keys.site_id)
        assert site is not None
        site.settings = {"retention_comment_days": 30, "retention_anonymise_days": 365}
        db.session.commit()
    old = any_stage.add(3, at=NOW - timedelta(days=400), comment="old", user_id="gone",
                        email="gone@example.com")
    recent = any_stage.add(9, at=NOW - timedelta(days=5), comment="fresh", user_id="here",
                           email="here@example.com")
    with any_stage.app.app_context():
        schedule_retention(db.session, NOW)
        db.session.commit()
        _run_all(NOW)
        comments = dict(db.session.execute(select(Response.id, Response.comment)).all())
        assert comments == {old: None, recent: "fresh"}
        gone = find_person(db.session, any_stage.keys.site_id, user_id="gone")
        here = find_person(db.session, any_stage.keys.site_id, user_id="here")
        assert gone is not None and gone.erased_at is not None
        assert gone.shown_email is None and gone.email != "gone@example.com"
        assert here is not None and here.erased_at is None
        assert here.email == "here@example.com"
        entry = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "retention.applied")).one()
        assert entry.changes == {"comments_dropped": 1, "people_anonymised": 1}
        assert entry.actor == "system"


def test_without_retention_settings_nothing_is_dropped(stage: Stage) -> None:
    stage.add(3, at=NOW - timedelta(days=4000), comment="kept", user_id="old")
    with stage.app.app_context():
        schedule_retention(db.session, NOW)
        db.session.commit()
        _run_all(NOW)
        assert db.session.scalars(select(Response.comment)).all() == ["kept"]
        assert db.session.scalars(select(Person.erased_at)).all() == [None]


def test_scheduling_twice_queues_one_job(stage: Stage) -> None:
    with stage.app.app_context():
        assert schedule_alerts(db.session, NOW) == 1
        db.session.commit()
        assert schedule_alerts(db.session, NOW) == 0
