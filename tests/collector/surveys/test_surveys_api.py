"""Surveys: created, listed, read and changed through new versions."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from collector.core.extensions import db
from collector.models import AuditEntry, SurveyVersion
from tests.factories import TEXTS_EN, SiteKeys

DEFINITION = {"key": "onboarding", "name": "Onboarding NPS",
              "config": {"texts": {"en": TEXTS_EN}, "rules": {"sample_rate": 0.5}}}


def test_create_read_list(client: FlaskClient, site: SiteKeys) -> None:
    created = client.post("/v1/surveys", json=DEFINITION, headers=site.auth())
    assert created.status_code == 201
    assert created.json["version"] == 1
    assert client.get("/v1/surveys/onboarding", headers=site.auth("read")).json["name"] == (
        "Onboarding NPS")
    assert [s["key"] for s in client.get("/v1/surveys", headers=site.auth()).json["data"]] == [
        "onboarding"]


def test_a_taken_key_is_a_409(client: FlaskClient, site: SiteKeys) -> None:
    client.post("/v1/surveys", json=DEFINITION, headers=site.auth())
    again = client.post("/v1/surveys", json=DEFINITION, headers=site.auth())
    assert again.status_code == 409
    assert again.json["error"] == {"code": "survey_key_taken", "field": "key",
                                   "message": "A survey onboarding already exists."}


def test_versions_are_never_edited_and_changes_are_audited(
    app: Flask, client: FlaskClient, site: SiteKeys
) -> None:
    client.post("/v1/surveys", json=DEFINITION, headers=site.auth())
    config = {**DEFINITION["config"], "rules": {"sample_rate": 1.0}}
    changed = client.patch("/v1/surveys/onboarding", json={"config": config}, headers=site.auth())
    assert changed.json["version"] == 2
    same = client.patch("/v1/surveys/onboarding", json={"config": config}, headers=site.auth())
    assert same.json["version"] == 2  # nothing changed, no new version
    paused = client.patch("/v1/surveys/onboarding", json={"active": False}, headers=site.auth())
    assert paused.json["active"] is False and paused.json["version"] == 2
    with app.app_context():
        versions = db.session.scalars(select(SurveyVersion).order_by(SurveyVersion.number)).all()
        assert [v.config["rules"]["sample_rate"] for v in versions] == [0.5, 1.0]
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["survey.created", "survey.updated", "survey.updated"]


def test_an_invalid_definition_names_the_nested_field(client: FlaskClient, site: SiteKeys) -> None:
    bad = {**DEFINITION, "config": {"texts": {"en": TEXTS_EN},
                                    "appearance": {"brand_color": "blue"}}}
    response = client.post("/v1/surveys", json=bad, headers=site.auth())
    assert response.status_code == 422
    assert response.json["error"]["field"] == "config.appearance.brand_color"
