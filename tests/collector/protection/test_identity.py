"""Identity verification on POST /v1/responses: nobody answers as somebody else."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from collector.access.identity import IdentityError, sign, verify
from collector.core.extensions import db
from collector.models import Site
from tests.collector.protection.conftest import World, browser_headers, world


@pytest.fixture
def strict(protected, clock) -> World:
    w = world(protected(CLOCK=clock))
    with w.app.app_context():
        db.session.get(Site, w.keys.site_id).require_identity = True
        db.session.commit()
    return w


def _post(w: World, body: dict[str, Any]) -> Any:
    return w.app.test_client().post(
        f"/v1/responses?key={w.keys.publishable}",
        data=json.dumps({"survey": w.survey, "score": 9, **body}), headers=browser_headers())


def _stored_person(w: World) -> str:
    """Whom the answer was stored for, as a read key sees it (a browser's own answer names
    no person: docs/security.md)."""
    listed = w.app.test_client().get("/v1/responses", headers=w.keys.auth("read"))
    return str(listed.json["data"][0]["person"]["user_id"])


def _refusal(response: Any) -> tuple[int, str, str]:
    error = response.json["error"]
    return response.status_code, error["code"], error.get("field", "")


def test_a_valid_token_lets_the_person_answer_as_themselves(strict: World, clock) -> None:
    token = sign("u-42", strict.keys.identity_secret, clock() + timedelta(hours=1))
    created = _post(strict, {"user_id": "u-42", "identity_token": token})
    assert created.status_code == 201
    assert _stored_person(strict) == "u-42"


def test_the_token_alone_names_the_person(strict: World, clock) -> None:
    token = sign("u-7", strict.keys.identity_secret, clock() + timedelta(hours=1))
    assert _post(strict, {"identity_token": token}).status_code == 201
    assert _stored_person(strict) == "u-7"


def test_a_forged_token_is_refused(strict: World, clock) -> None:
    forged = sign("u-42", "not-the-site-secret", clock() + timedelta(hours=1))
    assert _refusal(_post(strict, {"user_id": "u-42", "identity_token": forged})) == (
        401, "identity_token_invalid", "identity_token")


@pytest.mark.parametrize("garbage", ["v1.abc", "v2.a.b.c", "v1.dTQy.9999999999.ä½ å¥½",
                                     "v1.!!.x.y", "...."])
def test_a_malformed_token_is_refused_not_a_crash(strict: World, garbage: str) -> None:
    assert _refusal(_post(strict, {"user_id": "u-42", "identity_token": garbage}))[:2] == (
        401, "identity_token_invalid")


def test_an_expired_token_is_refused(strict: World, clock) -> None:
    token = sign("u-42", strict.keys.identity_secret, clock() - timedelta(seconds=1))
    assert _refusal(_post(strict, {"user_id": "u-42", "identity_token": token}))[:2] == (
        401, "identity_token_expired")


def test_another_persons_token_is_refused(strict: World, clock) -> None:
    token = sign("u-1", strict.keys.identity_secret, clock() + timedelta(hours=1))
    assert _refusal(_post(strict, {"user_id": "u-42", "identity_token": token}))[:2] == (
        401, "identity_token_mismatch")


@pytest.mark.parametrize("who", [{"user_id": "u-42"}, {"email": "ana@example.com"}])
def test_a_site_that_requires_identity_refuses_an_unsigned_person(
        strict: World, who: dict[str, str]) -> None:
    assert _refusal(_post(strict, who))[:2] == (401, "identity_token_required")


def test_anonymous_answers_stay_possible_on_a_strict_site(strict: World) -> None:
    assert _post(strict, {"anonymous_id": "anon-123456"}).status_code == 201


def test_a_backend_with_a_secret_key_may_name_people_without_tokens(strict: World) -> None:
    created = strict.app.test_client().post(
        "/v1/responses", json={"survey": "nps", "score": 9, "user_id": "u-42"},
        headers=strict.keys.auth())
    assert created.status_code == 201


def test_a_token_is_checked_even_where_identity_is_optional(protected, clock) -> None:
    w = world(protected(CLOCK=clock))
    forged = sign("u-42", "guess", clock() + timedelta(hours=1))
    assert _post(w, {"user_id": "u-1"}).status_code == 201
    assert _refusal(_post(w, {"user_id": "u-42", "identity_token": forged}))[:2] == (
        401, "identity_token_invalid")


def test_verify_compares_what_was_signed(clock) -> None:
    token = sign("ü-42", "s3cret", clock() + timedelta(minutes=5))
    assert verify(token, "s3cret", clock(), user_id="ü-42") == "ü-42"
    with pytest.raises(IdentityError) as error:
        verify(token, "s3cret", clock(), user_id="ü-43")
    assert error.value.code == "identity_token_mismatch"
    tampered = token.replace(token.split(".")[1], "dS00Mw")
    with pytest.raises(IdentityError):
        verify(tampered, "s3cret", clock())
