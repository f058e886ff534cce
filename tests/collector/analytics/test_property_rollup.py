"""``group_by=property:<name>`` read from the per-property roll-up gives exactly the figures,
keys and order of one raw scan, on both databases, for any span, weighting and mix of
string, number, boolean and missing values; listing, unlisting and overflowing names; and
answers keep the property they were given, whatever happens to the person later."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from collector.analytics import rollup_builder as rollup
from collector.analytics.metrics import MetricsQuery, nps_report, scan_report
from collector.analytics.rollup_builder import mark_days_dirty, refresh_rollup
from collector.analytics.statistics import category_of
from collector.core.extensions import db
from collector.models import NpsDailyRollup, NpsRollupDirtyDay, NpsRollupState, Response, Site
from collector.models.rollup import NpsPropertyRollup, NpsRollupProperty
from tests.collector.analytics.test_metrics_rollup import (
    BASE,
    _survey_ids,
    assert_same,
    moments,
)
from tests.collector.conftest import START, Stage

MISSING = object()
# Strings that sort differently by code point than by locale; numbers, which group as
# their text ("10" before "9"; 9 and "9" one group, 9.0 another); booleans ("1"/"0" on
# SQLite, "true"/"false" on PostgreSQL); JSON null and a missing property (both null).
VALUES = ["free", "pro", "Pro", "équipe", "9", 9, 9.0, 10, 2.5, -1, True, False, None,
          MISSING]


def _list_properties(session: Session, site_id: int, names: list[str]) -> None:
    site = session.get(Site, site_id)
    assert site is not None
    site.settings = {**(site.settings or {}), "rollup_properties": names}
    session.flush()


def _status(session: Session, site_id: int, name: str) -> str | None:
    return session.scalar(select(NpsRollupProperty.status).where(
        NpsRollupProperty.site_id == site_id, NpsRollupProperty.name == name))


answers = st.lists(st.tuples(
    st.integers(0, 10),                                    # score
    st.integers(0, 20 * 24 * 60 - 1),                     # minute within 20 days
    st.sampled_from(VALUES),                              # plan
    st.sampled_from([None, 0.0, 40.0, 250.25]),           # value
    st.sampled_from(["accepted", "accepted", "released", "quarantined", "rejected"]),
), min_size=0, max_size=40)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=answers, later=answers, since=moments, until=moments, weighted=st.booleans(),
       mark=st.integers(0, 19), whole_survey=st.booleans())
def test_the_property_rollup_gives_the_raw_figures(any_stage: Stage, first: list[Any],
                                                   later: list[Any], since: datetime | None,
                                                   until: datetime | None, weighted: bool,
                                                   mark: int, whole_survey: bool) -> None:
    with any_stage.app.app_context():
        session = db.session
        site_id = any_stage.keys.site_id
        survey_id, version_id = _survey_ids(session, site_id)
        for table in (Response, NpsDailyRollup, NpsPropertyRollup, NpsRollupProperty,
                      NpsRollupDirtyDay, NpsRollupState):
            session.execute(delete(table))
        _list_properties(session, site_id, ["plan"])

        def store(rows: list[Any]) -> None:
            if rows:
                session.execute(insert(Response), [{
                    "site_id": site_id, "survey_id": survey_id,
                    "survey_version_id": version_id, "score": score,
                    "category": category_of(score), "answers": {},
                    "properties": {} if plan is MISSING else {"plan": plan, "other": 1},
                    "channel": "in_app", "value": value, "verdict": verdict,
                    "verdict_reasons": [], "created_at": BASE + timedelta(minutes=minute),
                    "updated_at": BASE,
                } for score, minute, plan, value, verdict in rows])

        spec = MetricsQuery(site_id, None if whole_survey else survey_id, since, until,
                            "property:plan", weighted)
        store(first)
        assert_same(nps_report(session, spec), scan_report(session, spec))
        refresh_rollup(session, BASE, settled=True)
        assert _status(session, site_id, "plan") == "ready"
        assert_same(nps_report(session, spec), scan_report(session, spec))
        # Newer answers above the watermark, and an old day changed under the roll-up.
        store(later)
        day = BASE + timedelta(days=mark)
        session.execute(update(Response).where(
            Response.verdict == "quarantined", Response.created_at >= day,
            Response.created_at < day + timedelta(days=1)).values(verdict="released"))
        mark_days_dirty(session, site_id, survey_id, [day.date()])
        assert_same(nps_report(session, spec), scan_report(session, spec))
        refresh_rollup(session, BASE, settled=True)
        assert_same(nps_report(session, spec), scan_report(session, spec))
        session.rollback()


def _plans(stage: Stage, **params: Any) -> dict[str | None, int]:
    body = stage.get("/v1/metrics/nps", group_by="property:plan", **params).json
    return {group["key"]: group["n"] for group in body["groups"]}


def _refresh(stage: Stage, names: list[str] | None = None) -> None:
    with stage.app.app_context():
        if names is not None:
            _list_properties(db.session, stage.keys.site_id, names)
        refresh_rollup(db.session, START, settled=True)
        db.session.commit()


def test_a_listed_property_is_filled_by_the_next_run_and_read_from_the_rollup(
        any_stage: Stage) -> None:
    for plan, score in (("pro", 10), ("pro", 9), ("free", 3)):
        any_stage.add(score, at=START - timedelta(days=3), properties={"plan": plan})
    _refresh(any_stage)
    with any_stage.app.app_context():
        assert _status(db.session, any_stage.keys.site_id, "plan") is None  # not listed
    assert _plans(any_stage) == {"free": 1, "pro": 2}
    _refresh(any_stage, ["plan"])
    with any_stage.app.app_context():
        session = db.session
        assert _status(session, any_stage.keys.site_id, "plan") == "ready"
        rows = session.execute(select(NpsPropertyRollup.value, NpsPropertyRollup.promoters)
                               .order_by(NpsPropertyRollup.value)).all()
        assert [tuple(row) for row in rows] == [("free", 0), ("pro", 2)]
        # Proof the report reads these rows: a row altered by hand shows in the answer.
        session.execute(update(NpsPropertyRollup).where(NpsPropertyRollup.value == "pro")
                        .values(promoters=NpsPropertyRollup.promoters + 5))
        session.commit()
    assert _plans(any_stage) == {"free": 1, "pro": 7}


def test_an_unlisted_property_loses_its_rows_and_reads_raw(any_stage: Stage) -> None:
    any_stage.add(10, at=START - timedelta(days=2), properties={"plan": "pro"})
    _refresh(any_stage, ["plan", "team"])
    _refresh(any_stage, ["team"])
    with any_stage.app.app_context():
        session = db.session
        assert _status(session, any_stage.keys.site_id, "plan") is None
        names = session.scalars(select(NpsPropertyRollup.name).distinct()).all()
        assert names == ["team"]
    assert _plans(any_stage) == {"pro": 1}


def test_a_property_with_too_many_values_overflows_to_the_raw_scan(
        any_stage: Stage, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rollup, "MAX_PROPERTY_VALUES", 3)
    for number in range(3):
        any_stage.add(10, at=START - timedelta(days=40 + number),
                      properties={"plan": f"p{number}"})
    _refresh(any_stage, ["plan"])
    with any_stage.app.app_context():
        assert _status(db.session, any_stage.keys.site_id, "plan") == "ready"
    any_stage.add(0, at=START - timedelta(days=1), properties={"plan": "p3"})
    _refresh(any_stage)
    with any_stage.app.app_context():
        session = db.session
        row = session.scalars(select(NpsRollupProperty)).one()
        assert (row.status, row.distinct_values) == ("overflow", 4)
        assert session.scalar(select(func.count()).select_from(NpsPropertyRollup)) == 0
    assert _plans(any_stage) == {"p0": 1, "p1": 1, "p2": 1, "p3": 1}
    any_stage.add(0, at=START - timedelta(hours=1), properties={"plan": "p0"})
    _refresh(any_stage)  # an overflowed name stays out of the roll-up
    with any_stage.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(NpsPropertyRollup)) == 0
    assert _plans(any_stage)["p0"] == 2


def test_an_answer_keeps_the_property_it_was_given(any_stage: Stage) -> None:
    any_stage.add(10, at=START - timedelta(days=2), user_id="ann",
                  properties={"plan": "free"})
    _refresh(any_stage, ["plan"])
    upgraded = any_stage.client.post("/v1/people", json={"user_id": "ann",
                                                         "properties": {"plan": "pro"}},
                                     headers=any_stage.keys.auth("admin"))
    assert upgraded.status_code == 200
    any_stage.add(9, at=START - timedelta(days=1), user_id="ann",
                  properties={"plan": "pro"})
    assert _plans(any_stage) == {"free": 1, "pro": 1}
    _refresh(any_stage)
    assert _plans(any_stage) == {"free": 1, "pro": 1}


def test_an_erasure_after_the_rollup_shows_at_once(any_stage: Stage) -> None:
    any_stage.add(10, at=START - timedelta(days=3), user_id="ann",
                  properties={"plan": "enterprise"})
    any_stage.add(0, at=START - timedelta(days=3), user_id="bob", properties={"plan": "free"})
    _refresh(any_stage, ["plan"])
    assert _plans(any_stage) == {"enterprise": 1, "free": 1}
    erased = any_stage.client.delete("/v1/people/ann", headers=any_stage.keys.auth("admin"))
    assert erased.status_code == 200
    assert _plans(any_stage) == {None: 1, "free": 1}
    _refresh(any_stage)
    assert _plans(any_stage) == {None: 1, "free": 1}
    with any_stage.app.app_context():
        values = db.session.scalars(select(NpsPropertyRollup.value)).all()
        assert "enterprise" not in values
