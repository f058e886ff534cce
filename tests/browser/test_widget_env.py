"""The widget under a strict CSP, offline, right to left, on a phone, in dark mode."""

from __future__ import annotations

from typing import Any

import pytest

from collector.core.extensions import db
from tests.browser.conftest import TEXTS_FULL, assert_accessible
from tests.browser.test_widget import open_survey, wait_for_responses
from tests.factories import make_survey

pytestmark = pytest.mark.browser
# What a cut connection logs (the widget's own log line, then the browser's).
OFFLINE = ("net::ERR_", "[tenpoint] Failed to fetch")

TEXTS_AR = {"question": "ما مدى احتمال أن توصي بنا لصديق؟",
            "follow_up": {"detractor": "ما الخطأ؟", "passive": "كيف نتحسن؟",
                          "promoter": "ما الذي أعجبك؟"}}
WATCH = ("window.violations = []; document.addEventListener('securitypolicyviolation', "
         "function (e) { violations.push(e.violatedDirective + ' ' + e.blockedURI); });")


def add_survey(host_site: Any, key: str, **config: Any) -> str:
    with host_site.app.app_context():
        return make_survey(db.session, host_site.keys.site_id, key=key, **config)


def box(page: Any) -> Any:
    return page.locator("tenpoint-survey .tp")


def test_strict_csp_page_from_the_issue(page, host_site) -> None:
    add_survey(host_site, "brand", texts={"en": TEXTS_FULL},
               appearance={"brand_color": "#ffcc00", "position": "bottom-left"})
    collector = host_site.collector
    csp = (f"default-src 'self'; script-src 'self' {collector}; style-src 'self' {collector}; "
           f"connect-src {collector}")
    host_site.add("/watch.js", WATCH, mimetype="text/javascript")
    url = host_site.page("/strict", '<script src="/watch.js"></script>'
                         + host_site.widget_tag(extra='data-survey="brand"'), csp=csp)
    page.goto(url)
    page.get_by_role("radio", name="9", exact=True).click()
    send = page.get_by_role("button", name="Send")
    send.wait_for()
    assert send.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(255, 204, 0)"
    assert send.evaluate("b => getComputedStyle(b).color") == "rgb(0, 0, 0)"
    assert box(page).evaluate("b => b.getBoundingClientRect().left") == 16
    wait_for_responses(host_site, page)
    assert page.evaluate("window.violations") == []
    assert page.evaluate("document.querySelector('tenpoint-survey').shadowRoot"
                         ".querySelectorAll('[style]').length") == 0


def test_a_nonce_only_csp_page(page, host_site) -> None:
    csp = f"script-src 'nonce-r4nd0m'; style-src 'nonce-r4nd0m'; connect-src {host_site.collector}"
    url = host_site.page("/nonce", '<script nonce="r4nd0m">' + WATCH + "</script>"
                         + host_site.widget_tag(extra='nonce="r4nd0m" data-survey="nps"'), csp=csp)
    page.goto(url)
    page.get_by_role("radio", name="5", exact=True).wait_for()
    assert box(page).evaluate("b => getComputedStyle(b).position") == "fixed"
    assert page.evaluate("window.violations") == []


def test_without_constructed_stylesheets_the_widget_links_widget_css_with_the_nonce(
        page, host_site) -> None:
    # Browsers before Safari 16.4 / Firefox 101: the fallback is a <link> carrying the nonce,
    # and the survey stays hidden until its stylesheet is in (no unstyled flash).
    page.add_init_script("delete ShadowRoot.prototype.adoptedStyleSheets;"
                         "delete Document.prototype.adoptedStyleSheets;")
    csp = f"script-src 'nonce-r4nd0m'; style-src 'nonce-r4nd0m'; connect-src {host_site.collector}"
    url = host_site.page("/old", '<script nonce="r4nd0m">' + WATCH + "</script>"
                         + host_site.widget_tag(extra='nonce="r4nd0m" data-survey="nps"'), csp=csp)
    with page.expect_response(f"{host_site.collector}/widget.css") as stylesheet:
        page.goto(url)
    assert stylesheet.value.ok
    page.get_by_role("radio", name="5", exact=True).wait_for()
    assert box(page).evaluate("b => getComputedStyle(b).position") == "fixed"
    assert page.evaluate("window.violations") == []


@pytest.mark.console_errors(*OFFLINE)
def test_offline_answers_are_sent_once_when_back_online(page, host_site) -> None:
    open_survey(page, host_site)
    page.context.set_offline(True)
    page.get_by_role("radio", name="8", exact=True).click()
    page.get_by_role("textbox", name="What would make it a 10?").fill("Dark mode")
    page.get_by_role("button", name="Send").click()
    page.get_by_role("status").wait_for()
    page.wait_for_timeout(500)
    assert len(page.evaluate("JSON.parse(localStorage.getItem('tenpoint_outbox'))")) == 1
    assert host_site.responses() == []
    page.context.set_offline(False)
    found = wait_for_responses(host_site, page, lambda r: r["comment"] == "Dark mode")
    assert [(r["score"], r["comment"]) for r in found] == [(8, "Dark mode")]
    # A new page load retries whatever is left; the same Idempotency-Key keeps it one answer.
    page.reload()
    page.wait_for_function("localStorage.getItem('tenpoint_outbox') === '[]'")
    assert len(host_site.responses()) == 1


