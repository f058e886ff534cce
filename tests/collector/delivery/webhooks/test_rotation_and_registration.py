"""Issue 25: every rotated secret signs until its own promised end; an endpoint receives
only the events that happened after it was registered."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from standardwebhooks.webhooks import Webhook

from tests.collector.delivery.webhooks.test_delivery import (
    _answer,
    _endpoint,
    _run,
    _setup,
    _worker,
)


def _rotate(client, site, endpoint_id: int, hours: int) -> dict[str, Any]:
    rotated = client.post(f"/v1/webhooks/{endpoint_id}/rotate-secret",
                          json={"overlap_hours": hours}, headers=site.auth())
    assert rotated.status_code == 200
    return rotated.get_json()


def _signatures(hook_app, clock, client, site, receiver, user: str) -> Any:
    _answer(client, site, 8, user)
    _run(hook_app, _worker(hook_app, clock))
    return receiver.requests[-1]


def test_a_second_rotation_keeps_the_first_secret_until_its_own_end(hook_app, clock,
                                                                    receiver):
    clock.set(datetime.now(UTC))
    site = _setup(hook_app)
    client = hook_app.test_client()
    first = _endpoint(client, site, receiver.url, ["response.created"])
    second = _rotate(client, site, first["id"], hours=24)  # first signs until +24 h
    clock.advance(minutes=1)
    third = _rotate(client, site, first["id"], hours=2)  # second signs until +2 h 1 min
    # The old secrets sign until the later of their ends: the first one's.
    assert third["secret_rotating_until"] == second["secret_rotating_until"]
    request = _signatures(hook_app, clock, client, site, receiver, "a")
    for secret in (first["secret"], second["secret"], third["secret"]):
        Webhook(secret).verify(request.body, request.headers)


def test_each_rotated_secret_stops_at_its_own_end(hook_app, clock, receiver):
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    clock.set(start)
    site = _setup(hook_app)
    client = hook_app.test_client()
    first = _endpoint(client, site, receiver.url, ["response.created"])
    _rotate(client, site, first["id"], hours=24)
    clock.advance(hours=1)
    _rotate(client, site, first["id"], hours=2)
    counts = []
    for hours, user in ((0, "a"), (2, "b"), (21, "c")):  # at +1 h, +3 h, +24 h
        clock.advance(hours=hours)
        request = _signatures(hook_app, clock, client, site, receiver, user)
        counts.append(len(request.headers["webhook-signature"].split(" ")))
    assert counts == [3, 2, 1]


def test_an_endpoint_gets_no_event_from_before_its_registration(hook_app, clock, receiver):
    site = _setup(hook_app)
    client = hook_app.test_client()
    before = _answer(client, site, 9, "early")  # queued, not dispatched yet
    clock.advance(seconds=5)
    _endpoint(client, site, receiver.url, ["response.created"])
    clock.advance(seconds=5)
    after = _answer(client, site, 9, "late")
    _run(hook_app, _worker(hook_app, clock))
    received = [json.loads(r.body)["data"]["id"] for r in receiver.requests]
    assert received == [after["id"]]
    assert before["id"] not in received
