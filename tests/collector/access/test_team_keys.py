"""A team key (created with ``team``) reaches only the follow-up endpoints, held to its team;
every other endpoint answers 403 ``team_scope`` (docs/security.md, "What each key may see")."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from collector.access.keys import create_key
from collector.core.clock import now
from collector.core.extensions import db
from tests.factories import SiteKeys

REFUSED = [
    ("get", "/v1/responses"), ("get", "/v1/exports/responses"), ("get", "/v1/people/u-1/export"),
    ("get", "/v1/audit"), ("get", "/v1/webhooks"), ("post", "/v1/webhooks"),
    ("get", "/v1/metrics/nps"), ("get", "/v1/surveys"), ("get", "/v1/invitations"),
    ("post", "/v1/people"), ("post", "/v1/responses"), ]


def test_a_team_key_is_refused_by_the_delighted_api(client: FlaskClient, team_key: str) -> None:
    reply = client.get("/delighted/v1/metrics.json",
                       headers={"Authorization": f"Bearer {team_key}"})
    # 403 team_scope; a read key is refused before that with Delighted's own 401 (issue 25).
    assert reply.status_code in (401, 403)



@pytest.fixture(params=["secret", "read", "admin"])
def team_key(request: pytest.FixtureRequest, app: Flask, site: SiteKeys) -> str:
    with app.app_context():
        _, raw = create_key(db.session, site.site_id, request.param, now(), team="billing")
        db.session.commit()
    return raw


@pytest.mark.parametrize(("method", "path"), REFUSED)
def test_a_team_key_is_refused_outside_follow_ups(
    client: FlaskClient, team_key: str, survey: str, method: str, path: str
) -> None:
    reply = getattr(client, method)(path, json={"survey": survey, "score": 9},
                                    headers={"Authorization": f"Bearer {team_key}"})
    # 403 team_scope; a read key is refused before that with Delighted's own 401 (issue 25).
    assert reply.status_code in (401, 403)
    # A key whose role could not call it anyway is refused for its role first; an admin
    # key's role can call everything, so only its team stops it.
    assert reply.json["error"]["code"] in ("team_scope", "wrong_key_role")
    if team_key.startswith("ak_"):
        assert reply.json["error"]["code"] == "team_scope"


def test_a_team_key_lists_its_teams_cases(client: FlaskClient, team_key: str) -> None:
    reply = client.get("/v1/followups", headers={"Authorization": f"Bearer {team_key}"})
    assert reply.status_code == 200
    other = client.get("/v1/followups?team=support",
                       headers={"Authorization": f"Bearer {team_key}"})
    assert other.status_code == 403 and other.json["error"]["code"] == "team_scope"


def test_a_team_key_sees_only_its_follow_up_inbox_in_the_console(
        client: FlaskClient, app: Flask, site: SiteKeys) -> None:
    with app.app_context():
        _, raw = create_key(db.session, site.site_id, "read", now(), team="billing")
        db.session.commit()
    signed_in = client.post("/console/sign-in", data={"key": raw})
    assert signed_in.status_code in (302, 303)
    for screen in ("/console/", "/console/responses", "/console/quarantine", "/console/surveys"):
        reply = client.get(screen)
        assert reply.status_code == 303 and reply.headers["Location"].endswith(
            "/console/followups"), screen
    assert client.get("/console/followups").status_code == 200
