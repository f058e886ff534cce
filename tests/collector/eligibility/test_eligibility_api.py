"""POST /v1/eligibility and /v1/declines: the widget's questions, answered and remembered."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import event, func, select

from collector.core.extensions import db
from collector.models import Contact, Person, Site
from tests.collector.eligibility.conftest import World, build_world
from tests.conftest import AppFactory, FakeClock


def test_an_eligible_answer_carries_the_survey_and_a_display_id(world: World) -> None:
    world.survey("nps")
    answer = world.eligibility(survey="nps", user_id="u-1")
    assert answer["eligible"] is True and answer["reason"] == "eligible"
    assert answer["survey"]["key"] == "nps" and answer["survey"]["locale"] == "en"
    assert answer["display_id"]


def test_a_shown_survey_is_not_shown_again_for_the_recontact_period(world: World) -> None:
    world.survey("nps")
    world.survey("other")
    world.eligibility(survey="nps", user_id="u-1")
    again = world.eligibility(survey="other", user_id="u-1")
    assert again == {"eligible": False, "reason": "recently_surveyed", "survey": None,
                     "display_id": None, "display_token": None, "proof_of_work": None,
                     "recheck_after": None}  # named: no quiet period
    world.clock.advance(days=90, seconds=-1)
    assert world.eligibility(survey="other", user_id="u-1")["reason"] == "recently_surveyed"
    world.clock.advance(seconds=1)
    assert world.eligibility(survey="other", user_id="u-1")["eligible"] is True


def test_the_recontact_period_follows_the_person_across_devices(world: World) -> None:
    world.survey("nps")
    world.eligibility(survey="nps", user_id="u-1", anonymous_id="device-one-1234")
    other_device = world.eligibility(survey="nps", user_id="u-1",
                                     anonymous_id="device-two-5678")
    assert other_device["reason"] == "recently_surveyed"


def test_a_dry_run_answers_without_recording_anything(world: World) -> None:
    world.survey("nps")
    dry = world.eligibility(survey="nps", user_id="u-1", dry_run=True)
    assert dry["eligible"] is True and dry["display_id"] is None
    with world.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Person)) == 0
        assert db.session.scalar(select(func.count()).select_from(Contact)) == 0
    assert world.counts() == {}
    assert world.eligibility(survey="nps", user_id="u-1")["eligible"] is True


def test_a_declined_survey_throttles_for_the_decline_period(world: World) -> None:
    world.survey("nps", rules={"recontact_days": 1})
    shown = world.eligibility(survey="nps", user_id="u-1")
    response = world.post("/v1/declines", {"display_id": shown["display_id"]}, "publishable")
    assert response.status_code == 200
    assert response.get_json()["survey"] == "nps"
    repeat = world.post("/v1/declines", {"display_id": shown["display_id"]}, "publishable")
    assert repeat.get_json()["declined_at"] == response.get_json()["declined_at"]
    world.clock.advance(days=2)
    assert world.eligibility(survey="nps", user_id="u-1")["reason"] == "recently_declined"
    world.clock.advance(days=28)
    assert world.eligibility(survey="nps", user_id="u-1")["eligible"] is True


def test_declining_an_unknown_display_is_404(world: World) -> None:
    response = world.post("/v1/declines", {"display_id": "nope"}, "publishable")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "display_not_found"


def test_an_unknown_or_inactive_survey_is_survey_inactive(world: World) -> None:
    assert world.eligibility(survey="missing", user_id="u-1")["reason"] == "survey_inactive"
    world.survey("nps")
    response = world.client.patch("/v1/surveys/nps", json={"active": False},
                                  headers=world.site.auth())
    assert response.status_code == 200
    assert world.eligibility(survey="nps", user_id="u-1")["reason"] == "survey_inactive"


def test_a_survey_without_the_persons_language_is_no_translation(world: World) -> None:
    world.survey("nps", texts={"fr": {"question": "Recommanderiez-vous Example ?"}})
    assert world.eligibility(survey="nps", user_id="u-1", locale="de")["reason"] == \
        "no_translation"
    assert world.eligibility(survey="nps", user_id="u-1", locale="fr-CA")["eligible"] is True


def test_without_a_survey_key_the_first_matching_show_on_is_decided(world: World) -> None:
    world.survey("a-checkout", show_on={"urls": ["/checkout/*"]})
    world.survey("b-event", show_on={"events": ["upgraded"]})
    world.survey("c-anywhere")
    by_event = world.eligibility(user_id="u-1", event="upgraded", dry_run=True)
    assert by_event["survey"]["key"] == "b-event"
    by_url = world.eligibility(user_id="u-1", url="https://app.example.com/checkout/done",
                               dry_run=True)
    assert by_url["survey"]["key"] == "a-checkout"
    elsewhere = world.eligibility(user_id="u-1", url="https://app.example.com/home",
                                  dry_run=True)
    assert elsewhere["survey"]["key"] == "c-anywhere"
    assert world.eligibility(user_id="u-1", event="unknown")["reason"] == "survey_inactive"


def test_the_sample_is_sticky_per_person(world: World) -> None:
    world.survey("nps", rules={"sample_rate": 0.5})
    first = [world.eligibility(survey="nps", user_id=f"u-{i}", dry_run=True)["reason"]
             for i in range(20)]
    second = [world.eligibility(survey="nps", user_id=f"u-{i}", dry_run=True)["reason"]
              for i in range(20)]
    assert first == second
    assert set(first) == {"eligible", "not_sampled"}


def test_segment_rates_use_the_persons_properties(world: World) -> None:
    world.survey("nps", rules={"sample_rate": 0.0, "segment_rates": [
        {"property": "plan", "value": "enterprise", "rate": 1.0}]})
    assert world.eligibility(survey="nps", user_id="u-1", properties={"plan": "free"},
                             dry_run=True)["reason"] == "not_sampled"
    assert world.eligibility(survey="nps", user_id="u-1", properties={"plan": "enterprise"},
                             dry_run=True)["eligible"] is True


def test_site_defaults_apply_to_every_survey(make_app, sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    from tests.collector.eligibility.conftest import build_world

    world = build_world(make_app, sqlite_url, clock, eligibility={"anonymous_rate": 0.0})
    world.survey("nps")
    assert world.eligibility(survey="nps", anonymous_id="anon-123456")["reason"] == \
        "not_sampled"
    assert world.eligibility(survey="nps", user_id="u-1")["eligible"] is True


def test_the_daily_cap_stops_a_survey_until_midnight_utc(world: World) -> None:
    world.survey("nps", rules={"daily_cap": 1})
    response = world.post("/v1/responses", {"survey": "nps", "score": 9, "user_id": "u-0"},
                          "publishable")
    assert response.status_code == 201
    assert world.eligibility(survey="nps", user_id="u-1")["reason"] == "daily_cap_reached"
    world.clock.set(world.clock().replace(hour=23, minute=59, second=59))
    assert world.eligibility(survey="nps", user_id="u-1")["reason"] == "daily_cap_reached"
    world.clock.advance(seconds=1)
    assert world.eligibility(survey="nps", user_id="u-1")["eligible"] is True


def test_an_answer_starts_the_recontact_period(world: World) -> None:
    world.survey("nps")
    world.survey("other")
    response = world.post("/v1/responses", {"survey": "nps", "score": 3, "user_id": "u-1"},
                          "publishable")
    assert response.status_code == 201
    assert world.eligibility(survey="other", user_id="u-1")["reason"] == "recently_surveyed"


def test_an_erased_person_is_never_shown_a_survey(world: World) -> None:
    world.survey("nps")
    world.eligibility(survey="nps", user_id="u-1", dry_run=False)
    with world.app.app_context():
        person = db.session.scalars(select(Person)).one()
        person.erased_at = world.clock()
        db.session.commit()
    world.clock.advance(days=1000)
    assert world.eligibility(survey="nps", user_id="u-1")["reason"] == "unsubscribed"


def test_identity_is_enforced_when_the_site_requires_it(world: World) -> None:
    world.survey("nps")
    with world.app.app_context():
        site = db.session.get(Site, world.site.site_id)
        assert site is not None
        site.require_identity = True
        db.session.commit()
    response = world.post("/v1/eligibility", {"survey": "nps", "user_id": "u-1"},
                          "publishable")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "identity_token_required"
    assert response.get_json()["error"]["field"] == "identity_token"
    bad = world.post("/v1/eligibility", {"survey": "nps", "user_id": "u-1",
                                         "identity_token": "v1.x.y.z"}, "publishable")
    assert bad.get_json()["error"]["code"] == "identity_token_invalid"


def test_eligibility_rejects_unknown_fields_and_missing_keys(world: World) -> None:
    response = world.post("/v1/eligibility", {"survey": "nps", "colour": "red"},
                          "publishable")
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "colour"
    assert world.client.post("/v1/eligibility", json={}).status_code == 401


def test_decisions_are_counted_by_survey_day_and_reason(world: World) -> None:
    world.survey("nps")
    world.eligibility(survey="nps", user_id="u-1")
    world.eligibility(survey="nps", user_id="u-1")
    world.eligibility(survey="nps", user_id="u-1")
    world.eligibility(survey="nps", user_id="u-2", dry_run=True)
    assert world.counts() == {("nps", "eligible"): 1, ("nps", "recently_surveyed"): 2}
    world.clock.advance(days=1)
    world.eligibility(survey="nps", user_id="u-1")
    today = world.clock().date().isoformat()
    assert world.counts(since=today) == {("nps", "recently_surveyed"): 1}
    assert world.counts(until=today) == {("nps", "eligible"): 1,
                                         ("nps", "recently_surveyed"): 2}


def test_decision_counts_need_a_reading_key_and_a_known_survey(world: World) -> None:
    assert world.get("/v1/decisions", "publishable").status_code == 403
    missing = world.get("/v1/decisions?survey=nope", "read")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "survey_not_found"


def test_recontact_window_uses_the_site_default_when_the_survey_is_silent(
        make_app, sqlite_url, clock) -> None:  # type: ignore[no-untyped-def]
    from tests.collector.eligibility.conftest import build_world

    world = build_world(make_app, sqlite_url, clock, eligibility={"recontact_days": 10})
    world.survey("nps")
    world.eligibility(survey="nps", user_id="u-1")
    world.clock.advance(days=10, seconds=-1)
    assert world.eligibility(survey="nps", user_id="u-1")["reason"] == "recently_surveyed"
    world.clock.advance(seconds=1)
    assert world.eligibility(survey="nps", user_id="u-1")["eligible"] is True


def test_a_returning_visitors_page_view_opens_no_transaction(
        make_app: AppFactory, sqlite_url: str, clock: FakeClock) -> None:
    # A returning visitor's check only reads (on the autocommit pool): nothing to begin or
    # commit. Someone new is written in one transaction.
    begun: list[object] = []

    def watched(url: str, **config: Any) -> Flask:
        app = make_app(url, **config)
        with app.app_context():
            event.listen(db.engine, "begin", begun.append)
        return app

    world = build_world(watched, sqlite_url, clock)
    world.survey("nps")
    assert world.eligibility(survey="nps", user_id="u-1")["eligible"] is True
    begun.clear()
    assert world.eligibility(survey="nps", user_id="u-1")["reason"] == "recently_surveyed"
    assert begun == []
    assert world.eligibility(survey="nps", user_id="u-2")["eligible"] is True
    assert len(begun) == 1
