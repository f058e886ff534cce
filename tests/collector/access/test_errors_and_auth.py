"""Every error is JSON with a stable code; keys are checked for role, site and state."""

from __future__ import annotations

import importlib.metadata
import re
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from collector.access.keys import find_active_key, hash_key, rotate_key
from collector.core.extensions import db
from collector.models import ApiKey
from tests.factories import SiteKeys


def test_unknown_paths_and_methods_answer_json(client: FlaskClient) -> None:
    missing = client.get("/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json["error"]["code"] == "not_found"
    wrong = client.delete("/v1/responses")
    assert wrong.status_code == 405
    assert wrong.json["error"]["code"] == "method_not_allowed"


def test_a_body_over_the_limit_is_refused_with_413(make_app, sqlite_url: str) -> None:
    app = make_app(sqlite_url, MAX_CONTENT_LENGTH=1024)
    response = app.test_client().post("/v1/responses", data="x" * 4096,
                                      headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json["error"]["code"] == "payload_too_large"


def test_an_unexpected_failure_is_a_json_500(app: Flask) -> None:
    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("kaput")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert response.json == {"error": {"code": "internal_error",
                                       "message": "Something went wrong on our side."}}


def test_malformed_json_is_a_400(client: FlaskClient, site: SiteKeys) -> None:
    response = client.post("/v1/responses", data="{nope",
                           headers={**site.auth(), "Content-Type": "application/json"})
    assert response.status_code == 400
    assert "code" in response.json["error"]


def test_missing_and_unknown_keys_are_401(client: FlaskClient) -> None:
    assert client.get("/v1/surveys").json["error"]["code"] == "missing_api_key"
    response = client.get("/v1/surveys", headers={"Authorization": "Bearer sk_unknown"})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "invalid_api_key"


def test_a_read_key_cannot_change_anything(client: FlaskClient, site: SiteKeys) -> None:
    response = client.post("/v1/surveys", headers=site.auth("read"),
                           json={"key": "x", "name": "x", "config": {"texts": {"en": {
                               "question": "?"}}}})
    assert response.status_code == 403


def test_keys_are_stored_only_as_hashes(app: Flask, site: SiteKeys) -> None:
    with app.app_context():
        stored = db.session.scalars(select(ApiKey.key_hash)).all()
    assert hash_key(site.secret) in stored
    assert site.secret not in stored


def test_a_revoked_key_stops_at_once(app: Flask, runner, site: SiteKeys) -> None:
    client = app.test_client()
    assert client.get("/v1/surveys", headers=site.auth()).status_code == 200
    with app.app_context():
        key_id = db.session.scalars(
            select(ApiKey.id).where(ApiKey.key_hash == hash_key(site.secret))).one()
    result = runner.invoke(args=["keys", "revoke", str(key_id)])
    assert result.exit_code == 0, result.output
    assert client.get("/v1/surveys", headers=site.auth()).status_code == 401


def test_a_rotated_key_works_until_its_overlap_ends(app: Flask, site: SiteKeys) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with app.app_context():
        old = find_active_key(db.session, site.secret, start)
        assert old is not None
        _, new_raw = rotate_key(db.session, old, start, timedelta(hours=24))
        db.session.commit()
        assert find_active_key(db.session, site.secret, start + timedelta(hours=23))
        assert find_active_key(db.session, site.secret, start + timedelta(hours=24)) is None
        assert find_active_key(db.session, new_raw, start + timedelta(days=30))


def test_healthz_reports_the_database(client: FlaskClient, make_app, tmp_path) -> None:
    version = importlib.metadata.version("tenpoint-collector")
    assert client.get("/healthz").json == {"status": "ok", "version": version}
    broken = make_app("postgresql+psycopg://nobody@127.0.0.1:1/none")
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["error"]["code"] == "database_unavailable"
    assert response.headers["Retry-After"]


def test_the_openapi_spec_documents_every_api_route(app: Flask, client: FlaskClient) -> None:
    spec = client.get("/openapi.json").json
    assert spec["openapi"].startswith("3.")
    def as_openapi(rule: str) -> str:
        return re.sub(r"<(?:[a-z_]+:)?([a-z_]+)>", r"{\1}", rule)

    routes = {as_openapi(rule.rule) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/v1/")}
    assert routes <= set(spec["paths"])
    error = spec["components"]["schemas"]["Error"]
    assert "error" in error["properties"]
    assert client.get("/docs").status_code == 200
