"""POST /v1/integrations/{id}/zendesk: signed trigger webhooks become ticket events."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.collector.integrations.conftest import (
    Helpdesk,
    stamp,
    zendesk_signature,
    zendesk_ticket,
)


def test_a_signed_status_change_is_applied_as_a_ticket_event(zendesk: Helpdesk) -> None:
    answer = zendesk.zendesk(zendesk_ticket(status="Open"))
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["code"] == "applied"
    assert answer.get_json()["status"] == "open"
    # The open ticket now keeps the requester from being surveyed, as POST /v1/tickets does.
    assert zendesk.world.eligibility(email="ann@example.com")["reason"] == "open_ticket"


def test_zendesk_statuses_map_onto_tenpoint_statuses(zendesk: Helpdesk) -> None:
    expected = {"New": "open", "Open": "open", "Pending": "pending", "Hold": "pending",
                "Solved": "solved", "Closed": "closed"}
    for minute, (vendor_status, status) in enumerate(expected.items()):
        body = zendesk_ticket(status=vendor_status,
                              updated_at=f"2026-03-02T08:{minute:02d}:00Z")
        answer = zendesk.zendesk(body)
        assert answer.status_code == 200, answer.get_json()
        assert answer.get_json()["status"] == status


def test_a_wrong_signature_is_refused_and_logged(zendesk: Helpdesk) -> None:
    answer = zendesk.zendesk(zendesk_ticket(), secret="not-the-signing-secret")
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "bad_signature"
    assert zendesk.stored() == (0, 0, 0)
    [logged] = zendesk.deliveries()
    assert (logged["outcome"], logged["code"], logged["status_code"]) == (
        "refused", "bad_signature", 401)


def test_a_body_changed_after_signing_is_refused(zendesk: Helpdesk) -> None:
    signed = zendesk.zendesk(zendesk_ticket(status="Open"))
    assert signed.status_code == 200
    raw = json.dumps(zendesk_ticket(status="Solved")).encode()
    answer = zendesk.send(raw, {
        "X-Zendesk-Webhook-Signature": "aGVsbG8=",
        "X-Zendesk-Webhook-Signature-Timestamp": "2026-03-02T09:00:00Z"})
    assert answer.get_json()["error"]["code"] == "bad_signature"


def test_a_request_without_signature_is_refused(zendesk: Helpdesk) -> None:
    answer = zendesk.send(zendesk_ticket(), {})
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "signature_missing"


def test_a_stale_timestamp_is_refused(zendesk: Helpdesk) -> None:
    signed_at = zendesk.world.clock() - timedelta(minutes=6)
    answer = zendesk.zendesk(zendesk_ticket(), at=signed_at)
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "stale_timestamp"
    assert zendesk.stored() == (0, 0, 0)


def test_a_replayed_request_is_refused(zendesk: Helpdesk) -> None:
    body = zendesk_ticket(status="Open")
    raw = json.dumps(body).encode()
    first = zendesk.zendesk(body)
    assert first.status_code == 200
    captured = {"X-Zendesk-Webhook-Signature": first.request.headers[
        "X-Zendesk-Webhook-Signature"], "X-Zendesk-Webhook-Signature-Timestamp":
        first.request.headers["X-Zendesk-Webhook-Signature-Timestamp"]}
    zendesk.world.clock.advance(minutes=1)
    again = zendesk.send(raw, captured)
    assert again.status_code == 401
    assert again.get_json()["error"]["code"] == "replayed"
    assert [d["code"] for d in zendesk.deliveries()] == ["replayed", "applied"]


def test_an_unknown_status_is_a_clear_error_and_stores_nothing(zendesk: Helpdesk) -> None:
    answer = zendesk.zendesk(zendesk_ticket(status="Escalated"))
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["code"] == "unknown_ticket_status" and error["field"] == "status"
    assert "Escalated" in error["message"]
    assert zendesk.stored() == (0, 0, 0)
    assert zendesk.deliveries()[0]["vendor_event"] == "Escalated"


def test_a_payload_without_requester_is_refused(zendesk: Helpdesk) -> None:
    answer = zendesk.zendesk(zendesk_ticket(email=""))
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "requester_missing"
    assert zendesk.stored() == (0, 0, 0)


def test_a_signed_body_that_is_not_json_is_refused(zendesk: Helpdesk) -> None:
    timestamp = stamp(zendesk.world.clock())
    answer = zendesk.send(b"<ticket/>", {
        "X-Zendesk-Webhook-Signature": zendesk_signature(zendesk.secret, timestamp,
                                                         b"<ticket/>"),
        "X-Zendesk-Webhook-Signature-Timestamp": timestamp})
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "invalid_json"


def test_an_older_event_changes_nothing(zendesk: Helpdesk) -> None:
    assert zendesk.zendesk(zendesk_ticket(status="Solved",
                                          updated_at="2026-03-02T08:30:00Z")).status_code == 200
    late = zendesk.zendesk(zendesk_ticket(status="Open", updated_at="2026-03-02T08:00:00Z"))
    assert late.status_code == 200
    assert (late.get_json()["code"], late.get_json()["applied"]) == ("unchanged", False)


def test_the_external_id_names_the_requester(zendesk: Helpdesk) -> None:
    zendesk.zendesk(zendesk_ticket(status="Open", email="", external_id="u-42"))
    assert zendesk.world.eligibility(user_id="u-42")["reason"] == "open_ticket"


def test_the_url_must_name_the_integrations_vendor(zendesk: Helpdesk) -> None:
    answer = zendesk.client.post(f"/v1/integrations/{zendesk.integration_id}/intercom",
                                 json={})
    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "integration_not_found"
