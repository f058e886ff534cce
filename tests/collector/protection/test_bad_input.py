"""Bad input is refused early and cheaply, with a code, never a 500."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest

from collector.core.guards import MAX_JSON_DEPTH, json_depth
from tests.collector.protection.conftest import browser_headers, world


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5000, 200_000])
def test_deeply_nested_json_is_refused_before_it_is_parsed(protected, depth: int) -> None:
    w = world(protected(MAX_CONTENT_LENGTH=1_000_000))
    body = '{"survey": "nps", "score": 9, "properties": ' + "[" * depth + "]" * depth + "}"
    for headers in (w.keys.auth() | {"Content-Type": "application/json"},
                    browser_headers()):
        response = w.app.test_client().post(f"/v1/responses?key={w.keys.publishable}",
                                            data=body, headers=headers)
        assert response.status_code == 400
        assert response.json["error"]["code"] == "json_too_deep"


def test_brackets_inside_strings_do_not_count_as_depth() -> None:
    assert json_depth('{"comment": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}') == 1
    assert json_depth('{"a": "\\"[[[[", "b": [[1]]}') == 3
    assert json_depth("") == 0


def test_ordinary_nesting_passes(protected) -> None:
    w = world(protected())
    response = w.app.test_client().post("/v1/responses", headers=w.keys.auth(), json={
        "survey": "nps", "score": 9, "answers": {"second": "[{fine}]"},
        "signals": {"elapsed_ms": 4000}})
    assert response.status_code == 201


def test_a_chunked_body_over_the_limit_is_a_413(protected, live_server) -> None:
    w = world(protected(MAX_CONTENT_LENGTH=2048))
    server = live_server(w.app)
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    chunks = (b'{"survey": "nps", "score": 9, "comment": "' + b"x" * 1000,) * 8 + (b'"}',)
    connection.request("POST", "/v1/responses", body=iter(chunks), encode_chunked=True,
                       headers={**w.keys.auth(), "Content-Type": "application/json",
                                "Transfer-Encoding": "chunked"})
    response = connection.getresponse()
    assert response.status == 413
    assert json.loads(response.read())["error"]["code"] == "payload_too_large"
    connection.close()
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("POST", "/v1/responses", body=iter(chunks[:1] + chunks[-1:]),
                       encode_chunked=True,
                       headers={**w.keys.auth(), "Content-Type": "application/json",
                                "Transfer-Encoding": "chunked"})
    response = connection.getresponse()
    assert response.status == 201, response.read()
    connection.close()


@pytest.mark.parametrize(("field", "value"), [
    ("comment", "x" * 5001),
    ("properties", {f"p{i}": i for i in range(51)}),
    ("properties", {"plan": "x" * 501}),
    ("properties", {"k" * 101: 1}),
    ("properties", {"nested": {"a": 1}}),
    ("answers", {f"q{i}": "a" for i in range(11)}),
    ("signals", {"elapsed_ms": -1}),
    ("identity_token", "v1." + "a" * 1000),
])
def test_oversized_or_malformed_fields_are_422(protected, field: str, value: object) -> None:
    w = world(protected())
    response = w.app.test_client().post("/v1/responses", headers=w.keys.auth(),
                                        json={"survey": "nps", "score": 9, field: value})
    assert response.status_code == 422
    assert response.json["error"]["field"].startswith(field)


def test_api_answers_are_json_that_browsers_must_not_sniff(protected) -> None:
    w = world(protected())
    client = w.app.test_client()
    for response in (client.get("/v1/surveys", headers=w.keys.auth()),
                     client.get("/v1/surveys"),
                     client.post("/v1/responses", data="{nope", headers=browser_headers())):
        assert response.mimetype == "application/json"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