@pytest.mark.console_errors(*OFFLINE)
def test_an_answer_left_in_the_outbox_for_over_a_week_is_dropped_not_sent(
        page, host_site) -> None:
    open_survey(page, host_site)
    page.context.set_offline(True)
    page.get_by_role("radio", name="9", exact=True).click()
    page.get_by_role("button", name="Skip").click()
    page.wait_for_timeout(500)
    # Eight days pass before the visitor comes back (past the collector's replay window a
    # retry could be stored twice; a week is well inside it).
    page.evaluate("""() => {
        const box = JSON.parse(localStorage.getItem('tenpoint_outbox'));
        box.forEach(item => { item.a -= 8 * 86400000; });
        localStorage.setItem('tenpoint_outbox', JSON.stringify(box));
    }""")
    page.context.set_offline(False)
    page.reload()
    page.wait_for_function("localStorage.getItem('tenpoint_outbox') === '[]'")
    page.wait_for_timeout(500)
    assert host_site.responses() == []


@pytest.mark.console_errors(*OFFLINE)
def test_a_retry_after_a_lost_answer_is_replayed_not_duplicated(page, host_site) -> None:
    open_survey(page, host_site)
    # The collector stores the score but the browser never hears back: it retries later.
    lost: list[str] = []

    def lose_the_first_reply(route) -> None:
        if lost:  # the retries reach the collector untouched
            route.continue_()
            return
        lost.append(route.request.url)
        route.fetch()  # the collector stores the answer...
        route.abort()  # ...and the browser never hears back

    page.route("**/v1/responses?*", lose_the_first_reply)
    page.get_by_role("radio", name="2", exact=True).click()
    page.get_by_role("textbox", name="What went wrong?").wait_for()
    wait_for_responses(host_site, page)
    page.get_by_role("button", name="Skip").click()
    # The outbox's retry (2 s backoff) is answered from the idempotency record.
    page.wait_for_function("localStorage.getItem('tenpoint_outbox') === '[]'", timeout=15000)
    assert [r["score"] for r in host_site.responses()] == [2]


def test_right_to_left_locale_mirrors_the_widget(page, host_site) -> None:
    add_survey(host_site, "rtl", texts={"ar": TEXTS_AR}, default_locale="ar")
    open_survey(page, host_site, calls="tenpoint('init', {user: {locale: 'ar'}});"
                                       "tenpoint('show', 'rtl');", path="/rtl")
    survey = box(page)
    assert survey.get_attribute("dir") == "rtl"
    assert survey.get_attribute("lang") == "ar"
    zero = page.get_by_role("radio", name="0", exact=True).bounding_box()
    ten = page.get_by_role("radio", name="10", exact=True).bounding_box()
    assert zero["x"] > ten["x"]
    close = page.get_by_role("button").first.bounding_box()
    survey_box = survey.bounding_box()
    assert close["x"] < survey_box["x"] + survey_box["width"] / 2
    page.get_by_role("radio", name="0", exact=True).focus()
    page.keyboard.press("ArrowLeft")
    assert page.get_by_role("radio", name="1", exact=True).is_checked()
    page.wait_for_timeout(300)
    assert_accessible(page)


def settled_box(page, reads: int = 50) -> dict:
    """The survey's box once layout has settled (stylesheet and fonts arrive after render)."""
    previous = box(page).bounding_box()
    for _ in range(reads):
        page.wait_for_timeout(50)
        current = box(page).bounding_box()
        if current == previous:
            return current
        previous = current
    return previous


def test_phone_viewport_is_a_bottom_sheet_answerable_by_touch(browser, host_site) -> None:
    # Reduced motion: the geometry is read without the entrance animation's offset.
    context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True,
                                  has_touch=True, reduced_motion="reduce")
    page = context.new_page()
    try:
        open_survey(page, host_site)
        rect = settled_box(page)
        assert (rect["x"], rect["width"]) == (0, 360)
        assert abs(rect["y"] + rect["height"] - 640) < 1
        page.get_by_role("radio", name="10", exact=True).tap()
        page.get_by_role("textbox", name="What do you love?").wait_for()
        assert_accessible(page)
    finally:
        context.close()


def test_dark_mode_and_reduced_motion(browser, host_site) -> None:
    context = browser.new_context(color_scheme="dark", reduced_motion="reduce")
    page = context.new_page()
    try:  # a host page that supports dark (docs/widget.md: what `auto` follows)
        open_survey(page, host_site, calls="document.documentElement.style.colorScheme = "
                                           "'light dark'; tenpoint('show', 'nps');")
        assert box(page).evaluate("b => getComputedStyle(b).backgroundColor") == \
            "rgb(31, 41, 55)"
        assert box(page).evaluate("b => getComputedStyle(b).animationName") == "none"
        assert_accessible(page)
    finally:
        context.close()


def test_host_page_styles_do_not_leak_in(page, host_site) -> None:
    host_site.add("/loud.css", "* { color: rgb(255, 0, 0) !important; font-size: 40px; }",
                  mimetype="text/css")
    open_survey(page, host_site, path="/loud")
    page.evaluate("""() => { const l = document.createElement('link'); l.rel = 'stylesheet';
        l.href = '/loud.css'; document.head.appendChild(l); }""")
    page.wait_for_timeout(200)
    legend = page.get_by_text(TEXTS_FULL["question"])
    assert legend.evaluate("e => getComputedStyle(e).color") != "rgb(255, 0, 0)"
