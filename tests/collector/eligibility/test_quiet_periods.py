"""Quiet periods: a refused automatic check tells the widget how long it may stop asking,
only when no survey of the site could be shown to the person on any page."""

from __future__ import annotations

import pytest
from flask import Flask

from collector.core.extensions import db
from collector.models import Survey
from tests.collector.eligibility.conftest import World, build_world
from tests.conftest import AppFactory, FakeClock

PAGE = "https://app.example.com/settings"


@pytest.mark.parametrize("database", ["world", "pg_world"])
def test_a_returning_visitor_refused_on_every_survey_is_told_to_stay_quiet(
        database: str, request: pytest.FixtureRequest) -> None:
    world: World = request.getfixturevalue(database)
    world.survey("nps")
    shown = world.eligibility(user_id="u-1", url=PAGE)
    assert shown["eligible"] is True and shown["recheck_after"] is None
    again = world.eligibility(user_id="u-1", url=PAGE)
    assert (again["reason"], again["recheck_after"]) == ("recently_surveyed", 300)


def test_only_automatic_page_view_checks_get_a_quiet_period(world: World) -> None:
    world.survey("nps", show_on={"events": ["checkout"]})
    world.survey("page")
    world.eligibility(user_id="u-1", url=PAGE)
    # A named survey or an event is the host page asking on purpose: it always asks.
    assert world.eligibility(user_id="u-1", survey="page")["recheck_after"] is None
    assert world.eligibility(user_id="u-1", event="checkout", url=PAGE)["recheck_after"] is None
    assert world.eligibility(user_id="u-1", url=PAGE)["recheck_after"] == 300


def test_a_survey_targeting_other_pages_keeps_the_widget_asking(world: World) -> None:
    world.survey("checkout", show_on={"urls": ["/checkout/*"]})
    elsewhere = world.eligibility(user_id="u-1", url=PAGE)
    # Nothing for this page, but the checkout survey could be shown on the next one.
    assert (elsewhere["reason"], elsewhere["recheck_after"]) == ("survey_inactive", None)
    assert world.eligibility(user_id="u-1", url="https://app.example.com/checkout/pay")[
        "eligible"] is True


def test_being_out_of_one_sample_says_nothing_about_another_survey(world: World) -> None:
    world.survey("checkout", show_on={"urls": ["/checkout/*"]})
    world.survey("everywhere", rules={"sample_rate": 0.0})
    answer = world.eligibility(user_id="u-1", url=PAGE)
    assert (answer["reason"], answer["recheck_after"]) == ("not_sampled", None)


def test_a_shorter_recontact_period_elsewhere_ends_the_quiet_periods_sooner(
        world: World) -> None:
    world.survey("nps")
    # Matched first where its URL matches: a page view takes the first match, by key.
    world.survey("a-weekly", rules={"recontact_days": 7}, show_on={"urls": ["/weekly"]})
    assert world.eligibility(user_id="u-1", url=PAGE)["eligible"] is True
    world.clock.advance(days=6)
    assert world.eligibility(user_id="u-1", url=PAGE)["recheck_after"] == 300
    world.clock.advance(days=1)
    # Still refused here (90 days), but the weekly survey may now be shown on its page.
    here = world.eligibility(user_id="u-1", url=PAGE)
    assert (here["reason"], here["recheck_after"]) == ("recently_surveyed", None)
    weekly = world.eligibility(user_id="u-1", url="https://app.example.com/weekly")
    assert weekly["eligible"] is True, weekly


def test_an_open_ticket_quiets_the_widget_and_a_site_without_surveys_too(world: World) -> None:
    world.survey("nps")
    world.ticket(user_id="u-1", ticket_id="T-1", status="open",
                 at=world.clock().isoformat())
    ticket = world.eligibility(user_id="u-1", url=PAGE)
    assert (ticket["reason"], ticket["recheck_after"]) == ("open_ticket", 300)
    with world.app.app_context():
        for survey in db.session.query(Survey):
            survey.active = False
        db.session.commit()
    world.clock.advance(seconds=10)  # past the configuration cache
    nothing = world.eligibility(user_id="u-2", url=PAGE)
    assert (nothing["reason"], nothing["recheck_after"]) == ("survey_inactive", 300)


def test_the_quiet_period_follows_the_setting_and_zero_turns_it_off(
        make_app: AppFactory, sqlite_url: str, clock: FakeClock) -> None:
    for seconds, expected in ((60, 60), (0, None)):
        world = build_world(make_app, sqlite_url, clock, slug=f"s{seconds}")
        world.app.config["RECHECK_AFTER_SECONDS"] = seconds
        world.survey("nps")
        world.eligibility(user_id="u-1", url=PAGE)
        assert world.eligibility(user_id="u-1", url=PAGE)["recheck_after"] == expected


def test_the_answer_is_documented(app: Flask) -> None:
    schema = app.test_client().get("/openapi.json").get_json()
    out = schema["components"]["schemas"]["EligibilityOut"]["properties"]
    assert out["recheck_after"]["type"] == "integer"
