"""What a publishable key can learn: it lives in browsers, so its answers name no person
(docs/security.md, "What a pk_ caller can learn")."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import ORIGIN, SiteKeys, make_site, make_survey

PRIVATE = ("ada@example.com", "user-42")


def _known_person(client: FlaskClient, site: SiteKeys) -> None:
    created = client.post("/v1/people", json={"user_id": "user-42", "email": "ada@example.com"},
                          headers=site.auth("secret"))
    assert created.status_code in (200, 201), created.json


def _browser_post(client: FlaskClient, site: SiteKeys, path: str, body: dict[str, object],
                  method: str = "post") -> object:
    return getattr(client, method)(f"{path}?key={site.publishable}", data=json.dumps(body),
                                   headers={"Content-Type": "text/plain", "Origin": ORIGIN})


def _leaks(reply: object) -> list[str]:
    text = reply.get_data(as_text=True)  # type: ignore[attr-defined]
    return [secret for secret in PRIVATE if secret in text]


@pytest.mark.parametrize("named", [{"user_id": "user-42"}, {"email": "ada@example.com"}])
def test_a_pk_reply_carries_no_personal_data(
    client: FlaskClient, site: SiteKeys, survey: str, named: dict[str, str]
) -> None:
    _known_person(client, site)
    reply = _browser_post(client, site, "/v1/responses", {"survey": survey, "score": 9, **named})
    assert reply.status_code == 201
    assert reply.json["person"] is None
    assert _leaks(reply) == []


def test_a_pk_edit_reply_carries_no_personal_data(
    client: FlaskClient, site: SiteKeys, survey: str
) -> None:
    _known_person(client, site)
    created = _browser_post(client, site, "/v1/responses",
                            {"survey": survey, "score": 9, "user_id": "user-42"}).json
    patched = _browser_post(client, site, f"/v1/responses/{created['id']}",
                            {"comment": "Fine", "edit_token": created["edit_token"]}, "patch")
    assert patched.status_code == 200
    assert patched.json["person"] is None
    assert "ada@example.com" not in patched.get_data(as_text=True)


@pytest.mark.parametrize("role", ["secret", "admin"])
def test_server_keys_still_see_the_person_they_named(
    client: FlaskClient, site: SiteKeys, survey: str, role: str
) -> None:
    _known_person(client, site)
    reply = client.post("/v1/responses", json={"survey": survey, "score": 9, "user_id": "user-42"},
                        headers=site.auth(role))
    assert reply.status_code == 201
    assert reply.json["person"]["email"] == "ada@example.com"


def test_a_pk_cannot_replay_a_servers_answer_through_its_idempotency_key(
    client: FlaskClient, site: SiteKeys, survey: str
) -> None:
    _known_person(client, site)
    body = {"survey": survey, "score": 9, "user_id": "user-42"}
    server = client.post("/v1/responses", json=body,
                         headers={**site.auth("secret"), "Idempotency-Key": "order-1"})
    assert server.status_code == 201
    browser = client.post(f"/v1/responses?key={site.publishable}&idempotency_key=order-1",
                          json=body, headers={"Origin": ORIGIN})
    assert browser.status_code == 409
    assert "ada@example.com" not in browser.get_data(as_text=True)


def test_no_browser_reply_names_a_person(
    app: Flask, client: FlaskClient, site: SiteKeys, survey: str
) -> None:
    """Every endpoint a pk_ key may call, with a known person named: eligibility, decline,
    response, edit; and the errors they answer."""
    _known_person(client, site)
    replies = [
        _browser_post(client, site, "/v1/eligibility", {"survey": survey, "user_id": "user-42"}),
        _browser_post(client, site, "/v1/eligibility", {"survey": survey,
                                                        "email": "ada@example.com"}),
        _browser_post(client, site, "/v1/responses", {"survey": "missing", "score": 9,
                                                      "user_id": "user-42"}),
        _browser_post(client, site, "/v1/responses", {"survey": survey, "score": 99,
                                                      "email": "ada@example.com"}),
        _browser_post(client, site, "/v1/declines", {"display_id": "nope"}),
        _browser_post(client, site, "/v1/responses/1", {"comment": "x", "edit_token": "bad"},
                      "patch"),
        client.get("/v1/people", headers=site.auth("publishable")),
        client.get("/v1/responses", headers=site.auth("publishable")),
    ]
    for reply in replies:
        text = reply.get_data(as_text=True)
        assert reply.status_code != 500, text
        assert _leaks(reply) == [], text


def test_another_site_cannot_look_up_this_sites_people(
    app: Flask, client: FlaskClient, site: SiteKeys, survey: str
) -> None:
    from collector.core.extensions import db

    _known_person(client, site)
    with app.app_context():
        other = make_site(db.session, "other")
        make_survey(db.session, other.site_id)
    reply = client.post(f"/v1/responses?key={other.publishable}",
                        json={"survey": "nps", "score": 9, "user_id": "user-42"},
                        headers={"Origin": ORIGIN})
    assert reply.status_code == 201
    assert _leaks(reply) == []
