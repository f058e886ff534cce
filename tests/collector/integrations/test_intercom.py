"""POST /v1/integrations/{id}/intercom: conversation topics, signed with X-Hub-Signature."""

from __future__ import annotations

from typing import Any

import pytest

from tests.collector.eligibility.conftest import build_world
from tests.collector.integrations.conftest import Helpdesk, connect
from tests.conftest import AppFactory, FakeClock


@pytest.fixture
def intercom(make_app: AppFactory, sqlite_url: str, clock: FakeClock) -> Helpdesk:
    world = build_world(make_app, sqlite_url, clock)
    world.survey("support_resolution", touchpoint="support_resolution")
    return connect(world, "intercom", channel="in_app")


def notification(topic: str, *, notification_id: str = "notif_ccd8a4d2-3c9f-4ab4",
                 updated_at: int = 1772441400) -> dict[str, Any]:
    """A webhook notification as Intercom documents it (topic, data.item = the conversation)."""
    return {
        "type": "notification_event", "app_id": "ecahpwf5", "id": notification_id,
        "topic": topic, "delivery_status": "pending", "delivery_attempts": 1,
        "delivered_at": 0, "first_sent_at": updated_at, "created_at": updated_at,
        "self": None, "links": {},
        "data": {"type": "notification_event_data", "item": {
            "type": "conversation", "id": "147", "created_at": updated_at - 600,
            "updated_at": updated_at, "state": "closed", "open": False,
            "source": {"type": "conversation", "id": "403918320",
                       "delivered_as": "customer_initiated",
                       "author": {"type": "user", "id": "5ba682d23d7cf92bef87bfd4",
                                  "name": "Ann", "email": "ann@example.com"}},
            "contacts": {"type": "contact.list", "contacts": [
                {"type": "contact", "id": "5ba682d23d7cf92bef87bfd4", "external_id": "u-7"}]},
        }},
    }


@pytest.mark.parametrize(("topic", "status"), [
    ("conversation.user.created", "open"),
    ("conversation.admin.opened", "open"),
    ("conversation.admin.snoozed", "pending"),
    ("conversation.admin.closed", "solved"),
])
def test_conversation_topics_become_ticket_statuses(intercom: Helpdesk, topic: str,
                                                    status: str) -> None:
    answer = intercom.intercom(notification(topic))
    assert answer.status_code == 200, answer.get_json()
    assert (answer.get_json()["ticket_id"], answer.get_json()["status"]) == ("147", status)


def test_the_requester_is_the_contacts_external_id(intercom: Helpdesk) -> None:
    intercom.intercom(notification("conversation.user.created"))
    assert intercom.world.eligibility(user_id="u-7")["reason"] == "open_ticket"


def test_a_wrong_signature_is_refused(intercom: Helpdesk) -> None:
    answer = intercom.intercom(notification("conversation.admin.closed"),
                               secret="another-apps-client-secret")
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "bad_signature"
    assert intercom.stored() == (0, 0, 0)


def test_a_missing_signature_is_refused(intercom: Helpdesk) -> None:
    answer = intercom.send(notification("conversation.admin.closed"), {})
    assert answer.get_json()["error"]["code"] == "signature_missing"


def test_a_notification_sent_again_is_a_duplicate_applied_once(intercom: Helpdesk) -> None:
    body = notification("conversation.admin.closed")
    assert intercom.intercom(body).get_json()["code"] == "applied"
    again = intercom.intercom(body)
    assert again.status_code == 200  # Intercom stops retrying
    assert (again.get_json()["code"], again.get_json()["applied"]) == ("duplicate", False)
    assert intercom.stored() == (1, 1, 1)


def test_ping_is_accepted_and_ignored(intercom: Helpdesk) -> None:
    answer = intercom.intercom({"type": "notification_event", "topic": "ping",
                                "id": "notif_1", "data": {"item": {"type": "ping",
                                                                   "message": "hi"}}})
    assert answer.status_code == 200
    assert answer.get_json()["code"] == "ignored"
    assert intercom.stored() == (0, 0, 0)


def test_an_unknown_topic_is_a_clear_error(intercom: Helpdesk) -> None:
    answer = intercom.intercom(notification("conversation.admin.noted"))
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert (error["code"], error["field"]) == ("unknown_ticket_status", "topic")
    assert intercom.stored() == (0, 0, 0)


def test_a_closed_conversation_schedules_the_in_app_survey(intercom: Helpdesk) -> None:
    answer = intercom.intercom(notification("conversation.admin.closed"))
    invitation_id = answer.get_json()["invitation_id"]
    assert invitation_id is not None
    page = intercom.world.get("/v1/invitations").get_json()["data"]
    assert [(row["id"], row["channel"], row["status"]) for row in page] == [
        (invitation_id, "in_app", "pending")]
