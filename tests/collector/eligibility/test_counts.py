"""The decision counter: buffered in memory, added up in the database with an UPSERT."""

from __future__ import annotations

import time
from datetime import date

from flask import Flask
from sqlalchemy import select

from collector.core.extensions import db
from collector.eligibility.decision_counts import DecisionCounter
from collector.models import DecisionCount
from tests.factories import make_site, make_survey

DAY = date(2026, 3, 2)


def _ids(app: Flask) -> tuple[int, int]:
    with app.app_context():
        site = make_site(db.session)
        make_survey(db.session, site.site_id)
        from collector.core.survey_lookup import find_survey

        survey = find_survey(db.session, site.site_id, "nps")
        assert survey is not None
        return site.site_id, survey.id


def _stored(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {row.reason: row.count for row in db.session.scalars(select(DecisionCount))}


def test_counters_of_two_processes_add_up_in_one_row(any_app: Flask) -> None:
    site_id, survey_id = _ids(any_app)
    with any_app.app_context():
        engine = db.engine
    first = DecisionCounter(engine, flush_seconds=3600)
    second = DecisionCounter(engine, flush_seconds=3600)
    for _ in range(3):
        first.add(site_id, survey_id, DAY, "eligible")
    second.add(site_id, survey_id, DAY, "eligible", 4)
    second.add(site_id, survey_id, DAY, "open_ticket")
    assert _stored(any_app) == {}  # nothing written per decision
    assert first.flush() == 3 and second.flush() == 5
    assert first.flush() == 0
    assert _stored(any_app) == {"eligible": 7, "open_ticket": 1}
    first.discard()
    second.discard()


def test_a_full_buffer_is_flushed_without_a_reader(any_app: Flask) -> None:
    site_id, survey_id = _ids(any_app)
    with any_app.app_context():
        engine = db.engine
    counter = DecisionCounter(engine, flush_seconds=3600, flush_pending=5)
    for _ in range(5):
        counter.add(site_id, survey_id, DAY, "not_sampled")
    deadline = time.monotonic() + 20
    while _stored(any_app) != {"not_sampled": 5} and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _stored(any_app) == {"not_sampled": 5}
    counter.discard()


def test_a_failed_flush_keeps_the_counts_for_the_next_attempt(app: Flask, tmp_path) -> None:
    from sqlalchemy import create_engine

    site_id, survey_id = _ids(app)
    # A database that cannot be opened (its directory does not exist): every write fails.
    engine = create_engine(f"sqlite:///{tmp_path}/missing/tenpoint.db")
    counter = DecisionCounter(engine, flush_seconds=3600)
    counter.add(site_id, survey_id, DAY, "eligible")
    try:
        counter.flush()
    except Exception:  # noqa: BLE001 - any database error will do
        pass
    else:
        raise AssertionError("the flush should have failed")
    assert counter.pending() == 1
    counter.discard()
    engine.dispose()
