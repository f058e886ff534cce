"""The console in Chromium, a real person's path: sign in, filter, open a response, assign a
detractor, release a quarantined answer, edit a survey and see the new version. Every screen
has zero axe violations and no horizontal overflow at 1280 and 390 px, and no console error."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from collector.core.clock import now
from collector.core.extensions import db
from collector.core.survey_lookup import find_survey
from collector.models import Site
from collector.people.lookup import upsert_person
from collector.responses.recording import NewResponse, record_response
from tests.browser.conftest import TEXTS_FULL, assert_accessible
from tests.factories import make_site, make_survey

pytestmark = pytest.mark.browser
WIDTHS = (1280, 390)


@pytest.fixture
def console(app: Any, live_server: Any) -> Any:
    server = live_server(app)
    with app.app_context():
        keys = make_site(db.session)
        make_survey(db.session, keys.site_id,
                    texts={"en": TEXTS_FULL, "ar": {"question": "ما مدى احتمال أن توصي بنا؟"}})
        site = db.session.get(Site, keys.site_id)
        assert site is not None
        site.settings = {"followup": {"owners": ["ana@example.com", "bo@example.com"]}}
        survey = find_survey(db.session, keys.site_id, "nps")
        assert survey is not None
        moment = now()
        answers = [(10, "Fast and friendly", "checkout", "accepted", 1),
                   (9, "Great exports", "support", "accepted", 9),
                   (2, "The invoice was wrong twice", "billing", "accepted", 3),
                   (7, None, "checkout", "accepted", 20),
                   (0, "buy cheap pills", "checkout", "quarantined", 2)]
        for score, comment, touchpoint, verdict, days_ago in answers:
            at = moment - timedelta(days=days_ago)
            person = upsert_person(db.session, keys.site_id, at, user_id=None)
            record_response(db.session, survey, person, NewResponse(
                score=score, comment=comment, touchpoint=touchpoint, verdict=verdict,
                verdict_reasons=["too_fast"] if verdict == "quarantined" else []), at)
        db.session.commit()

    class Console:
        url = server.url + "/console/"
        site = keys

    return Console()


def _watch(page: Any) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"UNCAUGHT {e}"))
    return problems


def _check(page: Any, problems: list[str]) -> None:
    """axe finds nothing, and neither width scrolls sideways."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert overflow[0] <= overflow[1], (page.url, width, overflow)
        assert_accessible(page)
    assert problems == []


def _open(page: Any, link: str, heading: str) -> None:
    """Follow a link of the console's navigation and wait for the new page's heading."""
    with page.expect_navigation():
        page.get_by_role("navigation").get_by_role("link", name=link, exact=True).click()
    page.get_by_role("heading", name=heading, level=1, exact=True).wait_for()


def _sign_in(page: Any, console: Any, key: str) -> None:
    page.goto(console.url)
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Overview").wait_for()


def test_a_person_works_through_the_console(page: Any, console: Any) -> None:
    problems = _watch(page)
    page.goto(console.url)
    _check(page, problems)  # the sign-in form
    _sign_in(page, console, console.site.admin)
    assert page.locator(".nps").inner_text() == "25"
    _check(page, problems)

    # Filter: detractors whose comment mentions the invoice.
    _open(page, "Responses", "Responses")
    _check(page, problems)
    page.get_by_label("Category").select_option("detractor")
    page.get_by_label("Comment contains").fill("invoice")
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    assert "q=invoice" in page.url
    cards = page.locator(".cards li")
    assert cards.count() == 1 and "The invoice was wrong twice" in cards.inner_text()
    _check(page, problems)

    # Open the response, then its follow-up case, and assign it.
    cards.get_by_role("link").click()
    page.get_by_role("heading", name=re.compile(r"Answer \d+: 2")).wait_for()
    _check(page, problems)
    page.get_by_role("link", name=re.compile(r"Case \d+")).click()
    _check(page, problems)
    page.get_by_label("Owner").fill("bo@example.com")
    page.get_by_role("button", name="Assign").click()
    assert "assigned to bo@example.com" in page.get_by_role("status").inner_text()
    page.get_by_label("Status", exact=True).select_option("contacted")
    page.get_by_role("button", name="Change status").click()
    page.get_by_role("heading", name=re.compile(r"Case \d+: contacted")).wait_for()
    _open(page, "Follow-ups", "Follow-up inbox")
    assert "owner bo@example.com" in page.locator(".cards").inner_text()
    _check(page, problems)

    # Release the quarantined answer: the score now counts it.
    _open(page, "Quarantine", "Quarantine")
    _check(page, problems)
    page.get_by_role("button", name=re.compile(r"Release answer \d+")).click()
    assert "is released" in page.get_by_role("status").inner_text()
    assert "Nothing is held back." in page.locator(".cards").first.inner_text()
    _check(page, problems)
    _open(page, "Overview", "Overview")
    assert page.locator(".nps").inner_text() == "0"  # 2 promoters, 1 passive, 2 detractors

    # Edit the survey and see the new version, with the preview in both locales.
    _open(page, "Surveys", "Surveys")
    _check(page, problems)
    page.get_by_role("link", name="NPS").click()
    assert page.locator('section.preview[dir="rtl"]').is_visible()
    _check(page, problems)
    page.get_by_label("Name").fill("After checkout")
    page.locator('[id="texts.en.question"]').fill("Would you recommend us to a friend?")
    page.locator('[id="appearance.brand_color"]').fill("#3355ff")
    page.get_by_role("button", name="Save as a new version").click()
    assert page.get_by_role("status").inner_text() == "Saved as version 2."
    assert page.get_by_role("heading", name=re.compile("After checkout")).is_visible()
    english = page.locator('section.preview[lang="en"]').inner_text()
    assert "Would you recommend us to a friend?" in english
    assert page.locator("table tbody tr").first.inner_text().startswith("2 (current)")
    _check(page, problems)


def test_a_read_key_sees_every_screen_without_forms(page: Any, console: Any) -> None:
    problems = _watch(page)
    _sign_in(page, console, console.site.read)
    for name, heading in (("Responses", "Responses"), ("Follow-ups", "Follow-up inbox"),
                          ("Quarantine", "Quarantine"), ("Surveys", "Surveys"),
                          ("Overview", "Overview")):
        _open(page, name, heading)
        assert page.locator("form[method=post]").count() == 1  # "Sign out" only
        _check(page, problems)
