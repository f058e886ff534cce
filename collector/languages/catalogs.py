"""Respondent-facing interface strings from the gettext catalogs the package carries.

The English source strings live here (and in templates, marked with ``_()``), extracted by
``make i18n``; every other language comes from ``locales/<dir>/LC_MESSAGES/messages.po``,
copied with its compiled ``messages.mo`` into the package (:func:`catalogs_dir`).
Catalog directories are Babel identifiers (``pt_BR``, ``zh_Hant``, ``es_419``); request tags
reach them through :mod:`collector.languages.tags`. docs/i18n.md explains the choices.
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo
from decimal import Decimal
from functools import cache, lru_cache
from importlib.resources import files
from io import BytesIO
from pathlib import Path

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from collector.languages.tags import fallback_chain, identifier, parse_tag


def catalogs_dir() -> Path:
    """Where the collector reads its catalogs: ``collector/locales/`` inside the installed
    package, written by ``make locales`` in a checkout and by the wheel's build otherwise
    (``collector.languages.maintenance.package_catalogs``; docs/i18n.md, "Catalogs in the
    package")."""
    return Path(str(files("collector").joinpath("locales")))


def missing_catalogs() -> list[str]:
    """Why the collector cannot speak its languages, or nothing (``tenpoint serve`` checks)."""
    directory = catalogs_dir()
    if not any(directory.glob("*/LC_MESSAGES/messages.mo")):
        return [f"no compiled catalogs in {directory} (run 'make locales', or install the "
                "wheel, which carries them)"]
    return []


LOCALES_DIR = catalogs_dir()
SOURCE_LOCALE = "en"


def N_(message: str) -> str:
    """Mark a string for extraction without translating it here."""
    return message


# The widget's strings. Keys are stable identifiers the widget uses; values are the msgids.
# Only the chosen locale's values travel to the browser (collector.languages.survey_texts).
INTERFACE_STRINGS: dict[str, str] = {
    "low_label": N_("Not at all likely"),
    "high_label": N_("Extremely likely"),
    "comment_placeholder": N_("Tell us more (optional)"),
    "submit": N_("Send"),
    "skip": N_("Skip"),
    "close": N_("Close survey"),
    "thank_you": N_("Thank you for your feedback!"),
    "score_label": N_("%(score)s out of 10"),
    "scale_hint": N_("Choose a score from 0 to 10"),
    "sending": N_("Sending…"),
    "error_retry": N_("We could not send your answer. We will try again."),
}

# Ready-translated wording for hosted pages and emails. Templates may use these msgids with
# ``_()`` directly (they are in every catalog already); keys exist for Python callers.
RESPONDENT_STRINGS: dict[str, str] = {
    "default_question": N_("How likely are you to recommend %(brand)s to a friend or "
                           "colleague?"),
    "page_title": N_("%(brand)s survey"),
    "recorded": N_("Your answer has been recorded."),
    "already_answered": N_("You have already answered this survey. Thank you!"),
    "link_expired": N_("This survey link has expired."),
    "link_invalid": N_("This survey link is not valid."),
    "score_required": N_("Please choose a score."),
    "server_error": N_("Something went wrong. Please try again later."),
    "unsubscribe": N_("Unsubscribe"),
    "unsubscribe_confirm": N_("Stop receiving surveys from %(brand)s?"),
    "unsubscribed": N_("You will no longer receive surveys from %(brand)s."),
    "greeting_name": N_("Hi %(name)s,"),
    "greeting": N_("Hello,"),
    "email_intro": N_("Click a number below to answer. It only takes a few seconds."),
    "email_button": N_("Answer the survey"),
    "email_reason": N_("You received this email because you are a customer of %(brand)s."),
    "email_private": N_("Your answer goes only to %(brand)s."),
}


def expiry_notice(translations: NullTranslations, days: int) -> str:
    """"This link expires in N days", with the locale's plural forms."""
    return translations.ngettext("This link expires in %(num)d day.",
                                 "This link expires in %(num)d days.", days) % {"num": days}


# --- catalogs ----------------------------------------------------------------------------

@cache
def catalog_index() -> dict[str, str]:
    """Babel identifier -> catalog directory, for every locale with a messages.po."""
    index: dict[str, str] = {}
    for po in sorted(LOCALES_DIR.glob("*/LC_MESSAGES/messages.po")):
        name = po.parent.parent.name
        locale = parse_tag(name)
        if locale is not None:
            index[identifier(locale)] = name
    return index


def available_locales() -> list[str]:
    """Catalog directory names, sorted (``ar``, ``bg``, …, ``zh_Hant``)."""
    return sorted(catalog_index().values())


def catalog_for(tag: str | None) -> str | None:
    """The catalog directory serving ``tag`` (``pt-AO`` -> ``pt_PT``, ``pt`` -> ``pt_BR``,
    ``zh-HK`` -> ``zh_Hant``), or ``None``. Malformed tags give ``None``."""
    index = catalog_index()
    return next((index[ident] for ident in fallback_chain(tag) if ident in index), None)


def has_catalog(ident: str) -> bool:
    """Is there a catalog for exactly this Babel identifier (no fallback)?"""
    return ident in catalog_index()


def _compiled(po: Path) -> BytesIO | None:
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return BytesIO(mo.read_bytes())
    # Not compiled yet (a fresh checkout before `make locales`): compile in memory.
    with po.open("rb") as handle:
        catalog = read_po(handle)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return buffer


@cache
def _load(directory: str) -> NullTranslations:
    po = LOCALES_DIR / directory / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()
    data = _compiled(po)
    return Translations(fp=data, domain="messages") if data else NullTranslations()


def translations_for(locale: str | None) -> NullTranslations:
    """Translations for a tag or catalog name; English source strings when none fits."""
    directory = catalog_for(locale)
    return _load(directory) if directory else NullTranslations()


def interface_strings(locale: str) -> dict[str, str]:
    """The widget's strings in one locale (only these travel to the browser)."""
    translations = translations_for(locale)
    return {key: translations.gettext(msgid) for key, msgid in INTERFACE_STRINGS.items()}


# --- negotiation -------------------------------------------------------------------------

_QUALITY = re.compile(r"q=([01](?:\.\d{0,3})?)\Z")


def parse_language_list(header: str | None) -> list[str]:
    """Tags from ``Accept-Language`` (or a comma-separated ``navigator.languages``), best
    first: by quality, then by position. ``*``, q=0 and garbage are dropped, never raised."""
    if not header or not isinstance(header, str):
        return []
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:50]):
        tag, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            found = _QUALITY.match(param.replace(" ", ""))
            quality = float(found.group(1)) if found else (0.0 if param.startswith("q") else 1.0)
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(weighted)]


