"""Keys: admin-only management, immediate revocation, rotation overlap; origins and CORS."""

from __future__ import annotations

import json

from sqlalchemy import select

from collector.access.keys import hash_key
from collector.core.extensions import db
from collector.models import ApiKey, AuditEntry
from tests.collector.protection.conftest import ORIGIN, browser_headers, world


def test_only_an_admin_key_manages_keys(protected) -> None:
    w = world(protected())
    client = w.app.test_client()
    for role in ("publishable", "secret", "read"):
        assert client.get("/v1/keys", headers=w.keys.auth(role)).status_code in (401, 403)
        assert client.post("/v1/keys", json={"role": "read"},
                           headers=w.keys.auth(role)).status_code in (401, 403)
    listed = client.get("/v1/keys", headers=w.keys.auth("admin"))
    assert listed.status_code == 200
    assert {k["role"] for k in listed.json["data"]} == {"publishable", "secret", "read", "admin"}
    assert all("key" not in k and "key_hash" not in k for k in listed.json["data"])


def test_a_created_key_is_shown_once_stored_hashed_and_audited(protected) -> None:
    w = world(protected())
    client = w.app.test_client()
    created = client.post("/v1/keys", json={"role": "read", "name": "BI tool"},
                          headers=w.keys.auth("admin"))
    assert created.status_code == 201
    raw = created.json["key"]
    assert raw.startswith("rk_") and created.json["prefix"] == raw[:10]
    assert client.get("/v1/responses", headers={"Authorization": f"Bearer {raw}"}
                      ).status_code == 200
    with w.app.app_context():
        stored = db.session.scalars(select(ApiKey).where(ApiKey.id == created.json["id"])).one()
        assert stored.key_hash == hash_key(raw)
        actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "key.create" in actions


def test_a_revoked_key_stops_with_the_next_request(protected) -> None:
    w = world(protected())
    client = w.app.test_client()
    created = client.post("/v1/keys", json={"role": "secret"}, headers=w.keys.auth("admin")).json
    bearer = {"Authorization": f"Bearer {created['key']}"}
    assert client.get("/v1/surveys", headers=bearer).status_code == 200
    revoked = client.post(f"/v1/keys/{created['id']}/revoke", headers=w.keys.auth("admin"))
    assert revoked.status_code == 200 and revoked.json["revoked_at"]
    assert client.get("/v1/surveys", headers=bearer).json["error"]["code"] == "invalid_api_key"


def test_a_rotated_key_works_until_the_overlap_ends(protected, clock) -> None:
    w = world(protected(CLOCK=clock))
    client = w.app.test_client()
    admin = w.keys.auth("admin")
    key_id = next(k["id"] for k in client.get("/v1/keys", headers=admin).json["data"]
                  if k["role"] == "secret")
    rotated = client.post(f"/v1/keys/{key_id}/rotate", json={"overlap_seconds": 3600},
                          headers=admin)
    assert rotated.status_code == 201
    new = {"Authorization": f"Bearer {rotated.json['key']}"}
    assert client.get("/v1/surveys", headers=w.keys.auth()).status_code == 200
    assert client.get("/v1/surveys", headers=new).status_code == 200
    clock.advance(seconds=3601)
    assert client.get("/v1/surveys", headers=w.keys.auth()).status_code == 401
    assert client.get("/v1/surveys", headers=new).status_code == 200
    assert client.post("/v1/keys/999999/rotate", json={}, headers=admin).status_code == 404


def test_another_sites_keys_are_out_of_reach(protected) -> None:
    w = world(protected())
    other = world(w.app)
    client = w.app.test_client()
    theirs = client.get("/v1/keys", headers=other.keys.auth("admin")).json["data"][0]["id"]
    response = client.post(f"/v1/keys/{theirs}/revoke", headers=w.keys.auth("admin"))
    assert (response.status_code, response.json["error"]["code"]) == (404, "key_not_found")


def test_a_publishable_key_works_only_from_its_sites_origins(protected) -> None:
    w = world(protected())
    client = w.app.test_client()
    url = f"/v1/responses?key={w.keys.publishable}"
    body = json.dumps({"survey": "nps", "score": 9})
    allowed = client.post(url, data=body, headers=browser_headers())
    assert allowed.status_code == 201
    assert allowed.headers["Access-Control-Allow-Origin"] == ORIGIN
    for origin in ("null", "https://evil.example", "https://app.example.com.evil.example"):
        refused = client.post(url, data=body, headers=browser_headers(Origin=origin))
        assert refused.status_code == 403, origin
        assert refused.json["error"]["code"] == "origin_not_allowed"
        assert f"--add-origin {origin}" in refused.json["error"]["message"]
        # Readable by that page, so the widget can say what to fix (issue 24), and no more.
        assert refused.headers["Access-Control-Allow-Origin"] == origin
        assert "Access-Control-Allow-Credentials" not in refused.headers
        assert ORIGIN not in refused.get_data(as_text=True).replace(origin, "")  # not leaked


def test_a_publishable_key_of_another_site_is_refused_for_this_sites_origin(protected) -> None:
    w = world(protected())
    other = world(w.app, origins=["https://other.example"])
    response = w.app.test_client().post(
        f"/v1/responses?key={other.keys.publishable}",
        data=json.dumps({"survey": "nps", "score": 9}), headers=browser_headers())
    assert response.status_code == 403


def test_preflight_allows_only_the_sites_origins(protected) -> None:
    w = world(protected())
    client = w.app.test_client()
    url = f"/v1/responses?key={w.keys.publishable}"
    ok = client.options(url, headers={"Origin": ORIGIN,
                                      "Access-Control-Request-Method": "POST"})
    assert ok.status_code == 204
    assert ok.headers["Access-Control-Allow-Origin"] == ORIGIN
    for origin in ("null", "https://evil.example"):
        refused = client.options(url, headers={"Origin": origin,
                                               "Access-Control-Request-Method": "POST"})
        assert "Access-Control-Allow-Origin" not in refused.headers


def test_a_publishable_key_cannot_reach_server_endpoints(protected) -> None:
    w = world(protected())
    client = w.app.test_client()
    for path in ("/v1/surveys", "/v1/responses", "/v1/keys"):
        response = client.get(path, headers=w.keys.auth("publishable"))
        assert response.status_code == 403, path
