"""``min_days_since_signup`` without a row per visitor: it counts from the signup a backend
states (people, triggers), else from the earliest of the stored first sight and the widget's
first-seen hint; someone with neither counts from now, and nothing is written for them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from collector.core.extensions import db
from collector.models import Person
from tests.collector.eligibility.conftest import World, build_world
from tests.conftest import AppFactory, FakeClock


@pytest.fixture(params=["sqlite", "postgres"])
def any_world(request: pytest.FixtureRequest, make_app: AppFactory, clock: FakeClock) -> World:
    world = build_world(make_app, request.getfixturevalue(f"{request.param}_url"), clock)
    world.survey("nps", rules={"min_days_since_signup": 7})
    return world


def iso(moment: datetime) -> str:
    return moment.isoformat()


def people(world: World) -> int:
    with world.app.app_context():
        return db.session.scalar(select(func.count()).select_from(Person)) or 0


def test_the_backends_signup_time_decides(any_world: World) -> None:
    signed_up = any_world.clock() - timedelta(days=3)
    response = any_world.post("/v1/people", {"user_id": "u-1", "signed_up_at": iso(signed_up)})
    assert response.status_code == 200
    assert response.get_json()["signed_up_at"] == iso(signed_up)
    assert any_world.eligibility(survey="nps", user_id="u-1")["reason"] == \
        "too_soon_after_signup"
    any_world.clock.set(signed_up + timedelta(days=7, seconds=-1))
    assert any_world.eligibility(survey="nps", user_id="u-1")["reason"] == \
        "too_soon_after_signup"
    any_world.clock.set(signed_up + timedelta(days=7))
    assert any_world.eligibility(survey="nps", user_id="u-1")["eligible"] is True


def test_a_long_time_customer_is_surveyed_on_the_first_check(any_world: World) -> None:
    any_world.post("/v1/people", {"user_id": "u-1",
                                  "signed_up_at": iso(any_world.clock() - timedelta(days=400))})
    assert any_world.eligibility(survey="nps", user_id="u-1")["eligible"] is True


def test_a_triggers_signup_time_is_stored_and_decides(any_world: World) -> None:
    recently = any_world.clock() - timedelta(days=1)
    answer = any_world.trigger(survey="nps", user_id="u-1", channel="link",
                               signed_up_at=iso(recently))
    assert answer["reason"] == "too_soon_after_signup"
    with any_world.app.app_context():
        assert db.session.scalars(select(Person.signed_up_at)).one() == recently
    assert any_world.trigger(survey="nps", user_id="u-2", channel="link",
                             signed_up_at=iso(recently - timedelta(days=7)))["eligible"] is True


def test_the_widgets_first_seen_hint_counts_for_anonymous_visitors(any_world: World) -> None:
    first_seen = any_world.clock() - timedelta(days=2)
    assert any_world.eligibility(anonymous_id="anon-visitor-1", survey="nps",
                                 first_seen_at=iso(first_seen))["reason"] == \
        "too_soon_after_signup"
    assert people(any_world) == 0
    any_world.clock.set(first_seen + timedelta(days=7))
    assert any_world.eligibility(anonymous_id="anon-visitor-1", survey="nps",
                                 first_seen_at=iso(first_seen))["eligible"] is True
    assert people(any_world) == 1


def test_without_a_hint_a_new_visitor_counts_from_now_and_is_not_stored(
        any_world: World) -> None:
    for _ in range(3):
        assert any_world.eligibility(anonymous_id="anon-visitor-1", survey="nps")["reason"] \
            == "too_soon_after_signup"
        any_world.clock.advance(days=8)
    assert people(any_world) == 0


def test_a_hint_from_the_future_gains_nothing(any_world: World) -> None:
    later = any_world.clock() + timedelta(days=30)
    assert any_world.eligibility(anonymous_id="anon-visitor-1", survey="nps",
                                 first_seen_at=iso(later))["reason"] == "too_soon_after_signup"


def test_the_backends_signup_time_wins_over_the_hint(any_world: World) -> None:
    any_world.post("/v1/people", {"user_id": "u-1",
                                  "signed_up_at": iso(any_world.clock() - timedelta(days=1))})
    old_hint = iso(any_world.clock() - timedelta(days=100))
    assert any_world.eligibility(survey="nps", user_id="u-1", first_seen_at=old_hint)[
        "reason"] == "too_soon_after_signup"
