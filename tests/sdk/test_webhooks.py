"""Webhook verification against the independent ``standardwebhooks`` implementation."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks.webhooks import Webhook
from tenpoint import WebhookVerificationError, webhooks

SECRET = "whsec_" + base64.b64encode(b"tenpoint-test-webhook-secret-32b").decode()
OTHER_SECRET = "whsec_" + base64.b64encode(b"another-secret-entirely-32-bytes").decode()
BODY = json.dumps({"id": "msg_1", "type": "response.created",
                   "timestamp": "2026-03-02T09:00:00+00:00",
                   "data": {"score": 3, "comment": "slow"}})


def _signed(body: str = BODY, secret: str = SECRET,
            at: datetime | None = None) -> dict[str, str]:
    moment = at or datetime.now(UTC)
    return {"webhook-id": "msg_1", "webhook-timestamp": str(int(moment.timestamp())),
            "webhook-signature": Webhook(secret).sign("msg_1", moment, body)}


def test_a_standard_webhooks_delivery_is_accepted_and_parsed() -> None:
    payload = webhooks.verify(BODY, _signed(), SECRET)
    assert payload["data"]["score"] == 3


def test_bytes_body_and_framework_style_header_names_are_accepted() -> None:
    headers = {name.title(): value for name, value in _signed().items()}
    assert webhooks.verify(BODY.encode(), headers, SECRET)["type"] == "response.created"


def test_our_signature_is_accepted_by_standard_webhooks() -> None:
    now = datetime.now(UTC)
    headers = {"webhook-id": "msg_2", "webhook-timestamp": str(int(now.timestamp())),
               "webhook-signature": webhooks.sign("msg_2", int(now.timestamp()), BODY, SECRET)}
    assert Webhook(SECRET).verify(BODY, headers)["id"] == "msg_1"


def test_any_one_of_several_signatures_may_match() -> None:
    headers = _signed()
    rotated = _signed(secret=OTHER_SECRET)["webhook-signature"]
    headers["webhook-signature"] = f"{rotated} {headers['webhook-signature']}"
    assert webhooks.verify(BODY, headers, SECRET)["id"] == "msg_1"


def test_a_tampered_body_is_refused() -> None:
    headers = _signed()
    with pytest.raises(WebhookVerificationError) as raised:
        webhooks.verify(BODY.replace('"score": 3', '"score": 10'), headers, SECRET)
    assert raised.value.code == "invalid_signature"


def test_a_wrong_secret_is_refused() -> None:
    with pytest.raises(WebhookVerificationError):
        webhooks.verify(BODY, _signed(), OTHER_SECRET)


@pytest.mark.parametrize("offset", [timedelta(minutes=-6), timedelta(minutes=6)])
def test_a_timestamp_more_than_five_minutes_away_is_refused(offset: timedelta) -> None:
    headers = _signed(at=datetime.now(UTC) + offset)
    with pytest.raises(WebhookVerificationError) as raised:
        webhooks.verify(BODY, headers, SECRET)
    assert raised.value.code == "timestamp_out_of_tolerance"


def test_a_timestamp_within_five_minutes_is_accepted() -> None:
    headers = _signed(at=datetime.now(UTC) - timedelta(minutes=4))
    assert webhooks.verify(BODY, headers, SECRET)["id"] == "msg_1"


def test_a_changed_message_id_is_refused() -> None:
    headers = _signed()
    headers["webhook-id"] = "msg_other"
    with pytest.raises(WebhookVerificationError):
        webhooks.verify(BODY, headers, SECRET)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_headers_are_refused(missing: str) -> None:
    headers = _signed()
    del headers[missing]
    with pytest.raises(WebhookVerificationError) as raised:
        webhooks.verify(BODY, headers, SECRET)
    assert raised.value.code == "missing_headers"
