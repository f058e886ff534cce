"""What a browser needs to show a survey: the owner's texts and interface strings in one
locale, and the appearance. Only the chosen locale travels to the browser."""

from __future__ import annotations

from typing import Any

from collector.languages.catalogs import catalog_for, has_catalog, interface_strings
from collector.languages.tags import fallback_chain, parent_chain, parse_tag, to_bcp47
from collector.models import Survey


def _texts_key(texts: dict[str, Any], ident: str) -> str | None:
    """The survey's own text key (as the owner spelled it) whose locale is ``ident``."""
    for key in texts:
        chain = fallback_chain(key)
        if chain and chain[0] == ident:
            return key
    return None


def choose_survey_locale(config: dict[str, Any], candidates: list[str]) -> str | None:
    """The first candidate (in precedence order) for which BOTH the survey's own texts and an
    interface catalog exist, never a mixed-language survey; ``None`` when none fits (reason
    ``no_translation``).

    Each candidate is matched with Babel along CLDR's fallback chain (``pt-BR`` -> ``pt``,
    ``es-MX`` -> ``es-419`` -> ``es``, ``zh-HK`` -> ``zh-Hant``); a malformed or unknown tag
    is skipped. The answer is a BCP 47 tag: the survey's text key when the texts are at
    least as specific as the catalog (``de-AT`` texts with the ``de`` catalog -> ``de-AT``;
    an owner's ``pt_BR`` -> ``pt-BR``), otherwise the catalog's tag (``pt`` texts read by a
    ``pt-PT`` reader -> ``pt-PT``, Portugal's interface strings). Take the texts with
    :func:`survey_texts`, not ``config["texts"][locale]``."""
    texts: dict[str, Any] = config.get("texts") or {}
    for candidate in candidates:
        chain = fallback_chain(candidate)
        text_at = next((i for i, ident in enumerate(chain) if _texts_key(texts, ident)), None)
        catalog_at = next((i for i, ident in enumerate(chain) if has_catalog(ident)), None)
        if text_at is None or catalog_at is None:
            continue
        key = _texts_key(texts, chain[text_at])
        if text_at <= catalog_at or chain[text_at] not in parent_chain(candidate):
            # Texts from a sibling region (pt-BR for a pt-PT reader) bring their own catalog.
            if key is not None and catalog_for(key):
                return to_bcp47(key)
            continue
        return to_bcp47(chain[catalog_at])
    return None


def survey_texts(config: dict[str, Any], locale: str) -> dict[str, Any]:
    """The owner's texts for a locale chosen by :func:`choose_survey_locale`."""
    texts: dict[str, Any] = config.get("texts") or {}
    if locale in texts:
        return dict(texts[locale])
    for ident in fallback_chain(locale):
        key = _texts_key(texts, ident)
        if key is not None:
            return dict(texts[key])
    raise KeyError(locale)


def text_direction(locale: str | None) -> str:
    """``rtl`` for right-to-left scripts (CLDR character order), else ``ltr``."""
    parsed = parse_tag(locale)
    return "rtl" if parsed is not None and parsed.character_order == "right-to-left" else "ltr"


def display_payload(survey: Survey, locale: str) -> dict[str, Any]:
    """The display for one locale: ``lang`` is the BCP 47 tag, ``dir`` ``rtl``/``ltr``."""
    version = survey.current_version
    assert version is not None
    config = version.config
    return {
        "key": survey.key,
        "version": version.number,
        "locale": to_bcp47(locale),
        "dir": text_direction(locale),
        "texts": survey_texts(config, locale),
        "strings": interface_strings(locale),
        "appearance": config.get("appearance", {}),
        "show_on": config.get("show_on"),
    }
