"""Surveys as code: a TOML file in the product's repository, planned then applied.

``plan`` compares the file with the database and says, survey by survey, what would change
(with a readable diff); ``apply_plan`` makes those changes through ``create_survey`` and
``update_survey``, so each one is a new immutable version and an audit entry. Surveys on the
site but absent from the file are left alone. ``export_surveys`` writes a site's surveys in
the same format, so a team can start keeping existing surveys as code. The format is in
docs/governance.md.
"""

from __future__ import annotations

import difflib
import json
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import marshmallow as ma
import tomli_w
from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.core.survey_lookup import find_survey
from collector.models import Survey
from collector.surveys.definitions import create_survey, update_survey
from collector.surveys.schemas import SurveyCreateSchema


class SurveysFileError(ValueError):
    """The file cannot be read or a survey in it is not valid; the message says where."""


@dataclass(frozen=True)
class SurveyChange:
    key: str
    action: str  # create | update | unchanged
    desired: dict[str, Any]
    diff: list[str] = field(default_factory=list)


def load_surveys_file(text: str) -> dict[str, dict[str, Any]]:
    """Parse and validate ``[surveys.<key>]`` tables; returns definitions by key."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SurveysFileError(f"not valid TOML: {error}") from error
    surveys = document.get("surveys")
    if not isinstance(surveys, dict) or not surveys:
        raise SurveysFileError("the file declares no [surveys.<key>] table")
    unknown = set(document) - {"surveys"}
    if unknown:
        raise SurveysFileError(f"unknown top-level keys: {', '.join(sorted(unknown))}")
    definitions: dict[str, dict[str, Any]] = {}
    for key, body in surveys.items():
        if not isinstance(body, dict):
            raise SurveysFileError(f"surveys.{key} must be a table")
        try:
            definitions[key] = SurveyCreateSchema().load({"key": key, **body})
        except ma.ValidationError as error:
            raise SurveysFileError(f"surveys.{key}: {json.dumps(error.messages)}") from error
    return definitions


def _comparable(name: str, active: bool, config: dict[str, Any]) -> list[str]:
    text = json.dumps({"name": name, "active": active, "config": config}, indent=2,
                      sort_keys=True, ensure_ascii=False)
    return text.splitlines()


def plan(session: Session, site_id: int, definitions: dict[str, dict[str, Any]]
         ) -> list[SurveyChange]:
    changes: list[SurveyChange] = []
    for key, desired in sorted(definitions.items()):
        wanted = _comparable(desired["name"], desired["active"], desired["config"])
        survey = find_survey(session, site_id, key)
        if survey is None or survey.current_version is None:
            diff = list(difflib.unified_diff([], wanted, "(none)", key, lineterm=""))
            changes.append(SurveyChange(key, "create", desired, diff))
            continue
        version = survey.current_version
        current = _comparable(version.name, survey.active, version.config)
        diff = list(difflib.unified_diff(current, wanted, f"{key} v{version.number}",
                                         f"{key} (file)", lineterm=""))
        changes.append(SurveyChange(key, "update" if diff else "unchanged", desired, diff))
    return changes


def apply_plan(session: Session, site_id: int, changes: list[SurveyChange], *,
               now: datetime, actor: str) -> int:
    """Make the planned changes; returns how many surveys changed. The caller commits."""
    applied = 0
    for change in changes:
        body = {k: v for k, v in change.desired.items() if k != "key"}
        if change.action == "create":
            create_survey(session, site_id, key=change.key, now=now, actor=actor, **body)
            applied += 1
        elif change.action == "update":
            survey = find_survey(session, site_id, change.key)
            assert survey is not None
            update_survey(session, survey, changes=body, now=now, actor=actor)
            applied += 1
    return applied


def _without_nulls(value: Any) -> Any:
    """TOML has no null: a key whose value is null is left out (the schema's default)."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value if v is not None]
    return value


def export_surveys(session: Session, site_id: int, keys: list[str] | None = None) -> str:
    """The site's surveys (their current versions) as the TOML ``load_surveys_file`` reads:
    applying the result to the same site plans no change. ``keys`` limits it to those."""
    query = select(Survey).where(Survey.site_id == site_id).order_by(Survey.key)
    if keys:
        query = query.where(Survey.key.in_(keys))
    surveys: dict[str, Any] = {}
    for survey in session.scalars(query):
        version = survey.current_version
        if version is None:
            continue
        surveys[survey.key] = {"name": version.name, "active": survey.active,
                               "config": _without_nulls(version.config)}
    header = ("# Surveys as code (docs/governance.md): edit, then "
              "`tenpoint surveys apply FILE`.\n\n")
    return header + tomli_w.dumps({"surveys": surveys})
