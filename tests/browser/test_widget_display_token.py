"""The real widget answers with its display's token, and the collector, judging as in
production, accepts it (docs/protection.md, "Display tokens")."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_widget import STUB, wait_for_responses

pytestmark = pytest.mark.browser

# What a person's Chrome says: the headless build names itself, and automation sets
# navigator.webdriver; both are tested elsewhere, and both would hide what this test is about.
CHROME = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/131.0.0.0 Safari/537.36")


@pytest.fixture
def person_page(browser: Any) -> Any:
    context = browser.new_context(user_agent=CHROME)
    context.add_init_script("Object.defineProperty(navigator, 'webdriver', {get: () => false})")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"UNCAUGHT {e}"))
    yield page
    context.close()
    assert problems == []


def test_the_real_widgets_answer_carries_its_token_and_is_accepted(person_page,
                                                                   host_site) -> None:
    page = person_page
    host_site.app.config["BOT_VERDICTS"] = True
    host_site.add("/favicon.ico", "", mimetype="image/x-icon")  # no 404 in the console
    sent: list[dict[str, Any]] = []
    page.on("request", lambda r: sent.append(r.post_data_json)
            if "/v1/responses" in r.url and r.method == "POST" else None)
    url = host_site.page("/app", STUB + "<script>tenpoint('show', 'nps');</script>"
                         + host_site.widget_tag(extra='data-auto="false"'))
    page.goto(url)
    page.get_by_role("radio", name="8", exact=True).wait_for()
    page.wait_for_timeout(1200)  # a person reads the question
    page.get_by_role("radio", name="8", exact=True).click()
    (answer,) = wait_for_responses(host_site, page)
    assert sent and sent[0]["display_token"].count(".") == 5
    assert (answer["score"], answer["verdict"], answer["verdict_reasons"]) == \
        (8, "accepted", [])


def test_with_proof_of_work_on_the_real_widget_solves_it_and_is_accepted(person_page,
                                                                        host_site) -> None:
    from collector.core.extensions import db
    from tests.factories import make_survey

    page = person_page
    host_site.app.config["BOT_VERDICTS"] = True
    host_site.add("/favicon.ico", "", mimetype="image/x-icon")
    with host_site.app.app_context():
        make_survey(db.session, host_site.keys.site_id, "guarded", proof_of_work="always")
    sent: list[dict[str, Any]] = []
    page.on("request", lambda r: sent.append(r.post_data_json)
            if "/v1/responses" in r.url and r.method == "POST" else None)
    url = host_site.page("/app", STUB + "<script>tenpoint('show', 'guarded');</script>"
                         + host_site.widget_tag(extra='data-auto="false"'))
    page.goto(url)
    page.get_by_role("radio", name="9", exact=True).wait_for()
    page.wait_for_timeout(1200)
    page.get_by_role("radio", name="9", exact=True).click()
    (answer,) = wait_for_responses(host_site, page)
    assert sent[0]["proof_of_work"] and sent[0]["display_token"]
    assert (answer["survey"], answer["verdict"], answer["verdict_reasons"]) == \
        ("guarded", "accepted", [])
