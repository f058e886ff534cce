"""What a browser needs to show a survey: the owner's texts and interface strings in one
locale, and the appearance. Only the chosen locale travels to the browser."""

from __future__ import annotations

from typing import Any

from babel import Locale

from collector.i18n import interface_strings
from collector.models import Survey


def choose_survey_locale(config: dict[str, Any], requested: str | None) -> str:
    texts = config["texts"]
    if requested in texts:
        return requested
    if requested:
        base = requested.replace("_", "-").split("-")[0]
        if base in texts:
            return base
    return config.get("default_locale") or next(iter(texts))


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
