"""The daily roll-up gives exactly the figures of the raw computation, before and after the
job ran, for any span (day-aligned or not), grouping and weighting, on both databases; and
changes to old answers (a release, an erasure) show at once."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from collector.analytics.metrics import MetricsQuery, NpsReport, nps_report
from collector.analytics.rollup_builder import (
    KIND,
    mark_days_dirty,
    refresh_rollup,
    schedule_rollup,
)
from collector.analytics.statistics import category_of
from collector.core.extensions import db
from collector.delivery.jobs import run_due_jobs
from collector.models import (
    Job,
    NpsDailyRollup,
    NpsRollupDirtyDay,
    NpsRollupState,
    Response,
    Survey,
)
from tests.collector.conftest import START, Stage

BASE = datetime(2026, 3, 1, tzinfo=UTC)
ROLLED_GROUPS = [None, "touchpoint", "channel", "locale", "day", "week", "month"]


def _flat(report: NpsReport) -> list[Any]:
    out: list[Any] = [report.quarantined]
    for figures in [report.overall, *report.groups]:
        summary = figures.summary()
        out += [summary["key"], summary["promoters"], summary["passives"],
                summary["detractors"], figures.quarantined, summary["nps"],
                summary["standard_error"], summary["effective_n"],
                (summary["interval"] or {}).get("low"), (summary["interval"] or {}).get("high")]
    return out


def assert_same(rolled: NpsReport, raw: NpsReport) -> None:
    """Counts and keys equal; weighted figures equal up to the order floats were added in."""
    left, right = _flat(rolled), _flat(raw)
    assert len(left) == len(right), (left, right)
    for a, b in zip(left, right, strict=True):
        if isinstance(a, float) or isinstance(b, float):
            assert a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9,
                                                                    abs_tol=1e-9), (a, b)
        else:
            assert a == b, (left, right)


def raw_report(session: Session, spec: MetricsQuery) -> NpsReport:
    """What the raw path computes: the same report with the roll-up hidden (watermark 0)."""
    with session.begin_nested() as savepoint:
        session.execute(update(NpsRollupState).values(watermark=0))
        report = nps_report(session, spec)
        savepoint.rollback()
    return report


def _survey_ids(session: Session, site_id: int) -> tuple[int, int]:
    survey = session.scalars(select(Survey).where(Survey.site_id == site_id)).one()
    assert survey.current_version_id is not None
    return survey.id, survey.current_version_id


answers = st.lists(st.tuples(
    st.integers(0, 10),                                    # score
    st.integers(0, 20 * 24 * 60 - 1),                     # minute within 20 days
    st.sampled_from(["checkout", "support", None]),       # touchpoint
    st.sampled_from(["in_app", "email"]),                 # channel
    st.sampled_from(["en", "de", None]),                  # locale
    st.sampled_from([None, 0.0, 1.5, 40.0, 250.25]),      # value
    st.sampled_from(["accepted", "accepted", "released", "quarantined", "rejected"]),
), min_size=0, max_size=40)
moments = st.one_of(st.none(), st.integers(-2 * 24 * 60, 22 * 24 * 60).map(
    lambda minutes: BASE + timedelta(minutes=minutes)))


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=answers, later=answers, since=moments, until=moments,
       group_by=st.sampled_from(ROLLED_GROUPS), weighted=st.booleans(),
       mark=st.integers(0, 19))
def test_the_rollup_gives_the_raw_figures(any_stage: Stage, first: list[Any],
                                          later: list[Any], since: datetime | None,
                                          until: datetime | None, group_by: str | None,
                                          weighted: bool, mark: int) -> None:
    with any_stage.app.app_context():
        session = db.session
        site_id = any_stage.keys.site_id
        survey_id, version_id = _survey_ids(session, site_id)
        for table in (Response, NpsDailyRollup, NpsRollupDirtyDay, NpsRollupState):
            session.execute(delete(table))

        def store(rows: list[Any]) -> None:
            if rows:
                session.execute(insert(Response), [{
                    "site_id": site_id, "survey_id": survey_id,
                    "survey_version_id": version_id, "score": score,
                    "category": category_of(score), "answers": {}, "properties": {},
                    "touchpoint": touchpoint, "channel": channel, "locale": locale,
                    "value": value, "verdict": verdict, "verdict_reasons": [],
                    "created_at": BASE + timedelta(minutes=minute), "updated_at": BASE,
                } for score, minute, touchpoint, channel, locale, value, verdict in rows])

        spec = MetricsQuery(site_id, survey_id, since, until, group_by, weighted)
        store(first)
        before = nps_report(session, spec)  # nothing rolled up yet: the raw path
        refresh_rollup(session, BASE, settled=True)
        assert_same(nps_report(session, spec), before)
        assert_same(nps_report(session, spec), raw_report(session, spec))
        # Newer answers above the watermark, and an old day changed under the roll-up.
        store(later)
        day = (BASE + timedelta(days=mark)).date()
        session.execute(update(Response).where(
            Response.verdict == "quarantined",
            func.date(Response.created_at) == day.isoformat()
            if session.get_bind().dialect.name == "sqlite"
            else func.date(Response.created_at) == day).values(verdict="released"))
        mark_days_dirty(session, site_id, survey_id, [day])
        assert_same(nps_report(session, spec), raw_report(session, spec))
        refresh_rollup(session, BASE, settled=True)
        assert_same(nps_report(session, spec), raw_report(session, spec))
        session.rollback()


def test_a_release_after_the_rollup_counts_at_once(any_stage: Stage) -> None:
    for hours in range(3):
        any_stage.add(10, at=START - timedelta(days=2, hours=hours), touchpoint="checkout")
    held = any_stage.add(0, at=START - timedelta(days=2), verdict="quarantined",
                         touchpoint="checkout")
    _refresh(any_stage)
    span = {"since": (START - timedelta(days=5)).isoformat(), "until": START.isoformat(),
            "group_by": "touchpoint"}
    before = any_stage.get("/v1/metrics/nps", **span).json
    assert (before["total"], before["quarantined"], before["nps"]) == (3, 1, 100.0)
    released = any_stage.client.post(f"/v1/responses/{held}/release",
                                      headers=any_stage.keys.auth("admin"))
    assert released.status_code == 200
    after = any_stage.get("/v1/metrics/nps", **span).json
    assert (after["total"], after["quarantined"], after["nps"]) == (4, 0, 50.0)
    _refresh(any_stage)
    assert any_stage.get("/v1/metrics/nps", **span).json == after


def test_an_erasure_after_the_rollup_shows_at_once(any_stage: Stage) -> None:
    any_stage.add(10, at=START - timedelta(days=3), user_id="ann", locale="de", value=90.0)
    any_stage.add(0, at=START - timedelta(days=3), user_id="bob", locale="de", value=10.0)
    _refresh(any_stage)
    span = {"since": (START - timedelta(days=7)).isoformat(), "until": START.isoformat(),
            "group_by": "locale", "weight": "value"}
    before = any_stage.get("/v1/metrics/nps", **span).json
    assert [g["key"] for g in before["groups"]] == ["de"]
    assert before["nps"] == pytest.approx(80.0)
    erased = any_stage.client.delete("/v1/people/ann", headers=any_stage.keys.auth("admin"))
    assert erased.status_code == 200
    after = any_stage.get("/v1/metrics/nps", **span).json
    # Ann's answer lost its locale and its value: a group of its own, weighing nothing.
    assert sorted(str(g["key"]) for g in after["groups"]) == ["None", "de"]
    assert after["nps"] == pytest.approx(-100.0) and after["n"] == 2
    _refresh(any_stage)
    assert any_stage.get("/v1/metrics/nps", **span).json == after


def test_partial_days_at_the_edges_are_counted_exactly(any_stage: Stage) -> None:
    day = START.replace(hour=0)
    for hour, score in ((1, 0), (11, 10), (23, 9)):
        any_stage.add(score, at=day + timedelta(hours=hour))
        any_stage.add(score, at=day + timedelta(days=1, hours=hour))
    _refresh(any_stage)
    body = any_stage.get("/v1/metrics/nps", since=(day + timedelta(hours=10)).isoformat(),
                         until=(day + timedelta(days=1, hours=12)).isoformat(),
                         group_by="day").json
    assert [(g["key"], g["n"]) for g in body["groups"]] == [
        (day.date().isoformat(), 2), ((day + timedelta(days=1)).date().isoformat(), 2)]
    assert body["promoters"] == 3 and body["detractors"] == 1


def test_the_job_rolls_up_what_the_previous_run_saw_and_requeues(any_stage: Stage) -> None:
    any_stage.add(10, at=START - timedelta(days=1))
    any_stage.add(3, at=START - timedelta(days=1))
    with any_stage.app.app_context():
        session = db.session
        assert schedule_rollup(session, START) == 1
        assert schedule_rollup(session, START) == 0  # one pending run is enough
        session.commit()
        run_due_jobs(session, START)
        state = session.get(NpsRollupState, 1)
        # The first run only notes the newest id (a lower one may still be in flight).
        assert state is not None and state.watermark == 0 and state.horizon > 0
        run_due_jobs(session, START + timedelta(seconds=11))
        session.refresh(state)
        assert state.watermark == state.horizon
        rolled = session.scalar(select(func.sum(NpsDailyRollup.promoters
                                                + NpsDailyRollup.detractors)))
        assert rolled == 2
        queued = session.scalar(select(func.count()).select_from(Job).where(
            Job.kind == KIND, Job.status == "queued"))
        assert queued == 1


def _refresh(stage: Stage) -> None:
    with stage.app.app_context():
        refresh_rollup(db.session, START, settled=True)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(NpsDailyRollup)) > 0
