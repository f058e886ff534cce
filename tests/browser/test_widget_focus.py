"""The survey as a non-modal dialog: focus, Escape, the thank-you step, the automatic theme."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_widget import STUB, open_survey

pytestmark = pytest.mark.browser

IN_SURVEY = "document.activeElement && document.activeElement.localName === 'tenpoint-survey'"


@pytest.mark.parametrize("score", [3, 7])
def test_the_thank_you_step_without_a_promoter_link_shows_and_closes_cleanly(
        page, host_site, score) -> None:
    # The console-error watch (conftest) fails this test if the step throws.
    open_survey(page, host_site)
    page.get_by_role("radio", name=str(score), exact=True).click()
    page.get_by_role("button", name="Skip").click()
    page.get_by_role("status").wait_for()
    assert page.evaluate(IN_SURVEY)  # the thank-you message holds focus, not <body>
    page.keyboard.press("Escape")
    assert page.locator("tenpoint-survey").count() == 0


def test_focus_moves_into_the_survey_when_it_appears_and_back_when_it_closes(
        page, host_site) -> None:
    url = host_site.page("/focus", STUB + '<button id="mine">Mine</button><script>'
                         "document.getElementById('mine').focus();tenpoint('show','nps');"
                         "</script>" + host_site.widget_tag(extra='data-auto="false"'))
    page.goto(url)
    page.get_by_role("radio", name="0", exact=True).wait_for()
    assert page.get_by_role("radio", name="0", exact=True).evaluate(
        "r => r.getRootNode().activeElement === r")
    page.get_by_role("button", name="Close").click()
    assert page.evaluate("document.activeElement.id") == "mine"


def test_a_visitor_typing_in_the_host_page_keeps_the_focus(page, host_site) -> None:
    url = host_site.page("/typing", STUB + '<label>Search <input id="q"></label>'
                         + host_site.widget_tag(extra='data-auto="false"'))
    page.goto(url)
    page.locator("#q").focus()
    page.evaluate("tenpoint('show', 'nps')")
    page.get_by_role("radio", name="0", exact=True).wait_for()
    assert page.evaluate("document.activeElement.id") == "q"


def test_escape_closes_the_survey_wherever_focus_is(page, host_site) -> None:
    open_survey(page, host_site)
    page.evaluate("document.body.focus(); document.activeElement.blur()")
    assert not page.evaluate(IN_SURVEY)
    with page.expect_response(lambda r: "/v1/declines" in r.url):
        page.keyboard.press("Escape")
    assert page.locator("tenpoint-survey").count() == 0


def test_escape_the_host_page_already_handled_leaves_the_survey_open(page, host_site) -> None:
    open_survey(page, host_site, calls="document.addEventListener('keydown', function (e) "
                                       "{ e.preventDefault(); }, true); tenpoint('show', 'nps');")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("Escape")
    assert page.locator("tenpoint-survey").count() == 1


def card_background(browser: Any, host_site: Any, *, scheme: str, style: str) -> str:
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    try:
        url = host_site.page("/theme",
                             f"<style>{style}</style>" + STUB + "<script>tenpoint('show','nps')"
                             "</script>" + host_site.widget_tag(extra='data-auto="false"'))
        page.goto(url)
        page.get_by_role("radio", name="0", exact=True).wait_for()
        return page.locator("tenpoint-survey .tp").evaluate(
            "b => getComputedStyle(b).backgroundColor")
    finally:
        context.close()


LIGHT, DARK = "rgb(255, 255, 255)", "rgb(31, 41, 55)"


@pytest.mark.parametrize(("scheme", "style", "expected"), [
    ("dark", "", LIGHT),  # a plain page is white whatever the system prefers
    ("dark", "body { background: #fafafa; }", LIGHT),
    ("light", "body { background: #111827; color: #eee; }", DARK),
    ("light", "html { background: rgb(20, 20, 20); }", DARK),
    ("dark", ":root { color-scheme: light dark; }", DARK),
    ("light", ":root { color-scheme: light dark; }", LIGHT),
    ("light", ":root { color-scheme: dark; }", DARK),
])
def test_the_auto_theme_follows_the_host_page(browser, host_site, scheme, style,
                                              expected) -> None:
    assert card_background(browser, host_site, scheme=scheme, style=style) == expected
