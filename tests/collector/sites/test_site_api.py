"""GET/PATCH /v1/site and the identity-secret rotation: the calling key's own site."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from collector.access.identity import sign
from collector.core.extensions import db
from collector.models import AuditEntry, Site
from tests.factories import ORIGIN, SiteKeys, make_site


def audit(app: Flask, action: str) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_a_secret_key_reads_its_site_without_the_identity_secret(
        client: FlaskClient, site: SiteKeys) -> None:
    body = client.get("/v1/site", headers=site.auth("secret")).json
    assert body["slug"] == "example" and body["allowed_origins"] == [ORIGIN]
    assert "identity_secret" not in body


def test_an_admin_key_sees_the_identity_secret(client: FlaskClient, site: SiteKeys) -> None:
    body = client.get("/v1/site", headers=site.auth("admin")).json
    assert body["identity_secret"] == site.identity_secret


@pytest.mark.parametrize("role", ["publishable", "read"])
def test_browser_and_read_keys_cannot_read_or_change_the_site(
        client: FlaskClient, site: SiteKeys, role: str) -> None:
    read = client.get("/v1/site", headers=site.auth(role))
    changed = client.patch("/v1/site", json={"name": "Mine"}, headers=site.auth(role))
    rotated = client.post("/v1/site/identity-secret/rotate", headers=site.auth(role))
    for answer in (read, changed, rotated):
        assert (answer.status_code, answer.json["error"]["code"]) == (403, "wrong_key_role")


def test_a_publishable_key_in_the_query_string_is_refused_too(
        client: FlaskClient, site: SiteKeys) -> None:
    answer = client.get(f"/v1/site?key={site.publishable}", headers={"Origin": ORIGIN})
    assert answer.status_code == 403


def test_adding_an_origin_lets_the_widget_work_there(client: FlaskClient, site: SiteKeys) -> None:
    new = "https://shop.example.com"
    check = f"/v1/eligibility?key={site.publishable}"
    assert client.post(check, json={"survey": "nps", "anonymous_id": "a1"},
                       headers={"Origin": new}).status_code == 403
    answer = client.patch("/v1/site", json={"add_origins": ["HTTPS://Shop.Example.com:443/"]},
                          headers=site.auth("secret"))
    assert answer.status_code == 200, answer.json
    assert answer.json["allowed_origins"] == [ORIGIN, new]
    assert answer.json["changes"] == {"allowed_origins": {"from": [ORIGIN], "to": [ORIGIN, new]}}
    assert client.post(check, json={"survey": "nps", "anonymous_id": "a1"},
                       headers={"Origin": new}).status_code != 403


def test_a_change_is_audited_with_the_key_that_made_it(
        app: Flask, client: FlaskClient, site: SiteKeys) -> None:
    client.patch("/v1/site", json={"name": "Example Inc", "remove_origins": [ORIGIN],
                                   "settings": {"retention_comment_days": 90}},
                 headers=site.auth("admin"))
    [entry] = audit(app, "site.updated")
    assert entry.site_id == site.site_id and entry.actor.startswith("key:")
    assert entry.changes == {
        "name": {"from": "Example", "to": "Example Inc"},
        "allowed_origins": {"from": [ORIGIN], "to": []},
        "settings": {"from": {}, "to": {"retention_comment_days": 90}}}


def test_settings_merge_key_by_key_and_null_removes_one(
        client: FlaskClient, site: SiteKeys) -> None:
    auth = site.auth("secret")
    client.patch("/v1/site", json={"settings": {"alert_min_n": 50,
                                                "eligibility": {"sample_rate": 0.5}}},
                 headers=auth)
    body = client.patch("/v1/site", json={"settings": {"alert_min_n": None}}, headers=auth).json
    assert body["settings"] == {"eligibility": {"sample_rate": 0.5}}


@pytest.mark.parametrize(("body", "field"), [
    ({"settings": {"no_such_setting": 1}}, "settings.no_such_setting"),
    ({"settings": {"eligibility": {"sample_rate": 3}}}, "settings.eligibility.sample_rate"),
    ({"add_origins": ["app.example.com"]}, "add_origins.0"),
    ({"add_origins": ["https://app.example.com/path"]}, "add_origins.0"),
    ({"remove_origins": ["https://never.example.com"]}, "remove_origins"),
    ({"slug": "renamed"}, "slug"),
    ({"default_locale": "klingon-xx"}, "default_locale"),
])
def test_a_change_that_cannot_be_made_is_a_422_naming_the_field(
        client: FlaskClient, site: SiteKeys, body: dict, field: str) -> None:
    answer = client.patch("/v1/site", json=body, headers=site.auth("secret"))
    assert answer.status_code == 422, answer.json
    error = answer.json["error"]
    assert error.get("field") == field or field in error.get("fields", {}), error
    after = client.get("/v1/site", headers=site.auth("secret")).json
    assert after["allowed_origins"] == [ORIGIN] and after["default_locale"] == "en"


def test_site_changes_can_be_found_in_the_audit_trail(client: FlaskClient, site: SiteKeys) -> None:
    client.patch("/v1/site", json={"name": "Renamed"}, headers=site.auth("secret"))
    entries = client.get("/v1/audit?entity=site", headers=site.auth("read")).json["data"]
    assert [e["action"] for e in entries] == ["site.updated"]


def test_a_patch_that_changes_nothing_writes_no_audit_entry(
        app: Flask, client: FlaskClient, site: SiteKeys) -> None:
    answer = client.patch("/v1/site", json={"name": "Example"}, headers=site.auth("secret"))
    assert answer.json["changes"] == {}
    assert audit(app, "site.updated") == []


def test_rotating_the_identity_secret_retires_old_tokens(
        app: Flask, client: FlaskClient, site: SiteKeys, survey: str) -> None:
    expires = datetime(2100, 1, 1, tzinfo=UTC)

    def check(secret: str) -> dict:
        body = {"survey": survey, "user_id": "u1",
                "identity_token": sign("u1", secret, expires)}
        return client.post(f"/v1/eligibility?key={site.publishable}", json=body,
                           headers={"Origin": ORIGIN}).json

    assert "error" not in check(site.identity_secret)
    answer = client.post("/v1/site/identity-secret/rotate", headers=site.auth("admin"))
    assert answer.status_code == 200
    new = answer.json["identity_secret"]
    assert new != site.identity_secret and len(new) >= 32
    assert client.get("/v1/site", headers=site.auth("admin")).json["identity_secret"] == new
    [entry] = audit(app, "site.identity_secret.rotated")
    assert new not in str(entry.changes) and site.identity_secret not in str(entry.changes)
    with app.app_context():
        stored = db.session.get(Site, site.site_id)
        assert stored is not None and stored.identity_secret == new
    assert check(site.identity_secret)["error"]["code"] == "identity_token_invalid"
    assert "error" not in check(new)


def test_a_secret_key_cannot_rotate_the_identity_secret(
        client: FlaskClient, site: SiteKeys) -> None:
    answer = client.post("/v1/site/identity-secret/rotate", headers=site.auth("secret"))
    assert answer.status_code == 403


def test_each_key_sees_only_its_own_site(app: Flask, client: FlaskClient, site: SiteKeys) -> None:
    with app.app_context():
        other = make_site(db.session, "other", origins=["https://other.example"])
    client.patch("/v1/site", json={"name": "Changed"}, headers=other.auth("secret"))
    assert client.get("/v1/site", headers=site.auth("secret")).json["name"] == "Example"


def test_changes_are_stored_on_every_database(any_app: Flask) -> None:
    with any_app.app_context():
        keys = make_site(db.session)
    client = any_app.test_client()
    client.patch("/v1/site", json={"add_origins": ["https://b.example"],
                                   "settings": {"alert_min_n": 40}}, headers=keys.auth("admin"))
    body = client.get("/v1/site", headers=keys.auth("admin")).json
    assert body["allowed_origins"] == [ORIGIN, "https://b.example"]
    assert body["settings"] == {"alert_min_n": 40}