def locale_candidates(
    explicit: str | None, stored: str | None, accept_language: str | None, site_default: str
) -> list[str]:
    """Locales to try, in precedence order: explicit (the widget's or SDK's locale, possibly a
    comma-separated ``navigator.languages`` list), the person's stored one, the browser's
    (``Accept-Language``, by quality), then the site default. Tags Babel cannot parse are
    skipped; duplicates keep their first place."""
    return list(_locale_candidates(explicit, stored, accept_language, site_default))


# Every page view asks with one of a few header values: parsed once per process (bounded).
@lru_cache(maxsize=4096)
def _locale_candidates(explicit: str | None, stored: str | None, accept_language: str | None,
                       site_default: str) -> tuple[str, ...]:
    ordered = [*parse_language_list(explicit), *parse_language_list(stored),
               *parse_language_list(accept_language), site_default]
    return tuple(dict.fromkeys(tag for tag in ordered if fallback_chain(tag)))


# --- formatting (emails, reports) --------------------------------------------------------

def babel_locale(tag: str | None, default: str = SOURCE_LOCALE) -> Locale:
    """The Babel Locale for formatting; a malformed or unknown tag formats as ``default``."""
    return parse_tag(tag) or parse_tag(default) or Locale.parse(SOURCE_LOCALE)


def format_decimal(number: float | Decimal, locale: str | None, *,
                   format: str | None = None) -> str:
    """``1234.5`` -> ``1,234.5`` (en), ``1.234,5`` (de), Arabic-Indic digits (ar)."""
    return numbers.format_decimal(number, format=format, locale=babel_locale(locale))


def format_percent(ratio: float | Decimal, locale: str | None, *,
                   format: str | None = None) -> str:
    """A ratio as a percentage: ``0.425`` -> ``42%`` (en), ``42 %`` (fr), ``%42`` (tr)."""
    return numbers.format_percent(ratio, format=format, locale=babel_locale(locale))


def format_date(value: date | datetime, locale: str | None, *, format: str = "medium") -> str:
    """A date in the locale's own pattern (``format``: short, medium, long, full or a
    pattern). Aware datetimes are shown in their own timezone's date."""
    return dates.format_date(value, format=format, locale=babel_locale(locale))


def format_datetime(value: datetime, locale: str | None, *, format: str = "medium",
                    tzinfo: tzinfo | None = None) -> str:
    return dates.format_datetime(value, format=format, tzinfo=tzinfo,
                                 locale=babel_locale(locale))
