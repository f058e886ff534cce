"""The OpenAPI document and the code agree (issue 21, finding 19): what the document calls
valid is accepted, and a body it requires is required. schemathesis checks the same across
every operation (test_api_fuzz.py); these name the rules a caller relies on."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from collector.analytics.metrics import UnknownGroup, validate_group
from tests.factories import SiteKeys


def _query_schema(client: FlaskClient, path: str, name: str) -> dict[str, object]:
    operation = client.get("/openapi.json").json["paths"][path]["get"]
    return next(p["schema"] for p in operation["parameters"] if p["name"] == name)


def test_a_write_without_a_json_body_is_refused_not_read_as_empty(
        client: FlaskClient, site: SiteKeys) -> None:
    missing = client.patch("/v1/site", headers=site.auth("admin"))
    mistyped = client.patch("/v1/site", data='{"name": "Renamed"}',
                            headers={**site.auth("admin"), "Content-Type": "text/html"})
    for answer in (missing, mistyped):
        assert answer.status_code == 422
        assert answer.json["error"]["code"] == "body_required"
    assert client.get("/v1/site", headers=site.auth("admin")).json["name"] != "Renamed"


def test_a_key_rotates_without_a_body_as_the_document_allows(
        client: FlaskClient, site: SiteKeys) -> None:
    keys = client.get("/v1/keys", headers=site.auth("admin")).json["data"]
    secret = next(k for k in keys if k["role"] == "secret")
    document = client.get("/openapi.json").json
    rotate = document["paths"]["/v1/keys/{key_id}/rotate"]["post"]
    assert rotate["requestBody"].get("required", False) is False
    answer = client.post(f"/v1/keys/{secret['id']}/rotate", headers=site.auth("admin"))
    assert answer.status_code == 201


@pytest.mark.parametrize("group", ["touchpoint", "week", "ticket_resolution", "property:plan",
                                   "property:a.b-c_9", "colour", "property:a b", "property:",
                                   "Touchpoint", "week\n"])
def test_the_documented_group_by_pattern_is_what_metrics_accept(
        client: FlaskClient, group: str) -> None:
    pattern = _query_schema(client, "/v1/metrics/nps", "group_by")["pattern"]
    try:
        validate_group(group)
        accepted = True
    except UnknownGroup:
        accepted = False
    assert (re.fullmatch(str(pattern), group) is not None) is accepted


def test_a_cursor_outside_the_documented_pattern_is_refused_naming_it(
        client: FlaskClient, site: SiteKeys) -> None:
    schema = _query_schema(client, "/v1/responses", "cursor")
    assert schema["maxLength"] == 200 and re.fullmatch(str(schema["pattern"]), "a" * 200)
    answer = client.get("/v1/responses", query_string={"cursor": "not a cursor"},
                        headers=site.auth("read"))
    assert answer.status_code == 422 and answer.json["error"]["field"] == "cursor"


def test_property_values_are_documented_as_the_types_people_accept(
        app: Flask, client: FlaskClient, site: SiteKeys) -> None:
    schemas = client.get("/openapi.json").json["components"]["schemas"]
    documented = schemas["PersonUpsert"]["properties"]["properties"]
    assert documented["maxProperties"] == 50
    assert {t["type"] for t in documented["additionalProperties"]["anyOf"]} == {
        "string", "number", "boolean"}
    refused = client.post("/v1/people", headers=site.auth("secret"),
                          json={"user_id": "u1", "properties": {"plan": ["pro"]}})
    assert refused.status_code == 422 and refused.json["error"]["field"] == "properties"
    kept = client.post("/v1/people", headers=site.auth("secret"), json={
        "user_id": "u1", "properties": {"plan": "pro", "seats": 3, "trial": False, "x": None}})
    assert kept.status_code in (200, 201)


def test_the_webhook_url_is_documented_as_an_http_uri(client: FlaskClient) -> None:
    url = client.get("/openapi.json").json["components"]["schemas"]["WebhookCreate"][
        "properties"]["url"]
    assert url["format"] == "uri"
    assert re.fullmatch(url["pattern"], "https://hooks.example.com/tenpoint")
    assert not re.fullmatch(url["pattern"], "ftp://hooks.example.com/")
    assert "public addresses" in url["description"]
