"""Choosing the language: precedence, Babel matching and fallbacks, malformed tags."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collector.languages.catalogs import catalog_for, locale_candidates, parse_language_list
from collector.languages.survey_texts import choose_survey_locale, survey_texts
from collector.languages.tags import fallback_chain


def config(*tags: str) -> dict:
    return {"texts": {tag: {"question": f"question in {tag}"} for tag in tags}}


def test_precedence_is_explicit_then_stored_then_browser_then_site_default() -> None:
    assert locale_candidates("fr", "de", "es;q=0.9, it", "en") == ["fr", "de", "it", "es", "en"]
    assert locale_candidates(None, "de", "es", "en") == ["de", "es", "en"]
    assert locale_candidates(None, None, None, "en") == ["en"]


def test_an_explicit_list_from_navigator_languages_keeps_its_order() -> None:
    assert locale_candidates("pt-BR,pt,en-US", None, None, "en") == ["pt-BR", "pt", "en-US",
                                                                    "en"]


def test_accept_language_is_ordered_by_quality_then_position() -> None:
    header = "en;q=0.5, de-CH, de;q=0.9, *;q=0.1, fr;q=0"
    assert parse_language_list(header) == ["de-CH", "de", "en"]


@pytest.mark.parametrize("junk", ["", "*", "12", "x-klingon", "en_US.UTF-8", "q=1", ";;,,",
                                  "de;q=abc", "zz-ZZ", "\u0000", "a" * 300])
def test_malformed_tags_are_skipped_never_raised(junk: str) -> None:
    assert locale_candidates(junk, junk, junk, "en") == ["en"]
    assert choose_survey_locale(config("en"), [junk, "en"]) == "en"


@given(st.text(max_size=60))
def test_no_tag_ever_makes_negotiation_fail(tag: str) -> None:
    candidates = locale_candidates(tag, tag, tag, "en")
    assert candidates[-1] == "en"
    assert choose_survey_locale(config("en", "pt"), candidates) in {"en", "pt", "pt-PT",
                                                                    "pt-BR"}


@pytest.mark.parametrize(("tag", "catalog"), [
    ("pt-BR", "pt_BR"), ("pt", "pt_BR"), ("pt-PT", "pt_PT"), ("pt-AO", "pt_PT"),
    ("es", "es"), ("es-ES", "es"), ("es-MX", "es_419"), ("es-419", "es_419"),
    ("zh", "zh_Hans"), ("zh-CN", "zh_Hans"), ("zh-Hans-SG", "zh_Hans"), ("zh-TW", "zh_Hant"),
    ("zh-HK", "zh_Hant"), ("zh-Hant", "zh_Hant"), ("fr-CA", "fr_CA"), ("fr-BE", "fr"),
    ("no", "nb"), ("nb-NO", "nb"), ("iw", "he"), ("in", "id"), ("sr", "sr"),
    ("sr-Cyrl-RS", "sr"), ("en-GB", "en"), ("de-CH-1996", "de"), ("AR-eg", "ar"),
])
def test_bcp47_tags_reach_their_catalog(tag: str, catalog: str) -> None:
    assert catalog_for(tag) == catalog


def test_latin_serbian_is_not_served_the_cyrillic_catalog() -> None:
    assert catalog_for("sr-Latn") is None


def test_traditional_chinese_never_falls_back_to_simplified_texts() -> None:
    assert choose_survey_locale(config("en", "zh"), ["zh-TW", "en"]) == "en"
    assert choose_survey_locale(config("en", "zh-Hant"), ["zh-HK", "en"]) == "zh-Hant"
    assert "zh" not in fallback_chain("zh-TW")


def test_regional_tag_falls_back_to_the_language_then_the_site_default() -> None:
    assert choose_survey_locale(config("en", "pt"), ["pt-BR", "en"]) == "pt-BR"
    assert choose_survey_locale(config("en", "pt-BR"), ["pt-BR", "en"]) == "pt-BR"
    assert choose_survey_locale(config("en"), ["pt-BR", "en"]) == "en"


def test_a_regional_reader_gets_their_own_interface_with_the_generic_texts() -> None:
    chosen = choose_survey_locale(config("en", "pt"), ["pt-PT", "en"])
    assert chosen == "pt-PT"
    assert catalog_for(chosen) == "pt_PT"
    assert survey_texts(config("en", "pt"), chosen) == {"question": "question in pt"}
    assert choose_survey_locale(config("es"), ["es-MX"]) == "es-419"


def test_texts_more_specific_than_the_catalog_are_kept() -> None:
    assert choose_survey_locale(config("de", "de-AT"), ["de-AT"]) == "de-AT"


def test_same_language_other_region_beats_another_language() -> None:
    chosen = choose_survey_locale(config("en", "pt-BR"), ["pt-PT", "en"])
    assert chosen == "pt-BR"
    assert catalog_for(chosen) == "pt_BR"


def test_texts_without_an_interface_catalog_are_never_shown() -> None:
    """A survey written in Klingon and English is shown in English: never mixed."""
    assert choose_survey_locale(config("tlh", "en"), ["tlh", "en"]) == "en"
    assert choose_survey_locale(config("tlh"), ["tlh", "en"]) is None


def test_none_when_the_survey_has_no_texts_in_any_acceptable_locale() -> None:
    assert choose_survey_locale(config("fr"), ["de", "en"]) is None


def test_owner_spelling_of_a_text_key_comes_back_as_bcp47() -> None:
    assert choose_survey_locale(config("pt_BR"), ["pt-BR"]) == "pt-BR"
    assert choose_survey_locale(config("ZH-tw"), ["zh-Hant-TW"]) == "zh-TW"
    assert survey_texts(config("ZH-tw"), "zh-TW") == {"question": "question in ZH-tw"}
