"""Surveys: creation and changes. A change never edits a version; it writes the next one."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from collector.core.audit import record_audit
from collector.core.survey_lookup import find_survey
from collector.models import Survey, SurveyVersion


class SurveyKeyTaken(Exception):
    pass


@dataclass(frozen=True)
class SurveyView:
    """A survey with its current version, ready to dump."""

    id: int
    key: str
    name: str
    active: bool
    version: int
    version_id: int
    config: dict[str, Any]
    created_at: datetime
    updated_at: datetime


def view_of(survey: Survey) -> SurveyView:
    version = survey.current_version
    assert version is not None
    return SurveyView(survey.id, survey.key, version.name, survey.active, version.number,
                      version.id, version.config, survey.created_at, survey.updated_at)


def create_survey(
    session: Session, site_id: int, *, key: str, name: str, config: dict[str, Any],
    active: bool, now: datetime, actor: str,
) -> Survey:
    if find_survey(session, site_id, key) is not None:
        raise SurveyKeyTaken(key)
    survey = Survey(site_id=site_id, key=key, salt=secrets.token_hex(16), active=active,
                    created_at=now, updated_at=now)
    session.add(survey)
    session.flush()
    _add_version(session, survey, name, config, now, actor)
    record_audit(session, site_id=site_id, actor=actor, action="survey.created",
                 entity_type="survey", entity_id=str(survey.id),
                 changes={"key": key, "name": name, "active": active, "config": config}, at=now)
    return survey


def update_survey(
    session: Session, survey: Survey, *, changes: dict[str, Any], now: datetime, actor: str
) -> Survey:
    """Apply ``changes``; name or config changes write a new version, ``active`` does not."""
    current = survey.current_version
    assert current is not None
    name = changes.get("name", current.name)
    config = changes.get("config", current.config)
    recorded: dict[str, Any] = {}
    if name != current.name or config != current.config:
        _add_version(session, survey, name, config, now, actor)
        recorded["version"] = current.number + 1
        if name != current.name:
            recorded["name"] = {"from": current.name, "to": name}
        if config != current.config:
            recorded["config"] = {"from": current.config, "to": config}
    if "active" in changes and changes["active"] != survey.active:
        recorded["active"] = {"from": survey.active, "to": changes["active"]}
        survey.active = changes["active"]
    if recorded:
        survey.updated_at = now
        record_audit(session, site_id=survey.site_id, actor=actor, action="survey.updated",
                     entity_type="survey", entity_id=str(survey.id), changes=recorded, at=now)
    return survey


def _add_version(
    session: Session, survey: Survey, name: str, config: dict[str, Any], now: datetime, actor: str
) -> SurveyVersion:
    number = 1 if survey.current_version is None else survey.current_version.number + 1
    version = SurveyVersion(survey_id=survey.id, number=number, name=name, config=config,
                            created_at=now, created_by=actor)
    session.add(version)
    session.flush()
    survey.current_version = version
    survey.current_version_id = version.id
    return version
