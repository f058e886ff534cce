"""POST /v1/integrations/{id}/freshdesk: Freshdesk does not sign, so the rule sends the
integration's own secret."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.collector.eligibility.conftest import build_world
from tests.collector.integrations.conftest import Helpdesk, connect
from tests.conftest import AppFactory, FakeClock


@pytest.fixture
def freshdesk(make_app: AppFactory, sqlite_url: str, clock: FakeClock) -> Helpdesk:
    world = build_world(make_app, sqlite_url, clock)
    world.survey("support_resolution", touchpoint="support_resolution")
    return connect(world, "freshdesk")


def _rule_body(status: str = "Resolved", **extra: Any) -> dict[str, Any]:
    """The automation rule's advanced JSON body (docs/integrations.md), placeholders
    rendered by Freshdesk."""
    return {"ticket_id": 1042, "ticket_status": status,
            "requester_email": "ann@example.com", "updated_at": "2026-03-02T09:00:00Z", **extra}


def test_tenpoint_generates_the_secret_and_shows_it_once(freshdesk: Helpdesk) -> None:
    assert freshdesk.secret.startswith("tpfd_") and len(freshdesk.secret) > 40
    listed = freshdesk.world.get("/v1/integrations").get_json()["data"]
    assert "secret" not in listed[0]
    assert listed[0]["url"] == f"http://collector.test{freshdesk.path}"


def test_the_secret_in_a_header_authenticates_the_rule(freshdesk: Helpdesk) -> None:
    answer = freshdesk.freshdesk(_rule_body("Open"))
    assert answer.status_code == 200, answer.get_json()
    assert (answer.get_json()["ticket_id"], answer.get_json()["status"]) == ("1042", "open")


def test_the_secret_as_basic_auth_password_authenticates_the_rule(freshdesk: Helpdesk) -> None:
    token = base64.b64encode(f"tenpoint:{freshdesk.secret}".encode()).decode()
    answer = freshdesk.send(_rule_body("Pending"), {"Authorization": f"Basic {token}"})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["status"] == "pending"


@pytest.mark.parametrize(("headers", "code"), [
    ({}, "secret_missing"),
    ({"X-Tenpoint-Secret": "tpfd_guessed"}, "bad_secret"),
])
def test_a_request_without_the_secret_is_refused(freshdesk: Helpdesk, headers: dict[str, str],
                                                 code: str) -> None:
    answer = freshdesk.send(_rule_body(), headers)
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == code
    assert freshdesk.stored() == (0, 0, 0)


def test_freshdesks_simple_mode_wrapper_is_read(freshdesk: Helpdesk) -> None:
    body = {"freshdesk_webhook": {"ticket_id": 7, "ticket_status": "Waiting on Customer",
                                  "ticket_contact_email": "bo@example.com"}}
    answer = freshdesk.freshdesk(body)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["status"] == "pending"


def test_a_resolved_ticket_schedules_the_resolution_survey(freshdesk: Helpdesk) -> None:
    answer = freshdesk.freshdesk(_rule_body("Resolved"))
    assert answer.get_json()["invitation_id"] is not None


def test_a_custom_status_is_a_clear_error(freshdesk: Helpdesk) -> None:
    answer = freshdesk.freshdesk(_rule_body("Awaiting parts"))
    assert answer.status_code == 422
    assert answer.get_json()["error"] == {
        "code": "unknown_ticket_status", "field": "ticket_status",
        "message": "Unknown ticket_status 'Awaiting parts'; known: closed, open, pending, "
                   "resolved, waiting on customer, waiting on third party."}
    assert freshdesk.stored() == (0, 0, 0)


def test_rotation_keeps_the_old_secret_for_the_overlap(freshdesk: Helpdesk) -> None:
    old = freshdesk.secret
    answer = freshdesk.world.post(f"/v1/integrations/{freshdesk.integration_id}/rotate-secret",
                                  {"overlap_hours": 1})
    assert answer.status_code == 200, answer.get_json()
    new = answer.get_json()["secret"]
    assert new != old and new.startswith("tpfd_")
    assert freshdesk.freshdesk(_rule_body("Open"), secret=old).status_code == 200
    assert freshdesk.freshdesk(_rule_body("Pending"), secret=new).status_code == 200
    freshdesk.world.clock.advance(hours=1)
    assert freshdesk.freshdesk(_rule_body("Open"), secret=old).status_code == 401
