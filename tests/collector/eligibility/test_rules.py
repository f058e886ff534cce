"""The pure rules: every period's boundary, precedence, and the ticket delay."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from collector.eligibility.rules import (
    REASONS,
    ContactFact,
    PersonFacts,
    Rules,
    SegmentRate,
    Situation,
    TicketFacts,
    decide,
    sample_draw,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
SITUATION = Situation(survey_active=True, has_translation=True, salt="salt")
PERSON = PersonFacts(key="user:u-1", identified=True, first_seen_at=NOW - timedelta(days=400))
RULES = Rules()
NO_TICKETS = TicketFacts()


def judge(*, situation: Situation = SITUATION, rules: Rules = RULES,
          person: PersonFacts = PERSON, contacts: tuple[ContactFact, ...] = (),
          tickets: TicketFacts = NO_TICKETS, now: datetime = NOW) -> str:
    return decide(situation, rules, person, contacts, tickets, now).reason


def test_a_new_identified_person_is_eligible_by_default() -> None:
    decision = decide(SITUATION, RULES, PERSON, (), TicketFacts(), NOW)
    assert decision.eligible and decision.reason == "eligible" and decision.reasons == ()


@pytest.mark.parametrize(("kind", "days", "reason"), [
    ("shown", 90, "recently_surveyed"),
    ("sent", 90, "recently_surveyed"),
    ("answered", 90, "recently_surveyed"),
    ("declined", 30, "recently_declined"),
])
def test_each_contact_period_ends_exactly_at_its_length(kind: str, days: int,
                                                        reason: str) -> None:
    at = NOW - timedelta(days=days)
    assert judge(contacts=(ContactFact(kind, at + SECOND),)) == reason
    assert judge(contacts=(ContactFact(kind, at),)) == "eligible"
    assert judge(contacts=(ContactFact(kind, at - SECOND),)) == "eligible"


def test_a_survey_overrides_the_recontact_period() -> None:
    rules = Rules.merge({"recontact_days": 90}, {"recontact_days": 7, "decline_days": 0})
    at = NOW - timedelta(days=7)
    assert judge(rules=rules, contacts=(ContactFact("shown", at + SECOND),)) == \
        "recently_surveyed"
    assert judge(rules=rules, contacts=(ContactFact("shown", at),)) == "eligible"


def test_the_decline_throttle_outlasts_a_shorter_recontact_period() -> None:
    rules = Rules(recontact_days=7, decline_days=30)
    shown = ContactFact("shown", NOW - timedelta(days=10))
    declined = ContactFact("declined", NOW - timedelta(days=10))
    assert judge(rules=rules, contacts=(shown, declined)) == "recently_declined"
    assert judge(rules=rules, contacts=(shown,)) == "eligible"


def test_the_survey_limit_counts_contacts_in_the_rolling_period() -> None:
    rules = Rules(recontact_days=0, decline_days=0, max_surveys=2, max_surveys_period_days=30)
    edge = NOW - timedelta(days=30)
    recent = ContactFact("sent", NOW - timedelta(days=1))
    assert judge(rules=rules, contacts=(recent, ContactFact("shown", edge + SECOND))) == \
        "survey_limit_reached"
    assert judge(rules=rules, contacts=(recent, ContactFact("shown", edge))) == "eligible"
    assert judge(rules=rules, contacts=(recent,)) == "eligible"


def test_answers_and_declines_do_not_count_towards_the_survey_limit() -> None:
    rules = Rules(recontact_days=0, decline_days=0, max_surveys=1)
    at = NOW - timedelta(days=1)
    assert judge(rules=rules, contacts=(ContactFact("answered", at),
                                        ContactFact("declined", at))) == "eligible"


def test_too_soon_after_signup_ends_at_the_configured_days() -> None:
    rules = Rules(min_days_since_signup=14)
    edge = NOW - timedelta(days=14)
    assert judge(rules=rules, person=replace(PERSON, first_seen_at=edge + SECOND)) == \
        "too_soon_after_signup"
    assert judge(rules=rules, person=replace(PERSON, first_seen_at=edge)) == "eligible"


def test_the_daily_cap_counts_todays_responses() -> None:
    rules = Rules(daily_cap=5)
    assert judge(rules=rules, situation=replace(SITUATION, responses_today=4)) == "eligible"
    assert judge(rules=rules, situation=replace(SITUATION, responses_today=5)) == \
        "daily_cap_reached"


def test_any_unresolved_ticket_excludes_the_person() -> None:
    assert judge(tickets=TicketFacts(open_count=1)) == "open_ticket"
    assert judge(rules=Rules(exclude_open_tickets=False),
                 tickets=TicketFacts(open_count=1)) == "eligible"


@pytest.mark.parametrize("situation", [
    replace(SITUATION, touchpoint="support_resolution"),
    replace(SITUATION, delayed=True),
])
def test_support_and_delayed_triggers_wait_after_the_last_resolution(
        situation: Situation) -> None:
    edge = NOW - timedelta(hours=24)
    waiting = decide(situation, RULES, PERSON, (), TicketFacts(0, edge + SECOND), NOW)
    assert waiting.reason == "awaiting_resolution_delay"
    assert waiting.wait_until == NOW + SECOND
    assert judge(situation=situation, tickets=TicketFacts(0, edge)) == "eligible"


def test_other_touchpoints_do_not_wait_after_a_resolution() -> None:
    assert judge(tickets=TicketFacts(0, NOW - timedelta(hours=1))) == "eligible"


def test_the_resolution_delay_is_configurable_in_hours() -> None:
    rules = Rules.merge({"resolution_delay_hours": 2}, {})
    situation = replace(SITUATION, touchpoint="support_resolution")
    edge = NOW - timedelta(hours=2)
    assert judge(situation=situation, rules=rules,
                 tickets=TicketFacts(0, edge + SECOND)) == "awaiting_resolution_delay"
    assert judge(situation=situation, rules=rules, tickets=TicketFacts(0, edge)) == "eligible"


def test_no_wait_is_offered_when_something_else_also_excludes() -> None:
    situation = replace(SITUATION, touchpoint="support_resolution")
    decision = decide(situation, RULES, PERSON, (ContactFact("shown", NOW - SECOND),),
                      TicketFacts(0, NOW - SECOND), NOW)
    assert decision.reasons == ("awaiting_resolution_delay", "recently_surveyed")
    assert decision.wait_until is None


@pytest.mark.parametrize("channel", ["in_app", "email", "link"])
def test_an_erased_person_is_never_contacted(channel: str) -> None:
    erased = replace(PERSON, erased_at=NOW - timedelta(days=1000))
    assert judge(person=erased, situation=replace(SITUATION, channel=channel)) == \
        "unsubscribed"


@pytest.mark.parametrize("field", ["unsubscribed_at", "bounced_at"])
def test_unsubscribes_and_bounces_stop_email_only(field: str) -> None:
    person = replace(PERSON, **{field: NOW - timedelta(days=1)})
    assert judge(person=person, situation=replace(SITUATION, channel="email")) == \
        "unsubscribed"
    assert judge(person=person, situation=replace(SITUATION, channel="in_app")) == "eligible"


def test_sampling_uses_segment_rates_then_the_survey_rate() -> None:
    rules = Rules(sample_rate=0.0, segment_rates=(SegmentRate("plan", "enterprise", 1.0),))
    enterprise = replace(PERSON, properties={"plan": "enterprise"})
    assert judge(rules=rules, person=enterprise) == "eligible"
    assert judge(rules=rules, person=replace(PERSON, properties={"plan": "free"})) == \
        "not_sampled"


def test_anonymous_visitors_have_their_own_rate() -> None:
    anonymous = PersonFacts(key="anon:abcdefgh", identified=False)
    assert judge(rules=Rules(anonymous_rate=0.0), person=anonymous) == "not_sampled"
    assert judge(rules=Rules(anonymous_rate=0.0)) == "eligible"
    assert judge(rules=Rules(sample_rate=0.0, anonymous_rate=1.0), person=anonymous) == \
        "eligible"


def test_nobody_named_is_only_sampled_at_full_rate() -> None:
    nobody = PersonFacts(key=None)
    assert judge(person=nobody) == "eligible"
    assert judge(rules=Rules(sample_rate=0.99), person=nobody) == "not_sampled"


def test_the_draw_decides_against_the_rate() -> None:
    draw = sample_draw("salt", PERSON.key or "")
    assert judge(rules=Rules(sample_rate=draw)) == "not_sampled"
    assert judge(rules=Rules(sample_rate=min(1.0, draw + 1e-12))) == "eligible"


def _everything_applies() -> tuple[Situation, Rules, PersonFacts, tuple[ContactFact, ...],
                                   TicketFacts]:
    situation = Situation(survey_active=False, has_translation=False, salt="s",
                          channel="email", touchpoint="support_resolution",
                          responses_today=10)
    rules = Rules(sample_rate=0.0, max_surveys=1, daily_cap=1, min_days_since_signup=10)
    person = PersonFacts(key="user:x", identified=True, first_seen_at=NOW,
                         unsubscribed_at=NOW)
    contacts = (ContactFact("shown", NOW - SECOND), ContactFact("declined", NOW - SECOND))
    return situation, rules, person, contacts, TicketFacts(1, NOW - SECOND)


def test_every_reason_is_found_and_reported_in_precedence_order() -> None:
    decision = decide(*_everything_applies(), NOW)
    assert decision.reasons == REASONS[:-1]
    assert decision.reason == "survey_inactive"


@pytest.mark.parametrize("index", range(len(REASONS) - 2))
def test_removing_the_first_reason_reports_the_next(index: int) -> None:
    situation, rules, person, contacts, tickets = _everything_applies()
    # Switch off the reasons before ``index`` one by one.
    fixes = [
        lambda: replace(situation, survey_active=True),
        lambda: replace(person, unsubscribed_at=None),
        lambda: replace(situation, has_translation=True),
        lambda: replace(tickets, open_count=0),
        lambda: replace(tickets, last_resolved_at=None),
        lambda: replace(person, first_seen_at=None),
        lambda: tuple(c for c in contacts if c.kind != "declined"),
        lambda: replace(rules, recontact_days=0),
        lambda: replace(rules, max_surveys=None),
        lambda: replace(situation, responses_today=0),
    ]
    state = {"situation": situation, "rules": rules, "person": person, "contacts": contacts,
             "tickets": tickets}
    for fix in fixes[:index]:
        situation, rules, person, contacts, tickets = (
            state["situation"], state["rules"], state["person"], state["contacts"],
            state["tickets"])
        value = fix()
        name = {Situation: "situation", Rules: "rules", PersonFacts: "person",
                TicketFacts: "tickets", tuple: "contacts"}[type(value)]
        state[name] = value
    decision = decide(state["situation"], state["rules"], state["person"], state["contacts"],
                      state["tickets"], NOW)
    assert decision.reason == REASONS[index]


def test_site_defaults_fill_what_the_survey_leaves_out() -> None:
    rules = Rules.merge({"decline_days": 10, "sample_rate": 0.5},
                        {"sample_rate": 0.2,
                         "segment_rates": [{"property": "plan", "value": "pro", "rate": 1}]})
    assert rules.decline_days == 10 and rules.sample_rate == 0.2
    assert rules.recontact_days == 90
    assert rules.segment_rates == (SegmentRate("plan", "pro", 1.0),)
