"""Identity tokens and webhook signatures checked against a running collector."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import tenpoint
from flask import Flask
from standardwebhooks.webhooks import Webhook

from collector.core.extensions import db
from collector.delivery.jobs import run_due_jobs
from collector.models import Site
from tests.conftest import LiveServer
from tests.factories import ORIGIN
from tests.sdk.conftest import Collector


def _post(url: str, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json",
                 "Origin": ORIGIN})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def strict_identity(collector: Collector) -> Collector:
    with collector.app.app_context():
        site = db.session.get(Site, collector.site.site_id)
        assert site is not None
        site.require_identity = True
        db.session.commit()
    return collector


def _eligibility(collector: Collector, **fields: Any) -> tuple[int, dict[str, Any]]:
    return _post(f"{collector.url}/v1/eligibility", collector.site.publishable,
                 {"survey": "nps", "dry_run": True, **fields})


def test_a_token_signed_by_the_sdk_is_accepted_by_the_collector(
        strict_identity: Collector) -> None:
    token = tenpoint.identity.sign("u-42", strict_identity.site.identity_secret)
    status, answer = _eligibility(strict_identity, user_id="u-42", identity_token=token)
    assert status == 200, answer
    assert answer["reason"] == "eligible"


def test_the_collector_refuses_a_missing_token_when_identity_is_required(
        strict_identity: Collector) -> None:
    status, answer = _eligibility(strict_identity, user_id="u-42")
    assert status == 401
    assert answer["error"]["code"] == "identity_token_required"


@pytest.mark.parametrize("forge", [
    lambda secret: tenpoint.identity.sign("u-42", "not-the-site-secret"),
    lambda secret: tenpoint.identity.sign("u-1", secret),
    lambda secret: tenpoint.identity.sign("u-42", secret, expires_in=60, now=0),
], ids=["wrong_secret", "other_user", "expired"])
def test_the_collector_refuses_forged_tokens(strict_identity: Collector,
                                             forge: Callable[[str], str]) -> None:
    token = forge(strict_identity.site.identity_secret)
    status, answer = _eligibility(strict_identity, user_id="u-42", identity_token=token)
    assert status == 401
    assert answer["error"]["code"] in {"identity_token_invalid", "identity_token_mismatch",
                                       "identity_token_expired"}


class Receiver:
    """A webhook receiver on loopback that keeps what it was sent."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[bytes, dict[str, str]]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.deliveries.append((body, dict(self.headers.items())))
                self.send_response(204)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def webhook_collector(make_app: Callable[..., Flask], sqlite_url: str,
                      live_server: Callable[[Flask], LiveServer]) -> Collector:
    from tests.factories import make_site, make_survey

    application = make_app(sqlite_url, WEBHOOK_ALLOW_PRIVATE=True)
    with application.app_context():
        site = make_site(db.session)
        survey = make_survey(db.session, site.site_id)
    return Collector(live_server(application).url, application, site, survey)


def test_a_webhook_delivered_by_the_collector_verifies(
        webhook_collector: Collector, receiver: Receiver) -> None:
    status, endpoint = _post(f"{webhook_collector.url}/v1/webhooks",
                             webhook_collector.site.secret,
                             {"url": receiver.url, "events": ["response.created"]})
    assert status == 201, endpoint
    secret = endpoint["secret"]
    with tenpoint.Client(webhook_collector.site.secret, base_url=webhook_collector.url) as sdk:
        stored = sdk.responses.create("nps", 3, comment="Too slow")
    with webhook_collector.app.app_context():
        for _ in range(3):  # dispatch, then deliver
            run_due_jobs(db.session, datetime.now(UTC))
    assert len(receiver.deliveries) == 1
    body, headers = receiver.deliveries[0]

    sent = {name.lower(): value for name, value in headers.items()}
    assert Webhook(secret).verify(body, sent)["id"] == sent["webhook-id"]
    event = tenpoint.webhooks.verify(body, headers, secret)
    assert event["type"] == "response.created"
    assert event["data"]["id"] == stored["id"]

    with pytest.raises(tenpoint.WebhookVerificationError):
        tenpoint.webhooks.verify(body.replace(b"Too slow", b"Great"), headers, secret)
    with pytest.raises(tenpoint.WebhookVerificationError):
        tenpoint.webhooks.verify(body, headers, "whsec_" + "A" * 32)
    with pytest.raises(tenpoint.WebhookVerificationError):
        tenpoint.webhooks.verify(body, headers, secret,
                                 now=int(sent["webhook-timestamp"]) + 301)
