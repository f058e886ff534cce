"""Anonymous people expire: housekeeping deletes those never in touch with a survey or
support once idle for ``TENPOINT_ANONYMOUS_PEOPLE_KEEP_DAYS``; everyone else stays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from collector.core.extensions import db
from collector.core.rows import insert_row
from collector.governance.anonymous_people import expire_anonymous_people
from collector.governance.housekeeping import run_housekeeping
from collector.models import Invitation, Person, Survey, Ticket
from tests.collector.eligibility.conftest import World, build_world
from tests.conftest import AppFactory, FakeClock

THEN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def any_world(request: pytest.FixtureRequest, make_app: AppFactory, clock: FakeClock) -> World:
    clock.set(THEN)
    world = build_world(make_app, request.getfixturevalue(f"{request.param}_url"), clock)
    world.survey("nps", rules={"recontact_days": 1})
    return world


def _person(world: World, name: str, *, age: timedelta = timedelta(days=40),
            **identifiers: object) -> int:
    """A person stored ``age`` before THEN, as earlier versions stored every first visit."""
    values = {"anonymous_id": f"anon-{name}", **identifiers}
    person = insert_row(db.session, Person, site_id=world.site.site_id, properties={},
                        first_seen_at=THEN - age, updated_at=THEN - age, **values)
    return person.id


def _left(world: World) -> set[str]:
    return {row.anonymous_id or row.external_id or row.email
            for row in db.session.scalars(select(Person))}


def test_expiry_deletes_only_anonymous_people_never_in_touch(any_world: World) -> None:
    world = any_world
    # Through the API, at THEN: a display and an answer.
    assert world.eligibility(anonymous_id="anon-shown", survey="nps")["eligible"] is True
    answered = world.post("/v1/responses", {"survey": "nps", "score": 9,
                                            "anonymous_id": "anon-answered"}, "publishable")
    assert answered.status_code == 201, answered.get_json()
    with world.app.app_context():
        survey = db.session.scalars(select(Survey)).one()
        _person(world, "idle")
        _person(world, "idle-too", age=timedelta(days=31))
        _person(world, "recent", age=timedelta(days=29))
        _person(world, "identified", anonymous_id=None, external_id="u-1")
        _person(world, "by-email", anonymous_id=None, email="a@example.com")
        _person(world, "erased", erased_at=THEN - timedelta(days=40))
        invited = _person(world, "invited")
        insert_row(db.session, Invitation, site_id=world.site.site_id, survey_id=survey.id,
                   survey_version_id=survey.current_version.id, person_id=invited,
                   channel="in_app", status="expired", send_at=THEN - timedelta(days=40),
                   properties={}, created_at=THEN - timedelta(days=40))
        ticketed = _person(world, "ticketed")
        insert_row(db.session, Ticket, site_id=world.site.site_id, person_id=ticketed,
                   external_id="T-1", status="closed", status_at=THEN - timedelta(days=40),
                   created_at=THEN - timedelta(days=40), updated_at=THEN - timedelta(days=40))
        db.session.commit()
        later = THEN + timedelta(days=31)
        expired = expire_anonymous_people(db.session, THEN, keep=timedelta(days=30), batch=100)
        db.session.commit()
        assert expired == 2
        assert _left(world) == {"anon-shown", "anon-answered", "anon-recent", "u-1",
                                "a@example.com", "anon-erased", "anon-invited",
                                "anon-ticketed"}
        # A month on, the displayed and the answering people are still kept.
        expire_anonymous_people(db.session, later, keep=timedelta(days=30), batch=100)
        db.session.commit()
        assert {"anon-shown", "anon-answered"} <= _left(world)
        assert "anon-recent" not in _left(world)


def test_an_expired_visitor_is_judged_as_before(any_world: World) -> None:
    """Their row held nothing the rules use: the same sticky draw decides again."""
    world = any_world
    with world.app.app_context():
        _person(world, "gone")
        db.session.commit()
        assert expire_anonymous_people(db.session, THEN, keep=timedelta(days=30),
                                       batch=100) == 1
        db.session.commit()
    assert world.eligibility(anonymous_id="anon-gone", survey="nps")["eligible"] is True


def test_a_batch_deletes_no_more_than_asked_and_the_setting_has_a_floor(
        any_world: World) -> None:
    with any_world.app.app_context():
        for n in range(3):
            _person(any_world, f"idle-{n}")
        _person(any_world, "hours-old", age=timedelta(hours=12))
        db.session.commit()
        assert expire_anonymous_people(db.session, THEN, keep=timedelta(0), batch=2) == 2
        assert expire_anonymous_people(db.session, THEN, keep=timedelta(0), batch=2) == 1
        db.session.commit()
        assert _left(any_world) == {"anon-hours-old"}


def test_housekeeping_runs_the_expiry_with_the_setting(
        make_app: AppFactory, sqlite_url: str, clock: FakeClock) -> None:
    clock.set(THEN)
    world = build_world(make_app, sqlite_url, clock)
    world.app.config["ANONYMOUS_PEOPLE_KEEP_DAYS"] = 10
    with world.app.app_context():
        _person(world, "eleven-days", age=timedelta(days=11))
        _person(world, "nine-days", age=timedelta(days=9))
        db.session.commit()
        run_housekeeping(db.session, {}, THEN)
        db.session.commit()
        assert _left(world) == {"anon-nine-days"}
