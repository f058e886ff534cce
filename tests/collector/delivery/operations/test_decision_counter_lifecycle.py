"""The decision-count flusher follows its engine: dispose, garbage collection, fork."""

from __future__ import annotations

import gc
import os
import weakref
from datetime import date

import pytest
from sqlalchemy import create_engine, select

from collector.core.extensions import db
from collector.core.survey_lookup import find_survey
from collector.eligibility.decision_counts import DecisionCounter, counter_for, discard_all
from collector.models import DecisionCount
from tests.factories import make_site, make_survey

DAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _forget_counters():
    yield
    discard_all()


def _ids(app):
    with app.app_context():
        site = make_site(db.session)
        make_survey(db.session, site.site_id)
        return site.site_id, find_survey(db.session, site.site_id, "nps").id


def _stored(url):
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return dict(connection.execute(select(DecisionCount.reason, DecisionCount.count)).all())
    finally:
        engine.dispose()


def test_disposing_the_engine_writes_the_buffer_and_stops_the_flusher(any_app):
    site_id, survey_id = _ids(any_app)
    engine = create_engine(any_app.config["DATABASE_URL"])
    counter = counter_for(engine)
    counter.add(site_id, survey_id, DAY, "eligible", 3)
    thread = counter._thread
    engine.dispose()
    assert _stored(any_app.config["DATABASE_URL"]) == {"eligible": 3}
    assert counter.pending() == 0
    assert thread is not None and not thread.is_alive()


def test_a_forgotten_engine_takes_its_flusher_with_it(app):
    site_id, survey_id = _ids(app)
    engine = create_engine(app.config["DATABASE_URL"])
    counter = counter_for(engine)
    counter.add(site_id, survey_id, DAY, "eligible")
    thread, gone = counter._thread, weakref.ref(counter)
    del counter, engine
    gc.collect()
    assert gone() is None  # nothing keeps a counter of a dropped engine alive
    assert thread is not None
    thread.join(timeout=30)
    assert not thread.is_alive()


def test_counts_of_a_deleted_survey_are_dropped_not_retried(app):
    site_id, survey_id = _ids(app)
    engine = create_engine(app.config["DATABASE_URL"])
    counter = DecisionCounter(engine, flush_seconds=3600)
    counter.add(site_id, 999_999, DAY, "eligible")  # deleted since
    counter.add(site_id, survey_id, DAY, "open_ticket")
    assert counter.flush() == 1
    assert counter.pending() == 0
    assert _stored(app.config["DATABASE_URL"]) == {"open_ticket": 1}
    counter.discard()
    engine.dispose()


def test_a_full_buffer_drops_new_keys_instead_of_growing(app):
    site_id, survey_id = _ids(app)
    engine = create_engine(app.config["DATABASE_URL"])
    counter = DecisionCounter(engine, flush_seconds=3600, max_keys=2)
    for reason in ("a", "b", "c"):
        counter.add(site_id, survey_id, DAY, reason)
    counter.add(site_id, survey_id, DAY, "a")  # a key already buffered still counts
    assert counter.pending() == 3
    assert counter.flush() == 3
    assert _stored(app.config["DATABASE_URL"]) == {"a": 2, "b": 1}
    counter.discard()
    engine.dispose()


def test_a_forked_child_starts_empty_and_writes_only_its_own_counts(app):
    site_id, survey_id = _ids(app)
    url = app.config["DATABASE_URL"]
    engine = create_engine(url)
    counter = counter_for(engine)
    counter.add(site_id, survey_id, DAY, "parent", 2)
    # The parent's flusher may hold its lock at the moment of the fork: take it to be sure
    # the child would otherwise inherit a locked lock.
    with counter._lock:
        pid = os.fork()
        if pid == 0:  # the child
            status = 1
            try:
                engine.dispose(close=False)  # SQLAlchemy's advice after fork
                child = counter_for(engine)
                child.add(site_id, survey_id, DAY, "child")  # would deadlock on an old lock
                child.flush()
                status = 0
            finally:
                os._exit(status)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert counter.flush() == 2
    # Had the child inherited the parent's buffer, "parent" would have been written twice.
    assert _stored(url) == {"parent": 2, "child": 1}
    engine.dispose()
