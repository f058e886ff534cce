"""For every locale, the hosted survey page and the survey email render with no English
source string left, with ``lang`` and ``dir`` set (issue 4's surfaces).

These skip only while the hosted page (``/s/<token>``) or the email renderer
(``collector.eligibility.invitation_emails``) do not exist yet."""

from __future__ import annotations

import importlib
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from collector.languages.catalogs import available_locales
from collector.languages.tags import to_bcp47
from tests.collector.languages.english_left import english_left, visible_text
from tests.factories import SiteKeys

RTL = {"ar", "he", "fa", "ur"}
HTML_TAG = re.compile(r"<html\b[^>]*>", re.I)


def has_hosted_page(app: Flask) -> bool:
    return any(rule.rule.startswith("/s/") for rule in app.url_map.iter_rules())


def invite(client: FlaskClient, site: SiteKeys, survey: str, locale: str,
           channel: str = "link") -> dict[str, Any]:
    response = client.post("/v1/triggers", headers=site.auth("secret"), json={
        "survey": survey, "user_id": f"person-{locale}", "locale": to_bcp47(locale),
        "email": f"person-{locale.lower()}@example.com", "channel": channel})
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert answer["eligible"], answer
    return answer["invitation"]


def html_attributes(markup: str) -> dict[str, str]:
    tag = HTML_TAG.search(markup)
    assert tag, "no <html> element"
    return dict(re.findall(r'(\w+)="([^"]*)"', tag.group(0)))


def test_hosted_page_speaks_every_locale(app, client, site, polyglot) -> None:
    if not has_hosted_page(app):
        pytest.skip("the hosted survey page (/s/<token>, issue 4) does not exist yet")
    failures: dict[str, Any] = {}
    for locale in available_locales():
        url = invite(client, site, polyglot, locale)["url"]
        parts = urlsplit(url)
        page = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        markup = page.get_data(as_text=True)
        attributes = html_attributes(markup)
        left = [] if locale == "en" else english_left(visible_text(markup), locale)
        expected = ("rtl" if locale in RTL else "ltr", to_bcp47(locale))
        if page.status_code != 200 or left or (attributes.get("dir"),
                                                attributes.get("lang")) != expected:
            failures[locale] = {"status": page.status_code, "english": left,
                                "html": attributes}
    assert failures == {}


def email_module() -> Any:
    return importlib.import_module("collector.eligibility.invitation_emails")


def test_survey_email_speaks_every_locale() -> None:
    email = email_module()
    from tests.collector.languages.conftest import BRAND, texts_for

    failures: dict[str, Any] = {}
    for locale in available_locales():
        tag = to_bcp47(locale)
        rendered = email.render_invitation_email(
            texts=texts_for(locale), locale=tag, site_name=BRAND,
            survey_url="https://collector.test/s/token", person_name="Dana",
            unsubscribe_url="https://collector.test/u/token")
        attributes = html_attributes(rendered.html)
        left = [] if locale == "en" else sorted(
            set(english_left(visible_text(rendered.html), locale))
            | set(english_left(rendered.text, locale))
            | set(english_left(rendered.subject, locale)))
        expected = ("rtl" if locale in RTL else "ltr", tag)
        if left or (attributes.get("dir"), attributes.get("lang")) != expected:
            failures[locale] = {"english": left, "html": attributes}
    assert failures == {}


def test_hosted_message_pages_speak_the_browser_language(app, client) -> None:
    """An unknown link knows nobody: its page follows Accept-Language, in every locale."""
    if not has_hosted_page(app):
        pytest.skip("the hosted survey page (/s/<token>, issue 4) does not exist yet")
    failures: dict[str, Any] = {}
    for locale in available_locales():
        page = client.get("/s/not-a-real-token", headers={"Accept-Language": to_bcp47(locale)})
        markup = page.get_data(as_text=True)
        attributes = html_attributes(markup)
        left = [] if locale == "en" else english_left(visible_text(markup), locale)
        expected = ("rtl" if locale in RTL else "ltr", to_bcp47(locale))
        if left or (attributes.get("dir"), attributes.get("lang")) != expected:
            failures[locale] = {"status": page.status_code, "english": left,
                                "html": attributes}
    assert failures == {}


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def test_hosted_answer_flow_speaks_every_locale(app, client, site, polyglot) -> None:
    """Score, follow-up question, thank-you: every step in the person's language."""
    if not has_hosted_page(app):
        pytest.skip("the hosted survey page (/s/<token>, issue 4) does not exist yet")
    failures: dict[str, Any] = {}
    for locale in available_locales():
        path = urlsplit(invite(client, site, polyglot, locale)["url"]).path
        question = client.get(path).get_data(as_text=True)
        more = client.post(path, data={"csrf": CSRF.search(question).group(1), "score": "9"})
        follow_up = more.get_data(as_text=True)
        thanks = client.post(f"{path}/more", data={
            "csrf": CSRF.search(follow_up).group(1), "skip": "1"}).get_data(as_text=True)
        for step, markup in (("follow-up", follow_up), ("thanks", thanks)):
            left = [] if locale == "en" else english_left(visible_text(markup), locale)
            attributes = html_attributes(markup)
            expected = ("rtl" if locale in RTL else "ltr", to_bcp47(locale))
            if left or (attributes.get("dir"), attributes.get("lang")) != expected:
                failures[f"{locale} {step}"] = {"english": left, "html": attributes}
    assert failures == {}
