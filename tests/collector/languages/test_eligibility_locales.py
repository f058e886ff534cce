"""POST /v1/eligibility speaks the respondent's language, or says ``no_translation``."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from collector.core.extensions import db
from collector.languages.catalogs import INTERFACE_STRINGS, available_locales
from collector.languages.tags import to_bcp47
from tests.factories import SiteKeys, make_survey

RTL = {"ar", "he", "fa", "ur"}


def ask(client: FlaskClient, site: SiteKeys, survey: str, *, locale: str | None = None,
        accept: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"survey": survey, "anonymous_id": "anon-0001-locale",
                            "dry_run": True, **extra}
    if locale is not None:
        body["locale"] = locale
    headers = site.auth("publishable")
    if accept is not None:
        headers["Accept-Language"] = accept
    response = client.post("/v1/eligibility", json=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_every_locale_gets_its_own_strings_with_lang_and_dir(client, site, polyglot) -> None:
    english = set(INTERFACE_STRINGS.values())
    failures: dict[str, Any] = {}
    for locale in available_locales():
        answer = ask(client, site, polyglot, locale=to_bcp47(locale))
        shown = answer["survey"]
        leaked = set(shown["strings"].values()) & english if locale != "en" else set()
        expected_dir = "rtl" if locale in RTL else "ltr"
        if (not answer["eligible"] or leaked or shown["dir"] != expected_dir
                or shown["locale"] != to_bcp47(locale)):
            failures[locale] = {"leaked": leaked, "dir": shown["dir"], "lang": shown["locale"]}
    assert failures == {}


def test_only_the_chosen_locale_travels_to_the_browser(client, site, polyglot) -> None:
    shown = ask(client, site, polyglot, locale="ja")["survey"]
    assert set(shown["strings"]) == set(INTERFACE_STRINGS)
    assert "ja" not in shown["texts"] and "question" in shown["texts"]
    assert shown["strings"]["submit"] == "送信"


def test_explicit_locale_beats_accept_language(client, site, polyglot) -> None:
    assert ask(client, site, polyglot, locale="de", accept="fr")["survey"]["locale"] == "de"
    assert ask(client, site, polyglot, accept="fr-CA,fr;q=0.8")["survey"]["locale"] == "fr-CA"


def test_accept_language_by_quality_then_site_default(client, site, polyglot) -> None:
    answer = ask(client, site, polyglot, accept="tlh, nl;q=0.4, sv;q=0.6")
    assert answer["survey"]["locale"] == "sv"
    assert ask(client, site, polyglot, accept="tlh")["survey"]["locale"] == "en"


def test_regional_tag_falls_back_to_language(app, client, site) -> None:
    with app.app_context():
        make_survey(db.session, site.site_id, "lusophone",
                    texts={"en": {"question": "Recommend us?"},
                           "pt": {"question": "Recomendaria?"}})
    shown = ask(client, site, "lusophone", locale="pt-BR")["survey"]
    assert shown["texts"]["question"] == "Recomendaria?"
    assert shown["strings"]["submit"] == "Enviar" and shown["strings"]["skip"] == "Pular"
    portugal = ask(client, site, "lusophone", locale="pt-PT")["survey"]
    assert portugal["texts"]["question"] == "Recomendaria?"
    assert portugal["strings"]["skip"] == "Ignorar"


def test_malformed_locale_is_ignored(client, site, survey) -> None:
    answer = ask(client, site, survey, locale="%%bogus%%", accept="!!, ;q=x")
    assert answer["eligible"] is True
    assert answer["survey"]["locale"] == "en"


def test_no_translation_when_no_acceptable_locale_has_texts(app, client, site) -> None:
    with app.app_context():
        make_survey(db.session, site.site_id, "french-only",
                    texts={"fr": {"question": "Recommanderiez-vous ?"}})
    answer = ask(client, site, "french-only", locale="de", accept="es")
    assert answer == {**answer, "eligible": False, "reason": "no_translation", "survey": None}
    assert ask(client, site, "french-only", locale="fr-BE")["eligible"] is True


def test_texts_without_interface_strings_mean_no_translation(app, client, site) -> None:
    with app.app_context():
        make_survey(db.session, site.site_id, "klingon",
                    texts={"tlh": {"question": "nuq?"}}, default_locale="tlh")
    assert ask(client, site, "klingon", locale="tlh")["reason"] == "no_translation"


def test_stored_locale_beats_the_browser_and_explicit_beats_stored(client, site,
                                                                   polyglot) -> None:
    created = client.post("/v1/people", headers=site.auth("secret"),
                          json={"user_id": "u-polyglot", "locale": "de-AT"})
    assert created.status_code in (200, 201), created.get_json()
    stored = ask(client, site, polyglot, user_id="u-polyglot", accept="fr")
    assert stored["survey"]["locale"] == "de"
    explicit = ask(client, site, polyglot, user_id="u-polyglot", locale="it", accept="fr")
    assert explicit["survey"]["locale"] == "it"
