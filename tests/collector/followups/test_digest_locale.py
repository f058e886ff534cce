"""The digest email in the team's locale: signed NPS, percents, grouped counts and dates
formatted by Babel as the report page formats them; and weekly alerts told once."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from sqlalchemy import select

from collector.core.extensions import db
from collector.followups.digest import digest_locale, render_text, send_digests
from collector.models import Job, Site
from tests.collector.followups.test_digest import send_weekly_digests

DIGEST: dict[str, Any] = {
    "site": "example", "team": "billing",
    "week_start": "2026-03-02T08:00:00+00:00", "week_end": "2026-03-09T08:00:00+00:00",
    "this_week": {"nps": -12.4, "responses": 1234, "interval": [-17.6, -7.1],
                  "shares": {"promoters": 0.305, "passives": 0.266, "detractors": 0.429}},
    "previous_week": {"nps": 3.0, "responses": 1100, "interval": [-2.0, 8.0],
                      "shares": {"promoters": 0.4, "passives": 0.23, "detractors": 0.37}},
    "change": {"points": -15.44, "p_value": 0.0001, "significant": True},
    "open_cases": 1502, "overdue_cases": 12,
    "detractor_verbatims": [{"score": 2, "comment": "Card refused",
                             "at": "2026-03-05T10:00:00+00:00"}],
    "promoter_verbatims": [{"score": 10, "comment": "Fast", "at": "2026-03-06T10:00:00+00:00"}],
}
LRM, NBSP, THIN, DASH, MINUS = "\u200e", "\xa0", "\u2009", "\u2013", "\u2212"

EXPECTED = {
    "en": [f"Week: Mar 2{THIN}{DASH}{THIN}9, 2026",
           "NPS this week: -12 (95% interval -18 to -7, n = 1,234)",
           "Promoters 30%, passives 27%, detractors 43%",
           "Change: -15.4 points vs last week, a significant change",
           "Open follow-up cases: 1,502 (12 overdue)",
           "  [2] Card refused (Mar 5, 2026)"],
    "de": [f"Week: 2.{DASH}9. März 2026",
           f"NPS this week: -12 (95{NBSP}% interval -18 to -7, n = 1.234)",
           f"Promoters 30{NBSP}%, passives 27{NBSP}%, detractors 43{NBSP}%",
           "Change: -15,4 points vs last week, a significant change",
           "Open follow-up cases: 1.502 (12 overdue)",
           "  [2] Card refused (05.03.2026)"],
    # Arabic: CLDR's left-to-right mark before each sign keeps it by its number in
    # right-to-left text; dates and months in Arabic.
    "ar": [f"Week: 2{DASH}9 مارس 2026",
           f"NPS this week: {LRM}-12 (95% interval {LRM}-18 to {LRM}-7, n = 1,234)",
           "Promoters 30%, passives 27%, detractors 43%",
           f"Change: {LRM}-15.4 points vs last week, a significant change",
           "Open follow-up cases: 1,502 (12 overdue)",
           "  [2] Card refused (05\u200f/03\u200f/2026)"],
}


@pytest.mark.parametrize("locale", sorted(EXPECTED))
def test_numbers_and_dates_follow_the_locale(locale: str) -> None:
    lines = render_text(DIGEST, locale).splitlines()
    for expected in EXPECTED[locale]:
        assert expected in lines


def test_a_rise_has_a_plus_sign_and_zero_none() -> None:
    rising = {**DIGEST, "this_week": {**DIGEST["this_week"], "nps": 0.3, "interval": [-4.2, 5]},
              "change": {"points": 12.25, "p_value": 0.01, "significant": True}}
    text = render_text(rising, "sv")  # Swedish writes a true minus sign
    assert f"NPS this week: 0 (95{NBSP}% interval {MINUS}4 to +5, n = 1{NBSP}234)" in text
    assert "Change: +12,2 points vs last week" in text  # half-even, as Babel rounds


def test_no_answers_show_no_figures() -> None:
    empty = {**DIGEST, "this_week": {"nps": None, "responses": 0, "interval": None,
                                     "shares": {"promoters": None, "passives": None,
                                                "detractors": None}}, "change": None}
    text = render_text(empty, "de")
    assert "NPS this week: no answers" in text and "passives" not in text
    assert "Change: not enough answers to compare" in text


def test_the_digest_locale_is_the_teams_then_the_sites_default(case_app, case_site) -> None:
    with case_app.app_context():
        site = db.session.get(Site, case_site.site_id)
        site.default_locale = "fr"
        assert digest_locale(site, "billing") == "fr"
        site.settings = {"followup": {"digest_locale": "de"}}
        assert digest_locale(site, None) == "de"
        site.settings = {"followup": {"digest_locale": {"*": "ar", "billing": "de"}}}
        assert (digest_locale(site, "billing"), digest_locale(site, "support"),
                digest_locale(site, None)) == ("de", "ar", "ar")


def _body(raw: bytes) -> str:
    message: Message = message_from_bytes(raw)
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")


def test_the_email_is_sent_in_the_teams_locale(make_app, sqlite_url, clock) -> None:
    received = [(to, _body(raw)) for to, raw in send_weekly_digests(
        make_app, sqlite_url, clock, {"digest_locale": {"*": "en", "billing": "de"},
                                      "teams": {"billing": ["cy@example.com"]},
                                      "digest_recipients": {"*": ["lead@example.com"]}})]
    bodies = dict((to[0], body) for to, body in received)
    assert f"Week: 2.{DASH}9. März 2026" in bodies["cy@example.com"]
    assert f"Week: Mar 2{THIN}{DASH}{THIN}9, 2026" in bodies["lead@example.com"]


# --- the weekly alert, told once per shift ------------------------------------------------

def _week_of(answer, clock, score: int, tag: str) -> None:
    """Thirty answers an hour into the week; the clock ends at the week's end."""
    clock.advance(hours=1)
    for n in range(30):
        answer(score, f"{tag}{n}")
    clock.advance(days=7, hours=-1)


