"""Triggers, checks, tickets, invitations and people through the SDK against a live collector."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import tenpoint

from tests.sdk.conftest import Collector


def test_a_trigger_creates_an_invitation_with_a_survey_link(sdk: tenpoint.Client) -> None:
    decision = sdk.trigger("nps", user_id="u-42", email="ana@example.com",
                           touchpoint="order_delivered", delay=timedelta(hours=1))
    assert isinstance(decision, tenpoint.Decision)
    assert decision.eligible and decision.reason == "eligible"
    assert decision.invitation is not None
    assert decision.invitation.url and "/s/" in decision.invitation.url
    assert decision.invitation.send_at is not None
    assert decision.invitation.send_at > datetime.now(UTC) + timedelta(minutes=50)


def test_a_second_trigger_returns_the_pending_invitation(sdk: tenpoint.Client) -> None:
    first = sdk.trigger("nps", user_id="u-42", email="ana@example.com")
    second = sdk.trigger("nps", user_id="u-42", email="ana@example.com")
    assert isinstance(first, tenpoint.Decision) and isinstance(second, tenpoint.Decision)
    assert first.invitation and second.invitation
    assert second.invitation.id == first.invitation.id
    assert len(list(sdk.invitations.list(survey="nps"))) == 1


def test_check_answers_without_recording_anything(sdk: tenpoint.Client) -> None:
    decision = sdk.check("nps", user_id="u-7", email="bo@example.com")
    assert decision.eligible and decision.reason == "eligible"
    assert decision.invitation is None
    assert list(sdk.invitations.list()) == []


def test_an_open_ticket_holds_the_survey_back_until_it_is_resolved(
        sdk: tenpoint.Client) -> None:
    answer = sdk.tickets.opened("T-1001", user_id="u-9", email="cy@example.com")
    assert answer["status"] == "open" and answer["applied"] is True
    held = sdk.check("nps", user_id="u-9", email="cy@example.com")
    assert not held.eligible and held.reason == "open_ticket"
    sdk.tickets.resolved("T-1001", user_id="u-9")
    after = sdk.check("nps", user_id="u-9", email="cy@example.com")
    assert after.reason != "open_ticket"


def test_an_older_ticket_event_changes_nothing(sdk: tenpoint.Client) -> None:
    now = datetime.now(UTC)
    sdk.tickets.resolved("T-2", user_id="u-9", at=now)
    stale = sdk.tickets.opened("T-2", user_id="u-9", at=now - timedelta(hours=1))
    assert stale["applied"] is False and stale["status"] == "solved"


def test_email_channel_without_an_email_is_a_validation_error(sdk: tenpoint.Client) -> None:
    with pytest.raises(tenpoint.ValidationError) as raised:
        sdk.trigger("nps", user_id="u-1", channel="email")
    assert raised.value.code == "email_required"
    assert "email" in raised.value.fields


def test_a_pending_invitation_can_be_cancelled(sdk: tenpoint.Client) -> None:
    decision = sdk.trigger("nps", user_id="u-5", email="ed@example.com", delay=3600)
    assert isinstance(decision, tenpoint.Decision) and decision.invitation
    assert decision.invitation.status == "pending"
    cancelled = sdk.invitations.cancel(decision.invitation.id)
    assert cancelled["status"] == "cancelled"
    assert [item["status"] for item in sdk.invitations.list(status="cancelled")] == ["cancelled"]
    with pytest.raises(tenpoint.ConflictError):
        sdk.invitations.cancel(decision.invitation.id)


def test_invitations_page_through_more_than_one_page(sdk: tenpoint.Client) -> None:
    for index in range(5):
        sdk.trigger("nps", user_id=f"u-{index}", channel="link")
    invitations = sdk.invitations.list(limit=2)
    assert len({item["id"] for item in invitations}) == 5
    assert invitations.pages_fetched == 3


def test_background_triggers_are_delivered_once(
        make_client: Callable[..., tenpoint.Client], sdk: tenpoint.Client) -> None:
    client = make_client(background=True)
    assert client.trigger("nps", user_id="u-bg", channel="link") is True
    assert client.flush(timeout=10)
    assert [item["user_id"] for item in sdk.invitations.list()] == ["u-bg"]


def test_people_are_updated_exported_unsubscribed_and_erased(
        sdk: tenpoint.Client) -> None:
    person = sdk.people.update("u-77", email="di@example.com", name="Di",
                               properties={"plan": "pro"})
    assert person["user_id"] == "u-77" and person["properties"] == {"plan": "pro"}
    assert sdk.people.unsubscribe("u-77")["unsubscribed_at"] is not None
    refused = sdk.check("nps", user_id="u-77", email="di@example.com")
    assert not refused.eligible and refused.reason == "unsubscribed"
    exported = sdk.people.export("u-77")
    assert exported["person"]["email"] == "di@example.com"
    erased = sdk.people.delete("u-77")
    assert erased["person"]["erased_at"] is not None
    assert sdk.people.export("u-77")["person"]["email"] is None


def test_a_signup_time_reaches_the_person_through_people_and_triggers(
        sdk: tenpoint.Client) -> None:
    signed_up = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    person = sdk.people.update("u-s1", signed_up_at=signed_up)
    assert datetime.fromisoformat(person["signed_up_at"]) == signed_up
    sdk.trigger("nps", user_id="u-s2", channel="link", signed_up_at=signed_up)
    exported = sdk.people.export("u-s2")["person"]
    assert datetime.fromisoformat(exported["signed_up_at"]) == signed_up


def test_an_unknown_person_is_not_found(sdk: tenpoint.Client) -> None:
    with pytest.raises(tenpoint.NotFoundError):
        sdk.people.export("nobody")


def test_trigger_retries_never_create_a_second_invitation(
        make_client: Callable[..., tenpoint.Client], collector: Collector,
        sdk: tenpoint.Client) -> None:
    from tests.sdk.proxy import FaultProxy

    proxy = FaultProxy(collector.url)
    try:
        proxy.script(["503", "drop_after_commit"])
        client = make_client(base_url=proxy.url)
        decision = client.trigger("nps", user_id="u-r", channel="link")
        assert isinstance(decision, tenpoint.Decision) and decision.invitation
    finally:
        proxy.stop()
    assert [item["id"] for item in sdk.invitations.list()] == [decision.invitation.id]
