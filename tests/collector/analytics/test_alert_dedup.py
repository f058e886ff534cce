"""Alerts are told once per shift: not again each day it lasts, again when it deepens, and
anew when it ended and a shift starts again. Days pass on an injected clock; the daily job
runs as the worker would run it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from collector.analytics.alerts import (
    AlertSettings,
    OpenAlert,
    Reading,
    check_survey,
    decide,
    schedule_alerts,
)
from collector.analytics.statistics import NpsCounts, category_of, compare
from collector.core.extensions import db
from collector.delivery.jobs import run_due_jobs
from collector.models import AuditEntry, Job, Response, Site, Survey
from tests.collector.conftest import START, Stage

# Ten answers a day: promoters (10), passives (8), detractors (3).
USUAL = (6, 3, 1)  # NPS +50
BAD = (2, 3, 5)  # NPS -30
Plan = Callable[[int], tuple[int, int, int]]


def _store_days(stage: Stage, plan: Plan, days: range) -> None:
    with stage.app.app_context():
        survey = db.session.scalars(select(Survey).where(
            Survey.site_id == stage.keys.site_id)).one()
        for day in days:
            promoters, passives, detractors = plan(day)
            scores = [10] * promoters + [8] * passives + [3] * detractors
            for minute, score in enumerate(scores):
                at = START + timedelta(days=day, minutes=minute)
                db.session.add(Response(
                    site_id=survey.site_id, survey_id=survey.id,
                    survey_version_id=survey.current_version_id, score=score,
                    category=category_of(score), channel="in_app", answers={},
                    properties={}, verdict="accepted", verdict_reasons=[],
                    created_at=at, updated_at=at))
        db.session.commit()


def _run_days(stage: Stage, days: range) -> tuple[list[tuple[int, str, str]], int]:
    """Run the daily check at the start of each day; returns the alerts told, as (day,
    status, direction), and on how many days the window differed significantly."""
    told: list[tuple[int, str, str]] = []
    significant_days = 0
    with stage.app.app_context():
        site = db.session.get(Site, stage.keys.site_id)
        survey = db.session.scalars(select(Survey)).one()
        for day in days:
            now = START + timedelta(days=day)
            schedule_alerts(db.session, now)  # as the worker does; a no-op once queued
            db.session.commit()
            seen = db.session.scalar(select(Job.id).order_by(Job.id.desc()).limit(1)) or 0
            run_due_jobs(db.session, now)
            significant_days += check_survey(db.session, site, survey, now) is not None
            for job in db.session.scalars(select(Job).where(
                    Job.id > seen, Job.kind == "event.dispatch").order_by(Job.id)):
                if job.payload["type"] == "alert.nps_shift":
                    data = job.payload["data"]
                    told.append((day, data["status"], data["direction"]))
    return told, significant_days


def _actions(stage: Stage) -> list[str]:
    with stage.app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).where(
            AuditEntry.entity_type == "nps_alert").order_by(AuditEntry.id)))


def test_a_lasting_drop_is_told_once_and_once_more_when_it_deepens(any_stage: Stage) -> None:
    plan: Plan = lambda day: BAD if day >= 40 else USUAL  # noqa: E731
    _store_days(any_stage, plan, range(0, 100))
    told, significant_days = _run_days(any_stage, range(35, 100))
    # The drop shows two days in, at -23 points; three days later the window holds
    # mostly bad days and is itself significantly worse than the one first told.
    assert told == [(42, "new", "down"), (45, "deepened", "down")]
    assert significant_days >= 25  # without the rule: an alert on each of these days
    # Once the baseline holds the new level, the shift is over (silently).
    assert _actions(any_stage) == ["alert.opened", "alert.deepened", "alert.cleared"]


def test_a_recovery_is_news_and_a_drop_after_it_alerts_again(stage: Stage) -> None:
    plan: Plan = lambda day: BAD if 40 <= day < 75 or day >= 140 else USUAL  # noqa: E731
    _store_days(stage, plan, range(0, 150))
    told, _ = _run_days(stage, range(35, 150))
    assert [(status, direction) for _, status, direction in told] == [
        ("new", "down"), ("deepened", "down"),  # the drop
        ("new", "up"), ("deepened", "up"),  # the recovery, against a baseline of bad days
        ("new", "down"), ("deepened", "down"),  # the same drop again, after it had ended
    ]
    assert told[-2][0] == 142


def test_noise_raises_no_alert_on_any_day(any_stage: Stage) -> None:
    wobble = [(6, 3, 1), (5, 3, 2), (7, 2, 1), (6, 2, 2), (5, 4, 1)]  # NPS +30 to +60
    _store_days(any_stage, lambda day: wobble[day % 5], range(0, 90))
    told, _ = _run_days(any_stage, range(35, 90))
    assert told == []
    assert _actions(any_stage) == []


def test_the_alert_says_what_it_is(stage: Stage) -> None:
    _store_days(stage, lambda day: BAD if day >= 40 else USUAL, range(0, 46))
    _run_days(stage, range(35, 46))
    with stage.app.app_context():
        alerts = [j.payload["data"] for j in db.session.scalars(
            select(Job).where(Job.kind == "event.dispatch").order_by(Job.id))
            if j.payload["type"] == "alert.nps_shift"]
    first, deeper = alerts
    assert first["status"] == "new" and first["opened_at"] == (START + timedelta(days=42)
                                                               ).isoformat()
    assert deeper["status"] == "deepened" and deeper["opened_at"] == first["opened_at"]
    assert deeper["previous_difference"] == first["difference"]
    assert deeper["difference"] < first["difference"] < 0
    assert {"survey", "z", "p_value", "alpha", "window", "baseline"} <= deeper.keys()


# --- the rule itself, pure ------------------------------------------------------------------

RULES = AlertSettings(alpha=0.05, min_n=30, window=timedelta(days=7),
                      baseline=timedelta(days=28), enabled=True, clear_alpha=0.2)
REPORTED = NpsCounts(40, 20, 40)


def _reading(window: tuple[int, int, int], baseline: tuple[int, int, int]) -> Reading:
    counts = NpsCounts(*window)
    return Reading(compare(counts, NpsCounts(*baseline)), counts)


def _open(direction: str = "down", reported: NpsCounts = REPORTED) -> OpenAlert:
    return OpenAlert(direction, START, reported, -20.0)


def test_too_few_answers_change_nothing() -> None:
    assert decide(_open(), None, RULES) == decide(None, None, RULES)
    assert decide(_open(), None, RULES).close is None


def test_a_shift_in_the_band_between_alpha_and_clear_alpha_keeps_the_alert_open() -> None:
    reading = _reading((50, 20, 30), (60, 20, 20))  # down, p about 0.12
    assert 0.05 < reading.comparison.p_value < 0.2
    step = decide(_open(), reading, RULES)
    assert (step.close, step.alert) == (None, None)
    assert decide(None, reading, RULES).alert is None


def test_a_reversal_closes_the_alert_and_may_open_the_other_one() -> None:
    reading = _reading((70, 20, 10), (40, 20, 40))
    step = decide(_open("down"), reading, RULES)
    assert (step.close, step.alert) == ("reversed", "new")


def test_deepening_must_be_significant_against_the_window_told() -> None:
    slightly_worse = _reading((38, 20, 42), (60, 20, 20))
    much_worse = _reading((15, 20, 65), (60, 20, 20))
    assert decide(_open(), slightly_worse, RULES).alert is None
    assert decide(_open(), much_worse, RULES).alert == "deepened"