def _alerts_sent(case_app, case_site, clock) -> list[dict[str, Any]]:
    with case_app.app_context():
        send_digests(db.session, {"site_id": case_site.site_id}, clock())
        db.session.commit()
        return [j.payload["data"] for j in db.session.scalars(
            select(Job).where(Job.kind == "event.dispatch", Job.created_at == clock()))
            if j.payload["type"] == "alert.nps_shift"]


def test_a_weekly_drop_is_told_once_and_the_recovery_once(case_app, case_site, answer,
                                                          clock) -> None:
    _week_of(answer, clock, 10, "w1-")
    _week_of(answer, clock, 1, "w2-")
    dropped = _alerts_sent(case_app, case_site, clock)
    assert [(a["team"], a["status"], a["direction"]) for a in dropped] == [
        (None, "new", "down")]
    _week_of(answer, clock, 1, "w3-")  # as bad as last week: no news, and the shift ended
    assert _alerts_sent(case_app, case_site, clock) == []
    _week_of(answer, clock, 10, "w4-")
    recovered = _alerts_sent(case_app, case_site, clock)
    assert [(a["status"], a["direction"]) for a in recovered] == [("new", "up")]


def test_digest_alerts_keep_their_own_state_per_team(case_app, case_site, answer,
                                                      clock) -> None:
    for n in range(30):
        answer(10, f"b{n}", touchpoint="checkout")
    clock.advance(days=7)
    for n in range(30):
        answer(1, f"a{n}", touchpoint="checkout")
    clock.advance(days=1)
    told = _alerts_sent(case_app, case_site, clock)
    assert sorted(str(a["team"]) for a in told) == ["None", "billing"]
    assert all(a["status"] == "new" for a in told)
    with case_app.app_context():
        send_digests(db.session, {"site_id": case_site.site_id}, clock() + timedelta(hours=1))
        again = [j for j in db.session.scalars(select(Job).where(
            Job.created_at == clock() + timedelta(hours=1)))
            if j.payload.get("type") == "alert.nps_shift"]
    assert again == []  # a retried digest run does not tell the same shift twice
