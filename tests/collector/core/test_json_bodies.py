"""Bodies the API refuses with the JSON error envelope instead of a 500 or werkzeug's page:
non-finite numbers, text no database can store, malformed or non-UTF-8 JSON."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from tests.factories import ORIGIN, SiteKeys


def _post(client: FlaskClient, path: str, raw: str | bytes, any_site: SiteKeys,
          content_type: str = "application/json") -> object:
    return client.post(path, data=raw, headers={**any_site.auth("secret"),
                                                "Content-Type": content_type})


@pytest.mark.parametrize(("raw", "field"), [
    ('{"survey": "nps", "score": 9, "properties": {"plan": NaN}}', "properties.plan"),
    ('{"survey": "nps", "score": 9, "properties": {"mrr": Infinity}}', "properties.mrr"),
    ('{"survey": "nps", "score": 9, "properties": {"mrr": -Infinity}}', "properties.mrr"),
    ('{"survey": "nps", "score": 9, "properties": {"mrr": 1e999}}', "properties.mrr"),
])
def test_non_finite_numbers_anywhere_are_a_422_naming_the_field(
    any_client: FlaskClient, any_site: SiteKeys, raw: str, field: str
) -> None:
    reply = _post(any_client, "/v1/responses", raw, any_site)
    assert reply.status_code == 422
    assert reply.json["error"]["field"] == field
    listed = any_client.get("/v1/responses", headers=any_site.auth("read"))
    assert listed.json["data"] == []


@pytest.mark.parametrize(("body", "field"), [
    ({"survey": "nps", "score": 9, "comment": "a\x00b"}, "comment"),
    ({"survey": "nps", "score": 9, "comment": "\ud800"}, "comment"),
    ({"survey": "nps", "score": 9, "properties": {"plan": "pro\x00"}}, "properties.plan"),
    ({"survey": "nps", "score": 9, "answers": {"second": "\udfff"}}, "answers.second"),
    ({"survey": "nps", "score": 9, "user_id": "\x00"}, "user_id"),
    ({"survey": "nps", "score": 9, "properties": {"a\x00": 1}}, "properties"),
])
def test_nul_and_lone_surrogates_in_text_are_a_422_naming_the_field(
    any_client: FlaskClient, any_site: SiteKeys, body: dict[str, object], field: str
) -> None:
    # json.dumps escapes both as \\u0000 and \\ud800: what a hostile client sends.
    reply = _post(any_client, "/v1/responses", json.dumps(body), any_site)
    assert reply.status_code == 422
    assert reply.json["error"]["field"] == field


@pytest.mark.parametrize("path", ["/v1/people", "/v1/surveys", "/v1/eligibility",
                                  "/v1/webhooks", "/v1/triggers", "/v1/tickets"])
def test_every_json_endpoint_refuses_nul_text(
    any_client: FlaskClient, any_site: SiteKeys, path: str
) -> None:
    reply = _post(any_client, path, json.dumps({"survey": "nps", "user_id": "a\x00"}), any_site)
    assert reply.status_code in (403, 422)  # the eligibility check is for browser any_site
    if reply.status_code == 422:
        assert reply.json["error"]["field"] == "user_id"


def test_nul_in_a_query_string_or_path_is_refused_not_a_500(
    any_client: FlaskClient, any_site: SiteKeys
) -> None:
    listed = any_client.get("/v1/responses?cursor=%00", headers=any_site.auth("read"))
    assert listed.status_code == 422 and listed.json["error"]["field"] == "cursor"
    survey = any_client.get("/v1/surveys/nps%00", headers=any_site.auth("read"))
    assert survey.status_code == 404 and "error" in survey.json


@pytest.mark.parametrize("raw", [
    b'{"survey": "nps", "score": 9',
    b"\xef\xbb\xbf" + b'{"survey": "nps", "score": 9}',
    '{"survey": "nps", "score": 9}'.encode("utf-16"),
    '{"survey": "nps", "score": 9}'.encode("utf-16-le"),
    b'{"survey": "nps", "comment": "\xff"}',
])
def test_malformed_or_non_utf8_json_gets_the_error_envelope(
    any_client: FlaskClient, any_site: SiteKeys, raw: bytes
) -> None:
    reply = _post(any_client, "/v1/responses", raw, any_site)
    assert reply.status_code == 400
    assert reply.json["error"]["code"] == "invalid_json"
    assert reply.json["error"]["message"]
    assert "field" not in reply.json["error"]


def test_a_browsers_text_plain_body_is_checked_the_same_way(
    any_client: FlaskClient, any_site: SiteKeys
) -> None:
    reply = any_client.post(f"/v1/responses?key={any_site.publishable}",
                            data='{"survey": "nps", "score": 9, "properties": {"x": NaN}}',
                            headers={"Content-Type": "text/plain", "Origin": ORIGIN})
    assert reply.status_code == 422 and reply.json["error"]["field"] == "properties.x"
