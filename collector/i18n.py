"""Respondent-facing interface strings from the gettext catalogs in locales/.

The English source strings live here, marked for extraction; every other language comes
from ``locales/<lang>/LC_MESSAGES/messages.mo``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"


def N_(message: str) -> str:
    """Mark a string for extraction without translating it here."""
    return message


# Keys are stable identifiers the widget and templates use; values are the msgids.
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


@cache
def translations_for(locale: str) -> NullTranslations:
    return Translations.load(str(LOCALES_DIR), [locale], domain="messages")


def interface_strings(locale: str) -> dict[str, str]:
    translations = translations_for(locale)
    return {key: translations.gettext(msgid) for key, msgid in INTERFACE_STRINGS.items()}


def locale_candidates(
    explicit: str | None, stored: str | None, accept_language: str | None, site_default: str
) -> list[str]:
    """Locales to try, in precedence order: explicit, the person's stored one, the browser's
    (``Accept-Language``, by quality), then the site default. Malformed tags are skipped."""
    ordered: list[str] = [tag for tag in (explicit, stored) if tag]
    if accept_language:
        weighted: list[tuple[float, int, str]] = []
        for index, part in enumerate(accept_language.split(",")):
            tag, _, params = part.strip().partition(";")
            quality = 1.0
            if params.strip().startswith("q="):
                try:
                    quality = float(params.strip()[2:])
                except ValueError:
                    quality = 0.0
            if tag and tag != "*" and quality > 0:
                weighted.append((-quality, index, tag))
        ordered.extend(tag for _, _, tag in sorted(weighted))
    ordered.append(site_default)
    return list(dict.fromkeys(ordered))
