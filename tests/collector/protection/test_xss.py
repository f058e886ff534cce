"""User text comes back inert from every page and every API: a corpus of real XSS payloads
is stored as comments, properties, answers and survey texts, then every GET route is read.

The route loop is built from the app's URL map, so pages added later are covered too.
"""

from __future__ import annotations

import re
from itertools import product
from typing import Any

import pytest
from flask import Flask, url_for
from werkzeug.routing.converters import NumberConverter

from tests.collector.protection.conftest import World, world
from tests.collector.protection.corpus import XSS_PAYLOADS

# A payload counts as live when its first tag (or attribute-breaking quote) comes back as-is.
_LIVE_MARK = re.compile(r"<[a-zA-Z!/]")


def _store_payloads(w: World) -> dict[str, Any]:
    client = w.app.test_client()
    secret = w.keys.auth()
    texts = {"question": XSS_PAYLOADS[0][:500], "low_label": XSS_PAYLOADS[1][:100],
             "high_label": XSS_PAYLOADS[2][:100], "second_question": XSS_PAYLOADS[3],
             "follow_up": {"detractor": XSS_PAYLOADS[4], "passive": XSS_PAYLOADS[5],
                           "promoter": XSS_PAYLOADS[6]},
             "thank_you": {"detractor": XSS_PAYLOADS[7], "passive": XSS_PAYLOADS[8],
                           "promoter": XSS_PAYLOADS[9]}}
    created = client.post("/v1/surveys", headers=secret, json={
        "key": "xss", "name": XSS_PAYLOADS[10][:200],
        "config": {"texts": {"en": texts}, "default_locale": "en"}})
    assert created.status_code == 201, created.json
    ids = []
    for index, payload in enumerate(XSS_PAYLOADS):
        answer = client.post("/v1/responses", headers=secret, json={
            "survey": "xss", "score": index % 11, "comment": payload,
            "answers": {"second": payload}, "touchpoint": payload[:64],
            "properties": {"note": payload, "plan": payload[:100]},
            "email": f"p{index}@example.com"})
        assert answer.status_code == 201, answer.json
        ids.append(answer.json["id"])
    return {"key": "xss", "survey": "xss", "response_id": ids[-1], "id": ids[-1],
            "user_id": "p0@example.com"}


def _get_urls(app: Flask, values: dict[str, Any]) -> list[str]:
    """One URL per GET route (every value of an ``any(...)`` part), arguments filled in."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        choices: list[list[tuple[str, Any]]] = []
        for name in sorted(rule.arguments):
            converter = rule._converters[name]
            if hasattr(converter, "items"):
                options = sorted(converter.items)
            elif isinstance(converter, NumberConverter):
                options = [values["id"]]
            else:
                options = [values.get(name, "xss")]
            choices.append([(name, option) for option in options])
        for combination in product(*choices):
            urls.append(rule.build(dict(combination), append_unknown=False)[1])
    return sorted(set(urls))


def _live_payloads(body: str) -> list[str]:
    return [p for p in XSS_PAYLOADS if _LIVE_MARK.search(p) and p in body]


@pytest.fixture
def stored(protected) -> tuple[World, dict[str, Any]]:
    w = world(protected(CLOCK=None))  # the report's span ends at the real today
    return w, _store_payloads(w)


def test_the_corpus_is_big_enough() -> None:
    assert len(set(XSS_PAYLOADS)) >= 30


def test_every_page_and_api_gives_stored_payloads_back_inert(stored) -> None:
    w, values = stored
    client = w.app.test_client()
    signed_in = _sign_in_to_the_report(w, client)
    checked_html = 0
    for url in _get_urls(w.app, values):
        for headers in (w.keys.auth("secret"), w.keys.auth("read"), {}):
            response = client.get(url, headers=headers)
            assert response.status_code < 500, url
            body = response.get_data(as_text=True)
            if response.mimetype == "text/html":
                checked_html += 1
                assert _live_payloads(body) == [], url
            else:
                # Anything not HTML must say what it is and forbid sniffing it into HTML.
                assert response.headers.get("X-Content-Type-Options") == "nosniff", url
                assert response.mimetype != "text/plain" or not _live_payloads(body), url
    assert checked_html >= 2  # /demo and /docs at least
    if signed_in:
        # The console really shows the stored comments, escaped.
        for path in ("/console/", "/console/responses"):
            shown = client.get(path).get_data(as_text=True)
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown, path


def _sign_in_to_the_report(w: World, client: Any) -> bool:
    """The console (issues 9, 24) lists comments behind a sign-in with a read key."""
    if "console.sign_in" not in w.app.view_functions:
        return False
    with w.app.test_request_context():
        path = url_for("console.sign_in")
    response = client.post(path, data={"key": w.keys.read})
    assert response.status_code in (302, 303)
    return True


def test_the_api_returns_payloads_verbatim_as_json_strings(stored) -> None:
    w, _ = stored
    listed = w.app.test_client().get("/v1/responses?limit=100", headers=w.keys.auth("read"))
    assert listed.mimetype == "application/json"
    assert {r["comment"] for r in listed.json["data"]} == set(XSS_PAYLOADS)
