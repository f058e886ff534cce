"""The console's survey screens without Flask: versions, the edit form, the previews.

The form edits texts (per locale), rules and appearance; anything else in the config (show_on,
segment rates, a touchpoint) is kept as it is. The result is validated by the same schema as
``PATCH /v1/surveys/<key>`` and saved by ``update_survey``, so every change is a new version.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import marshmallow as ma
from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.languages.catalogs import interface_strings
from collector.languages.survey_texts import text_direction
from collector.models import Survey, SurveyVersion
from collector.surveys.schemas import SurveyConfigSchema

TEXT_FIELDS = ("question", "low_label", "high_label", "second_question",
               "follow_up.detractor", "follow_up.passive", "follow_up.promoter",
               "thank_you.detractor", "thank_you.passive", "thank_you.promoter")
# (name, parse) of the rules the form offers; empty means "the site-wide default".
RULE_FIELDS: tuple[tuple[str, type], ...] = (
    ("sample_rate", float), ("recontact_days", int), ("decline_days", int),
    ("daily_cap", int), ("min_days_since_signup", int))
APPEARANCE_FIELDS = ("brand_color", "position", "theme")
POSITIONS = ("bottom-right", "bottom-left", "bottom", "center")
THEMES = ("light", "dark", "auto")
NAME_LIMIT = 200


class EditError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class SurveyLine:
    key: str
    name: str
    active: bool
    version: int
    locales: list[str]
    rules: dict[str, Any]


def survey_lines(session: Session, site_id: int) -> list[SurveyLine]:
    rows = session.execute(
        select(Survey, SurveyVersion).join(SurveyVersion,
                                           SurveyVersion.id == Survey.current_version_id)
        .where(Survey.site_id == site_id).order_by(SurveyVersion.name, Survey.key))
    return [SurveyLine(survey.key, version.name, survey.active, version.number,
                       sorted((version.config.get("texts") or {}).keys()),
                       dict(version.config.get("rules") or {}))
            for survey, version in rows]


def versions_of(session: Session, survey: Survey) -> list[SurveyVersion]:
    return list(session.scalars(select(SurveyVersion).where(SurveyVersion.survey_id == survey.id)
                                .order_by(SurveyVersion.number.desc())))


def _get(texts: dict[str, Any], dotted: str) -> Any:
    head, _, tail = dotted.partition(".")
    value = texts.get(head)
    return (value or {}).get(tail) if tail else value


def _set(texts: dict[str, Any], dotted: str, value: str) -> None:
    head, _, tail = dotted.partition(".")
    if not tail:
        if value:
            texts[head] = value
        else:
            texts.pop(head, None)
        return
    inner = dict(texts.get(head) or {})
    if value:
        inner[tail] = value
    else:
        inner.pop(tail, None)
    if inner:
        texts[head] = inner
    else:
        texts.pop(head, None)


def form_values(name: str, config: dict[str, Any]) -> dict[str, str]:
    """The form's fields filled from a version, by field name."""
    values = {"name": name}
    for locale, texts in (config.get("texts") or {}).items():
        for dotted in TEXT_FIELDS:
            found = _get(texts, dotted)
            values[f"texts.{locale}.{dotted}"] = "" if found is None else str(found)
    for rule, _ in RULE_FIELDS:
        found = (config.get("rules") or {}).get(rule)
        values[f"rules.{rule}"] = "" if found is None else str(found)
    for item in APPEARANCE_FIELDS:
        values[f"appearance.{item}"] = str((config.get("appearance") or {}).get(item) or "")
    return values


def edited(name: str, config: dict[str, Any], form: Mapping[str, str]
           ) -> tuple[str, dict[str, Any]]:
    """The name and config the form asks for, validated; raises ``EditError`` by field."""
    errors: dict[str, str] = {}
    new_name = (form.get("name") or "").strip()
    if not 1 <= len(new_name) <= NAME_LIMIT:
        errors["name"] = f"A name is 1 to {NAME_LIMIT} characters."
    result = copy.deepcopy(config)
    texts = result.setdefault("texts", {})
    for locale in list(texts):
        for dotted in TEXT_FIELDS:
            field_name = f"texts.{locale}.{dotted}"
            if field_name in form:
                _set(texts[locale], dotted, form[field_name].strip())
    rules = dict(result.get("rules") or {})
    for rule, parse in RULE_FIELDS:
        raw = (form.get(f"rules.{rule}") or "").strip()
        if not raw:
            rules.pop(rule, None)
            continue
        try:
            rules[rule] = parse(raw)
        except ValueError:
            wanted = "a number" if parse is float else "a whole number"
            errors[f"rules.{rule}"] = f"Enter {wanted}."
    result["rules"] = rules
    appearance = dict(result.get("appearance") or {})
    for item in APPEARANCE_FIELDS:
        raw = (form.get(f"appearance.{item}") or "").strip()
        if raw:
            appearance[item] = raw
        else:
            appearance.pop(item, None)
    if appearance:
        result["appearance"] = appearance
    else:
        result.pop("appearance", None)
    try:
        SurveyConfigSchema().load(result)
    except ma.ValidationError as error:
        errors.update(_flatten(error.messages))
    if errors:
        raise EditError(errors)
    return new_name, result


def _flatten(messages: Any, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            flat.update(_flatten(value, f"{prefix}{key}."))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        flat[prefix.rstrip(".")] = " ".join(messages)
    else:
        flat[prefix.rstrip(".")] = str(messages)
    return flat


@dataclass(frozen=True)
class Preview:
    locale: str
    dir: str
    texts: dict[str, Any]
    strings: dict[str, str]
    brand_color: str


def previews(config: dict[str, Any]) -> list[Preview]:
    """What the widget shows in each of the survey's locales: the owner's texts with the
    interface strings of that locale, in its writing direction."""
    color = (config.get("appearance") or {}).get("brand_color") or "#0969da"
    return [Preview(locale, text_direction(locale), dict(texts), interface_strings(locale), color)
            for locale, texts in sorted((config.get("texts") or {}).items())]
