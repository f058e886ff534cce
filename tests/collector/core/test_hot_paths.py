"""The shortcuts taken on the per-page-view paths change no answer (docs/decisions.md)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import redis

from collector.access.identity import sign
from collector.core.extensions import db
from collector.models import Site
from tests.collector.eligibility.conftest import World
from tests.conftest import AppFactory
from tests.factories import make_site


def _require_identity(world: World) -> None:
    with world.app.app_context():
        site = db.session.get(Site, world.site.site_id)
        assert site is not None
        site.require_identity = True
        db.session.commit()


def test_a_token_without_user_id_names_the_person_by_its_subject(world: World) -> None:
    world.survey("nps")
    _require_identity(world)
    token = sign("u-7", world.site.identity_secret, world.clock() + timedelta(hours=1))
    assert world.eligibility(survey="nps", identity_token=token)["eligible"] is True
    # The same person, now named by user id: the display above counts for fatigue.
    again = world.eligibility(survey="nps", user_id="u-7", identity_token=token)
    assert (again["eligible"], again["reason"]) == (False, "recently_surveyed")


def test_an_email_without_token_is_refused_where_identity_is_required(world: World) -> None:
    world.survey("nps")
    _require_identity(world)
    response = world.post("/v1/eligibility", {"survey": "nps", "email": "a@example.com"},
                          "publishable")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "identity_token_required"


def test_a_person_first_seen_through_a_ticket_keeps_the_ticket(world: World) -> None:
    # People created by the page view itself skip the history look-ups; people who exist
    # already (here: created by the ticket) must not.
    world.survey("nps")
    world.ticket(user_id="u-1", ticket_id="T-1", status="open",
                 at=world.clock().isoformat())
    assert world.eligibility(survey="nps", user_id="u-1")["reason"] == "open_ticket"
    assert world.eligibility(survey="nps", user_id="u-2")["reason"] == "eligible"


def test_the_submit_answer_names_survey_version_and_person(world: World) -> None:
    world.survey("nps")
    response = world.post("/v1/responses", {"survey": "nps", "score": 9, "user_id": "u-3"},
                          "publishable")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["survey"], body["survey_version"]) == ("nps", 1)
    assert body["person"] is None  # a browser's answer names no person (docs/security.md)
    listed = world.get("/v1/responses?survey=nps", "read").get_json()["data"]
    assert [(row["id"], row["survey_version"], row["person"]["user_id"]) for row in listed] == [
        (body["id"], 1, "u-3")]


@pytest.mark.parametrize("storage", ["memory", "redis"])
def test_all_scopes_in_one_round_trip_count_like_one_by_one(
        storage: str, make_app: AppFactory, sqlite_url: str, redis_url: str) -> None:
    prefix = f"tptest-{uuid.uuid4().hex}"
    settings: dict[str, object] = {"RATE_LIMIT_ENABLED": True, "RATE_LIMIT_PREFIX": prefix,
                                   "RATE_LIMIT_ADMIN": "key=3/minute;site=5/minute"}
    if storage == "redis":
        settings["REDIS_URL"] = redis_url
    app = make_app(sqlite_url, **settings)
    with app.app_context():
        keys = make_site(db.session, f"site-{uuid.uuid4().hex[:10]}")
    client = app.test_client()
    first = [client.get("/v1/surveys", headers=keys.auth("secret")) for _ in range(4)]
    assert [r.status_code for r in first] == [200, 200, 200, 429]
    assert [r.headers["RateLimit-Remaining"] for r in first] == ["2", "1", "0", "0"]
    assert 1 <= int(first[3].headers["Retry-After"]) <= 60
    # The refusal by the key's limit did not count against the site: 2 of its 5 are left.
    second = [client.get("/v1/surveys", headers=keys.auth("read")).status_code
              for _ in range(3)]
    assert second == [200, 200, 429]
    if storage == "redis":
        shared = redis.Redis.from_url(redis_url)
        assert shared.keys(f"{prefix}*")
        shared.delete(*shared.keys(f"{prefix}*"))
