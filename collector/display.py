"""What a browser needs to show a survey: the owner's texts and interface strings in one
locale, and the appearance. Only the chosen locale travels to the browser."""

from __future__ import annotations

from typing import Any

from babel import Locale

from collector.i18n import interface_strings
from collector.models import Survey


def choose_survey_locale(config: dict[str, Any], candidates: list[str]) -> str | None:
    """The first candidate (in precedence order) the survey has texts for, trying each tag
    and then its base language; ``None`` when none fits (reason ``no_translation``)."""
    texts = config["texts"]
    for candidate in candidates:
        tag = candidate.replace("_", "-")
        for option in (tag, tag.split("-")[0]):
            if option in texts:
                return option
    return None


def display_payload(survey: Survey, locale: str) -> dict[str, Any]:
    version = survey.current_version
    assert version is not None
    config = version.config
    try:
        direction = Locale.parse(locale.replace("-", "_")).character_order
    except (ValueError, TypeError):
        direction = "left-to-right"
    return {
        "key": survey.key,
        "version": version.number,
        "locale": locale,
        "dir": "rtl" if direction == "right-to-left" else "ltr",
        "texts": config["texts"][locale],
        "strings": interface_strings(locale),
        "appearance": config.get("appearance", {}),
    }
