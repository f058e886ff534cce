"""The widget in a right-to-left and a CJK locale: mirrored scale, no English left, and
screenshots kept under test-artifacts/ for a human look."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from collector.core.extensions import db
from collector.languages.catalogs import INTERFACE_STRINGS, translations_for
from tests.factories import make_survey

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
STUB = ("<script>window.tenpoint=window.tenpoint||function(){(tenpoint.q=tenpoint.q||[])"
        ".push(arguments)};</script>")
QUESTION = "How likely are you to recommend %(brand)s to a friend or colleague?"


def texts(locale: str) -> dict[str, Any]:
    return {"question": translations_for(locale).gettext(QUESTION) % {"brand": "Acme"}}


def open_in_locale(browser: Any, host_site: Any, browser_locale: str) -> tuple[Any, Any]:
    with host_site.app.app_context():
        make_survey(db.session, host_site.keys.site_id, "world",
                    texts={tag: texts(tag) for tag in ("en", "ar", "he", "ja", "zh-Hans")})
    context = browser.new_context(locale=browser_locale, viewport={"width": 900, "height": 700})
    page = context.new_page()
    url = host_site.page(f"/{browser_locale}", STUB + "<script>tenpoint('show', 'world');"
                         "</script>" + host_site.widget_tag(extra='data-auto="false"'))
    page.goto(url)
    page.get_by_role("radio", name="0", exact=True).wait_for()
    page.locator("tenpoint-survey .tp").wait_for(state="visible")
    return context, page


def widget_text(page: Any) -> str:
    return page.evaluate("document.querySelector('tenpoint-survey').shadowRoot.textContent")


def centre_x(page: Any, score: int) -> float:
    box = page.get_by_role("radio", name=str(score), exact=True).bounding_box()
    return box["x"] + box["width"] / 2


def test_arabic_widget_is_right_to_left_with_zero_on_the_right(browser, host_site) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context, page = open_in_locale(browser, host_site, "ar-EG")
    try:
        box = page.locator("tenpoint-survey .tp")
        assert (box.get_attribute("dir"), box.get_attribute("lang")) == ("rtl", "ar")
        # The decision in docs/i18n.md: the scale follows the reading direction.
        assert centre_x(page, 0) > centre_x(page, 5) > centre_x(page, 10)
        low = page.locator("tenpoint-survey #tp-lo").bounding_box()
        high = page.locator("tenpoint-survey #tp-hi").bounding_box()
        assert low["x"] > high["x"]
        shown = widget_text(page)
        assert "غير مرجح على الإطلاق" in shown and "مرجح للغاية" in shown
        assert [s for s in INTERFACE_STRINGS.values() if s in shown] == []
        page.screenshot(path=str(ARTIFACTS / "widget-ar.png"))
        # Arrow keys follow the mirrored layout: left goes towards 10.
        page.get_by_role("radio", name="0", exact=True).focus()
        page.keyboard.press("ArrowLeft")
        assert page.get_by_role("radio", name="1", exact=True).is_checked()
    finally:
        context.close()


def test_japanese_widget_is_in_japanese(browser, host_site) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context, page = open_in_locale(browser, host_site, "ja-JP")
    try:
        box = page.locator("tenpoint-survey .tp")
        assert (box.get_attribute("dir"), box.get_attribute("lang")) == ("ltr", "ja")
        assert centre_x(page, 0) < centre_x(page, 10)
        shown = widget_text(page)
        assert texts("ja")["question"] in shown and "Acmeを友人や同僚に薦める" in shown
        assert "まったく薦めない" in shown and "送信" in shown
        assert [s for s in INTERFACE_STRINGS.values() if s in shown] == []
        page.screenshot(path=str(ARTIFACTS / "widget-ja.png"))
    finally:
        context.close()


def browser_reading(browser: Any, languages: list[str]) -> Any:
    """A context whose visitor set these languages, best first: Chromium sends the same list
    as navigator.languages and as Accept-Language (Playwright's ``locale`` takes only one)."""
    header = ",".join(f"{tag};q={1 - i / 10:.1f}" if i else tag
                      for i, tag in enumerate(languages))
    context = browser.new_context(locale=languages[0],
                                  extra_http_headers={"Accept-Language": header})
    context.add_init_script("Object.defineProperty(Navigator.prototype, 'languages', "
                            f"{{get: () => {languages!r}}});")
    return context


def test_a_catalan_reader_with_spanish_second_is_asked_and_then_emailed_in_spanish(
        browser, host_site) -> None:
    # Issue 10: the widget sends the whole language list, not only the first language. The
    # widget itself already fell back through Accept-Language; what the list adds is the
    # person's stored locale, which an email later is written in (no browser, no header).
    spanish = {"question": "¿Recomendarías Acme a un amigo?"}
    with host_site.app.app_context():
        for key in ("world", "mail"):
            make_survey(db.session, host_site.keys.site_id, key,
                        texts={"en": texts("en"), "es": spanish},
                        rules={"recontact_days": 0})
    context = browser_reading(browser, ["ca-ES", "ca", "es"])
    page = context.new_page()
    try:
        page.goto(host_site.page("/ca", host_site.widget_tag(
            extra='data-survey="world" data-user-id="u-ca"')))
        page.get_by_role("radio", name="0", exact=True).wait_for()
        assert page.locator("tenpoint-survey .tp").get_attribute("lang") == "es"
    finally:
        context.close()
    api, secret = host_site.api(), host_site.keys.auth("secret")
    invited = api.post("/v1/triggers", headers=secret, json={
        "survey": "mail", "user_id": "u-ca", "email": "nuria@example.com"}).get_json()
    assert invited["eligible"], invited
    email = api.get(f"/v1/invitations/{invited['invitation']['id']}/email", headers=secret)
    assert email.get_json()["subject"] == spanish["question"]


def test_a_long_language_list_still_gets_a_survey(browser, host_site) -> None:
    # The collector takes at most 35 characters of locale: whole tags beyond that are left
    # to Accept-Language rather than costing the visitor the survey (a 422).
    with host_site.app.app_context():
        make_survey(db.session, host_site.keys.site_id, "world", texts={"en": texts("en")})
    many = ["pt-BR", "pt", "es-419", "es", "fr-CA", "fr", "de-CH", "de", "it", "en-GB", "en"]
    context = browser_reading(browser, many)
    page = context.new_page()
    try:
        with page.expect_response(lambda r: "/v1/eligibility" in r.url) as asked:
            page.goto(host_site.page("/many", host_site.widget_tag(extra='data-survey="world"')))
        sent = asked.value.request.post_data_json["locale"]
        assert asked.value.ok and len(sent) <= 35 and sent.startswith("pt-BR,pt,es-419,")
        page.get_by_role("radio", name="0", exact=True).wait_for()
        assert page.locator("tenpoint-survey .tp").get_attribute("lang") == "en"
    finally:
        context.close()


def test_hosted_page_in_hebrew_is_mirrored_like_the_widget(browser, app, site,
                                                           live_server) -> None:
    if not any(rule.rule.startswith("/s/") for rule in app.url_map.iter_rules()):
        pytest.skip("the hosted survey page (/s/<token>, issue 4) does not exist yet")
    ARTIFACTS.mkdir(exist_ok=True)
    server = live_server(app)
    app.config["PUBLIC_URL"] = server.url
    with app.app_context():
        make_survey(db.session, site.site_id, "world",
                    texts={tag: texts(tag) for tag in ("en", "he")})
    invited = app.test_client().post("/v1/triggers", headers=site.auth("secret"), json={
        "survey": "world", "user_id": "u-he", "locale": "he-IL", "channel": "link"}).get_json()
    context = browser.new_context(viewport={"width": 700, "height": 600})
    page = context.new_page()
    try:
        path = invited["invitation"]["url"].split("/s/", 1)[1]
        page.goto(f"{server.url}/s/{path}")
        page.get_by_role("radio", name="0", exact=True).wait_for()
        root = page.locator("html")
        assert (root.get_attribute("lang"), root.get_attribute("dir")) == ("he", "rtl")
        assert centre_x(page, 0) > centre_x(page, 10)
        page.screenshot(path=str(ARTIFACTS / "hosted-he.png"))
    finally:
        context.close()


def test_arabic_email_scale_reads_right_to_left(browser) -> None:
    from collector.eligibility.invitation_emails import render_invitation_email

    ARTIFACTS.mkdir(exist_ok=True)
    rendered = render_invitation_email(
        texts=texts("ar"), locale="ar", site_name="Acme", person_name="Dana",
        survey_url="https://collector.test/s/token", unsubscribe_url="https://collector.test/u/t")
    context = browser.new_context(viewport={"width": 700, "height": 600})
    page = context.new_page()
    try:
        page.set_content(rendered.html)
        zero = page.get_by_role("link", name="0", exact=True).bounding_box()
        ten = page.get_by_role("link", name="10", exact=True).bounding_box()
        assert zero["x"] > ten["x"]
        page.screenshot(path=str(ARTIFACTS / "email-ar.png"))
    finally:
        context.close()
