"""The widget on a customer's page: queue replay, answering, follow-ups, dismissing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import TEXTS_FULL, assert_accessible

pytestmark = pytest.mark.browser

STUB = ("<script>window.tenpoint=window.tenpoint||function(){(tenpoint.q=tenpoint.q||[])"
        ".push(arguments)};</script>")


def open_survey(page: Any, host_site: Any, calls: str = "tenpoint('show', 'nps');",
                path: str = "/app") -> None:
    url = host_site.page(path, STUB + f"<script>{calls}</script>"
                         + host_site.widget_tag(extra='data-auto="false"'))
    page.goto(url)
    page.get_by_role("radio", name="0", exact=True).wait_for()


def wait_for_responses(host_site: Any, page: Any, predicate: Any = lambda r: True,
                       count: int = 1) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for _ in range(60):
        found = [r for r in host_site.responses() if predicate(r)]
        if len(found) >= count:
            return found
        page.wait_for_timeout(100)
    raise AssertionError(f"expected {count} response(s), the collector has {found}")


def test_calls_queued_before_the_script_loads_are_replayed(page, host_site) -> None:
    calls = ("window.seen = []; tenpoint('on', 'show', function (e) { seen.push(e.survey); });"
             "tenpoint('show', 'nps');")
    open_survey(page, host_site, calls=calls)
    assert page.evaluate("window.seen") == ["nps"]
    assert page.get_by_role("radiogroup", name=TEXTS_FULL["question"]).is_visible()
    assert page.get_by_text("Not at all likely").is_visible()
    assert page.get_by_text("Extremely likely").is_visible()


def test_the_official_snippet_loads_the_widget_and_replays_calls(page, host_site) -> None:
    from widget.build import snippet

    code = snippet().replace("https://COLLECTOR", host_site.collector).replace(
        "SITE_KEY", host_site.keys.publishable)
    page.goto(host_site.page("/snippet", f"<script>{code}</script>"
                             "<script>tenpoint('init', {auto: false});"
                             "tenpoint('show', 'nps');</script>"))
    page.get_by_role("radio", name="10", exact=True).wait_for()
    assert page.evaluate("Object.keys(window).filter(k => k.startsWith('tenpoint'))") == [
        "tenpoint"]


def test_the_survey_shows_after_two_requests_the_script_and_the_eligibility_answer(
        page, host_site) -> None:
    # Each request to the collector is a round trip before the survey can show; the styles
    # travel inside widget.js (issue 10), so there is no third one for widget.css.
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url.split("?")[0])
            if r.url.startswith(host_site.collector) else None)
    open_survey(page, host_site)
    assert page.locator("tenpoint-survey .tp").evaluate(
        "b => getComputedStyle(b).position") == "fixed"
    assert asked == [f"{host_site.collector}/widget.js", f"{host_site.collector}/v1/eligibility"]


def test_loading_the_script_twice_shows_one_survey(page, host_site) -> None:
    open_survey(page, host_site)
    page.evaluate(f"""() => new Promise(done => {{
        const s = document.createElement('script');
        s.src = '{host_site.collector}/widget.js?again'; s.onload = done;
        document.head.appendChild(s); }})""")
    page.evaluate("tenpoint('show', 'nps')")
    page.wait_for_timeout(300)
    assert page.locator("tenpoint-survey").count() == 1


def test_keyboard_only_answer_with_comment_and_second_answer(page, host_site) -> None:
    open_survey(page, host_site)
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.shadowRoot?.activeElement?.type") == "radio":
            break
    for _ in range(9):
        page.keyboard.press("ArrowRight")
    assert page.get_by_role("radio", name="9", exact=True).is_checked()
    page.keyboard.press("Enter")
    comment = page.get_by_role("textbox", name="What do you love?")
    comment.wait_for()
    assert comment.evaluate("el => el.getRootNode().activeElement === el")
    page.keyboard.type("Fast and friendly")
    page.keyboard.press("Tab")
    page.keyboard.type("Reports")
    page.keyboard.press("Tab")  # Skip
    page.keyboard.press("Tab")  # Send
    page.keyboard.press("Enter")
    assert page.get_by_role("status").inner_text() == "Wonderful, thank you!"
    found = wait_for_responses(host_site, page, lambda r: r["comment"])
    assert [(r["score"], r["comment"], r["answers"]) for r in found] == [
        (9, "Fast and friendly", {"second": "Reports"})]


@pytest.mark.parametrize(("score", "category"), [(3, "detractor"), (7, "passive"),
                                                  (10, "promoter")])
def test_the_follow_up_and_thanks_depend_on_the_category(page, host_site, score,
                                                         category) -> None:
    open_survey(page, host_site, calls="window.got = []; tenpoint('on', 'response', "
                                       "function (e) { got.push(e); }); tenpoint('show', 'nps');")
    page.get_by_role("radio", name=str(score), exact=True).click()
    page.get_by_role("textbox", name=TEXTS_FULL["follow_up"][category]).wait_for()
    # Score first: stored before the follow-up is answered.
    assert [r["score"] for r in wait_for_responses(host_site, page)] == [score]
    assert page.evaluate("window.got") == [{"survey": "nps", "score": score,
                                            "category": category}]
    page.get_by_role("button", name="Skip").click()
    assert page.get_by_role("status").inner_text() == TEXTS_FULL["thank_you"][category]
    review = page.get_by_role("link", name="Leave us a review")
    assert review.count() == (1 if category == "promoter" else 0)


def test_an_abandoned_follow_up_keeps_the_score(page, host_site) -> None:
    open_survey(page, host_site)
    page.get_by_role("radio", name="6", exact=True).click()
    page.get_by_role("textbox", name="What went wrong?").wait_for()
    page.goto("about:blank")
    assert [(r["score"], r["comment"]) for r in wait_for_responses(host_site, page)] == [
        (6, None)]


def test_dismissing_records_a_decline_and_the_engine_throttles(page, host_site) -> None:
    open_survey(page, host_site, calls="window.gone = 0; tenpoint('on', 'dismiss', "
                                       "function () { gone++; }); tenpoint('show', 'nps');")
    with page.expect_response(lambda r: "/v1/declines" in r.url) as declined:
        page.get_by_role("button", name="Close survey").click()
    assert declined.value.status == 200
    assert page.locator("tenpoint-survey").count() == 0
    assert page.evaluate("window.gone") == 1
    with page.expect_response(lambda r: "/v1/eligibility" in r.url) as again:
        page.evaluate("tenpoint('show', 'nps')")
    assert again.value.json()["reason"] == "recently_declined"
    assert host_site.responses() == []


def test_escape_dismisses(page, host_site) -> None:
    open_survey(page, host_site)
    page.get_by_role("radio", name="0", exact=True).focus()
    with page.expect_response(lambda r: "/v1/declines" in r.url):
        page.keyboard.press("Escape")
    assert page.locator("tenpoint-survey").count() == 0


def test_reset_forgets_the_anonymous_visitor(page, host_site) -> None:
    open_survey(page, host_site)
    first = page.evaluate("localStorage.getItem('tenpoint_anon')")
    page.evaluate("tenpoint('reset')")
    assert page.locator("tenpoint-survey").count() == 0
    assert page.evaluate("localStorage.getItem('tenpoint_anon')") is None
    page.evaluate("tenpoint('show', 'nps')")
    page.get_by_role("radio", name="0", exact=True).wait_for()
    assert page.evaluate("localStorage.getItem('tenpoint_anon')") not in (None, first)


def test_checks_carry_the_first_seen_time_the_browser_keeps(page, host_site) -> None:
    with page.expect_request(lambda r: "/v1/eligibility" in r.url) as first:
        open_survey(page, host_site)
    seen = first.value.post_data_json["first_seen_at"]
    assert seen.endswith("Z")
    assert page.evaluate("new Date(+localStorage.getItem('tenpoint_seen')).toISOString()") \
        == seen
    with page.expect_request(lambda r: "/v1/eligibility" in r.url) as again:
        page.reload()
    assert again.value.post_data_json["first_seen_at"] == seen
    page.evaluate("tenpoint('reset')")
    assert page.evaluate("localStorage.getItem('tenpoint_seen')") is None


@pytest.mark.console_errors("[tenpoint] unknown")  # what it provokes
def test_errors_are_logged_with_the_prefix_and_never_thrown(page, host_site) -> None:
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.on("pageerror", lambda e: messages.append(f"UNCAUGHT {e}"))
    open_survey(page, host_site, calls="tenpoint('nonsense'); tenpoint('on', 'nope', 1);"
                                       "tenpoint('show', 'nps');")
    assert not [m for m in messages if m.startswith("UNCAUGHT")]
    logged = [m for m in messages if "nonsense" in m or "nope" in m]
    assert len(logged) == 2 and all(m.startswith("[tenpoint]") for m in logged)


def test_every_widget_state_is_accessible(page, host_site) -> None:
    open_survey(page, host_site)
    page.wait_for_timeout(300)  # the entrance animation
    assert_accessible(page)
    page.get_by_role("radio", name="4", exact=True).click()
    page.get_by_role("textbox", name="What went wrong?").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Send").click()
    page.get_by_role("status").wait_for()
    assert_accessible(page)


def test_a_tracked_event_shows_the_survey_configured_for_it(page, host_site) -> None:
    from collector.core.extensions import db
    from tests.factories import make_survey

    with host_site.app.app_context():
        make_survey(db.session, host_site.keys.site_id, key="upgrade",
                    texts={"en": {"question": "How was upgrading?"}},
                    show_on={"events": ["upgraded"]})
    open_survey(page, host_site, calls="tenpoint('track', 'upgraded');")
    assert page.get_by_role("radiogroup", name="How was upgrading?").is_visible()


def test_a_page_view_shows_a_survey_without_any_call(page, host_site) -> None:
    page.goto(host_site.page("/plain", host_site.widget_tag()))
    page.get_by_role("radiogroup", name=TEXTS_FULL["question"]).wait_for()


def test_after_a_refused_page_view_the_widget_stays_quiet_for_the_period(page, host_site) -> None:
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.post_data or "")
            if "/v1/eligibility" in r.url else None)
    url = host_site.page("/plain", host_site.widget_tag())
    page.goto(url)
    with page.expect_response(lambda r: "/v1/declines" in r.url):
        page.get_by_role("button", name="Close survey").click()
    with page.expect_response(lambda r: "/v1/eligibility" in r.url) as refused:
        page.reload()
    assert (refused.value.json()["reason"], refused.value.json()["recheck_after"]) == (
        "recently_declined", 300)
    asked.clear()
    page.reload()
    # A named survey still asks; the automatic check of this page view did not.
    with page.expect_response(lambda r: "/v1/eligibility" in r.url):
        page.evaluate("tenpoint('show', 'nps')")
    assert [('"survey"' in body) for body in asked] == [True]
    # Once the period is over, page views ask again.
    page.evaluate("localStorage.setItem('tenpoint_quiet', localStorage.getItem("
                  "'tenpoint_quiet').replace(/^[0-9]+/, String(Date.now() - 1)))")
    with page.expect_response(lambda r: "/v1/eligibility" in r.url) as later:
        page.reload()
    assert later.value.json()["reason"] == "recently_declined"
