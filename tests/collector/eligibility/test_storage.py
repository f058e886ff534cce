"""What a page-view check writes: nothing for someone never stored who is refused; the
person and the contact when a survey is shown. Fatigue, sticky sampling and quiet periods
behave as before for people who were shown a survey. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from collector.core.extensions import db
from collector.eligibility.rules import sample_draw
from collector.models import Contact, Person, Survey
from tests.collector.eligibility.conftest import World, build_world
from tests.conftest import AppFactory, FakeClock

PAGE = "https://app.example.com/settings"


@pytest.fixture(params=["sqlite", "postgres"])
def any_world(request: pytest.FixtureRequest, make_app: AppFactory, clock: FakeClock) -> World:
    return build_world(make_app, request.getfixturevalue(f"{request.param}_url"), clock)


def stored(world: World) -> tuple[int, int]:
    """Rows in ``people`` and in ``contacts``."""
    with world.app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Person)) or 0,
                db.session.scalar(select(func.count()).select_from(Contact)) or 0)


def visitor(n: int) -> str:
    return f"anon-visitor-{n:06d}"


@pytest.mark.parametrize(("rules", "show_on", "reason"), [
    ({"sample_rate": 0.0}, {}, "not_sampled"),
    ({"min_days_since_signup": 7}, {}, "too_soon_after_signup"),
    ({}, {"urls": ["/checkout/*"]}, "survey_inactive"),
])
def test_refused_first_time_checks_write_no_person_and_no_contact(
        any_world: World, rules: dict[str, Any], show_on: dict[str, Any], reason: str) -> None:
    any_world.survey("nps", rules=rules, show_on=show_on)
    for n in range(30):
        # The widget's automatic check (URL only), from someone anonymous and someone named.
        assert any_world.eligibility(anonymous_id=visitor(n), url=PAGE)["reason"] == reason
        assert any_world.eligibility(user_id=f"u-{n}", url=PAGE)["reason"] == reason
    assert stored(any_world) == (0, 0)


def test_refused_checks_are_still_counted(any_world: World) -> None:
    any_world.survey("nps", rules={"sample_rate": 0.0})
    for n in range(5):
        any_world.eligibility(anonymous_id=visitor(n), url=PAGE)
    assert any_world.counts() == {("nps", "not_sampled"): 5}
    assert stored(any_world) == (0, 0)


def test_a_shown_survey_stores_the_person_and_the_contact(any_world: World) -> None:
    any_world.survey("nps")
    answer = any_world.eligibility(anonymous_id=visitor(1), url=PAGE, locale="de")
    assert answer["eligible"] is True
    with any_world.app.app_context():
        person = db.session.scalars(select(Person)).one()
        contact = db.session.scalars(select(Contact)).one()
        assert (person.anonymous_id, person.locale) == (visitor(1), "de")
        assert person.first_seen_at == any_world.clock()
        assert (contact.person_id, contact.kind, contact.display_id) == (
            person.id, "shown", answer["display_id"])


def test_a_stored_person_refused_later_keeps_their_row_and_gains_no_contact(
        any_world: World) -> None:
    any_world.survey("nps")
    assert any_world.eligibility(user_id="u-1", url=PAGE)["eligible"] is True
    assert any_world.eligibility(user_id="u-1", url=PAGE)["reason"] == "recently_surveyed"
    assert stored(any_world) == (1, 1)


def test_fatigue_after_a_display_is_unchanged(any_world: World) -> None:
    any_world.survey("nps")
    assert any_world.eligibility(anonymous_id=visitor(1), survey="nps")["eligible"] is True
    any_world.clock.advance(days=90, seconds=-1)
    assert any_world.eligibility(anonymous_id=visitor(1), survey="nps")["reason"] == \
        "recently_surveyed"
    any_world.clock.advance(seconds=1)
    assert any_world.eligibility(anonymous_id=visitor(1), survey="nps")["eligible"] is True
    assert stored(any_world) == (1, 2)


def test_a_decline_after_a_display_still_holds_the_person_back(any_world: World) -> None:
    any_world.survey("nps", rules={"recontact_days": 1, "decline_days": 30})
    shown = any_world.eligibility(anonymous_id=visitor(1), survey="nps")
    declined = any_world.post("/v1/declines", {"display_id": shown["display_id"]},
                              "publishable")
    assert declined.status_code == 200
    any_world.clock.advance(days=29)
    assert any_world.eligibility(anonymous_id=visitor(1), survey="nps")["reason"] == \
        "recently_declined"


def test_sampling_stays_sticky_without_a_row(any_world: World) -> None:
    any_world.survey("nps", rules={"sample_rate": 0.3, "recontact_days": 1})
    with any_world.app.app_context():
        salt = db.session.scalars(select(Survey.salt)).one()
    first = {n: any_world.eligibility(anonymous_id=visitor(n), survey="nps")["reason"]
             for n in range(40)}
    # The draw is a salted hash of the visitor id: no stored row needed to repeat it.
    assert first == {n: "eligible" if sample_draw(salt, f"anon:{visitor(n)}") < 0.3
                     else "not_sampled" for n in range(40)}
    any_world.clock.advance(days=2)
    again = {n: any_world.eligibility(anonymous_id=visitor(n), survey="nps")["reason"]
             for n in range(40)}
    assert again == first
    shown = sum(reason == "eligible" for reason in first.values())
    assert 0 < shown < 40
    assert stored(any_world) == (shown, 2 * shown)


def test_quiet_periods_without_a_row_and_after_a_display(any_world: World) -> None:
    any_world.survey("nps", rules={"anonymous_rate": 0.0})
    refused = any_world.eligibility(anonymous_id=visitor(1), url=PAGE)
    assert (refused["reason"], refused["recheck_after"]) == ("not_sampled", 300)
    assert stored(any_world) == (0, 0)
    assert any_world.eligibility(user_id="u-1", url=PAGE)["eligible"] is True
    again = any_world.eligibility(user_id="u-1", url=PAGE)
    assert (again["reason"], again["recheck_after"]) == ("recently_surveyed", 300)
