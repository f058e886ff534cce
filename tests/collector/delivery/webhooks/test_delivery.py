"""Signed webhook deliveries, checked with the independent ``standardwebhooks`` package."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from collector.core.extensions import db
from collector.delivery.worker import Worker
from tests.factories import make_site, make_survey


def _setup(app: Any) -> Any:
    with app.app_context():
        site = make_site(db.session)
        make_survey(db.session, site.site_id)
    return site


def _worker(app: Any, clock: Any) -> Worker:
    with app.app_context():
        maker = db.sessionmaker
    return Worker(session_factory=maker, clock=clock, rng=random.Random(3), worker_id="t")


def _run(app: Any, worker: Worker) -> int:
    with app.app_context():
        return worker.run_until_idle()


def _endpoint(client: Any, site: Any, url: str, events: list[str] | None = None) -> dict:
    answer = client.post("/v1/webhooks", json={"url": url, "events": events or []},
                         headers=site.auth())
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def _answer(client: Any, site: Any, score: int, user: str = "u-1") -> dict:
    answer = client.post("/v1/responses", json={"survey": "nps", "score": score,
                                                "user_id": user}, headers=site.auth())
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def test_a_receiver_verifies_each_delivery_with_standard_webhooks(hook_app, clock, receiver):
    clock.set(datetime.now(UTC))  # the verifier checks the timestamp against real time
    site = _setup(hook_app)
    client = hook_app.test_client()
    endpoint = _endpoint(client, site, receiver.url)
    assert endpoint["secret"].startswith("whsec_")
    response = _answer(client, site, 3)
    _run(hook_app, _worker(hook_app, clock))

    verifier = Webhook(endpoint["secret"])
    events = [verifier.verify(r.body, r.headers) for r in receiver.requests]
    assert sorted(e["type"] for e in events) == ["followup.created", "response.created",
                                                 "response.detractor"]
    created = next(e for e in events if e["type"] == "response.created")
    assert created["data"]["id"] == response["id"]
    assert created["data"]["score"] == 3
    assert all(r.headers["webhook-id"] == json_id for r, json_id in
               zip(receiver.requests, [e["id"] for e in events], strict=True))
    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB").verify(
            receiver.requests[0].body, receiver.requests[0].headers)


def test_an_endpoint_receives_only_the_event_types_it_asked_for(hook_app, clock, receiver):
    site = _setup(hook_app)
    client = hook_app.test_client()
    _endpoint(client, site, receiver.url, ["response.detractor"])
    _answer(client, site, 10, "happy")
    _answer(client, site, 2, "unhappy")
    _run(hook_app, _worker(hook_app, clock))
    types = [json.loads(r.body)["type"] for r in receiver.requests]
    assert types == ["response.detractor"]


def test_a_receiver_that_was_down_gets_every_event_when_it_returns(hook_app, clock, receiver):
    site = _setup(hook_app)
    client = hook_app.test_client()
    endpoint = _endpoint(client, site, receiver.url, ["response.created"])
    receiver.status = 503
    sent = [_answer(client, site, score, f"u{score}")["id"] for score in (9, 4, 7)]
    worker = _worker(hook_app, clock)
    _run(hook_app, worker)
    for _ in range(6):  # six hours of outage, the worker retrying on its schedule
        clock.advance(hours=1)
        _run(hook_app, worker)
    failed_attempts = len(receiver.requests)
    assert failed_attempts >= 3 * 2
    receiver.status = 204
    clock.advance(hours=7)  # past the longest wait so far
    _run(hook_app, worker)

    delivered = {r.headers["webhook-id"]: json.loads(r.body)
                 for r in receiver.requests[failed_attempts:]}
    assert sorted(e["data"]["id"] for e in delivered.values()) == sorted(sent)
    # Retries carry the same webhook-id, so the receiver can drop duplicates.
    assert set(receiver.ids()) == set(delivered)
    log = client.get(f"/v1/webhooks/{endpoint['id']}/deliveries", headers=site.auth())
    attempts = log.get_json()["data"]
    assert {a["status_code"] for a in attempts} == {503, 204}
    assert max(a["attempt"] for a in attempts) >= 3
    assert all(a["error"] == "HTTP 503" for a in attempts if a["status_code"] == 503)


def test_during_rotation_deliveries_verify_with_the_old_and_the_new_secret(hook_app, clock,
                                                                          receiver):
    clock.set(datetime.now(UTC))
    site = _setup(hook_app)
    client = hook_app.test_client()
    old = _endpoint(client, site, receiver.url, ["response.created"])
    rotated = client.post(f"/v1/webhooks/{old['id']}/rotate-secret",
                          json={"overlap_hours": 1}, headers=site.auth())
    assert rotated.status_code == 200
    new_secret = rotated.get_json()["secret"]
    assert new_secret != old["secret"]
    _answer(client, site, 8)
    _run(hook_app, _worker(hook_app, clock))
    request = receiver.requests[-1]
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    for secret in (old["secret"], new_secret):
        Webhook(secret).verify(request.body, request.headers)

    clock.advance(hours=2)  # overlap over: only the new secret signs
    _answer(client, site, 8, "u-2")
    _run(hook_app, _worker(hook_app, clock))
    later = receiver.requests[-1]
    assert len(later.headers["webhook-signature"].split(" ")) == 1


def test_a_deleted_endpoint_receives_nothing_more(hook_app, clock, receiver):
    site = _setup(hook_app)
    client = hook_app.test_client()
    endpoint = _endpoint(client, site, receiver.url)
    assert client.delete(f"/v1/webhooks/{endpoint['id']}", headers=site.auth()).status_code == 204
    _answer(client, site, 1)
    _run(hook_app, _worker(hook_app, clock))
    assert receiver.requests == []
    assert client.get("/v1/webhooks", headers=site.auth()).get_json()["data"] == []


def test_endpoints_are_listed_without_their_secret(hook_app, receiver):
    site = _setup(hook_app)
    client = hook_app.test_client()
    _endpoint(client, site, receiver.url, ["response.created"])
    listed = client.get("/v1/webhooks", headers=site.auth()).get_json()["data"]
    assert [e["events"] for e in listed] == [["response.created"]]
    assert "secret" not in listed[0]
    assert client.get("/v1/webhooks", headers=site.auth("read")).status_code == 403

