"""A site with a help desk connected, and senders that sign like each vendor does."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from collector.core.extensions import db
from collector.models import Invitation, Person, Ticket
from tests.collector.eligibility.conftest import World, build_world
from tests.conftest import AppFactory, FakeClock

ZENDESK_SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="
INTERCOM_SECRET = "intercom-client-secret-0123456789"


def zendesk_signature(secret: str, timestamp: str, body: bytes) -> str:
    """As Zendesk documents it: base64(HMAC-SHA256(secret, timestamp + body))."""
    return base64.b64encode(
        hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()).decode()


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Helpdesk:
    world: World
    integration_id: int
    vendor: str
    secret: str

    @property
    def client(self) -> FlaskClient:
        return self.world.client

    @property
    def path(self) -> str:
        return f"/v1/integrations/{self.integration_id}/{self.vendor}"

    def send(self, body: bytes | dict[str, Any], headers: dict[str, str]) -> Any:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.client.post(self.path, data=raw,
                                headers={"Content-Type": "application/json", **headers})

    def zendesk(self, body: dict[str, Any], *, secret: str | None = None,
                at: datetime | None = None) -> Any:
        raw = json.dumps(body).encode()
        timestamp = stamp(at or self.world.clock())
        return self.send(raw, {
            "X-Zendesk-Webhook-Signature": zendesk_signature(secret or self.secret, timestamp,
                                                             raw),
            "X-Zendesk-Webhook-Signature-Timestamp": timestamp,
            "X-Zendesk-Webhook-Id": "01F7P5ZK7Y8A2TSH4W3BXMQ0HB"})

    def intercom(self, body: dict[str, Any], *, secret: str | None = None) -> Any:
        raw = json.dumps(body).encode()
        digest = hmac.new((secret or self.secret).encode(), raw, hashlib.sha1).hexdigest()
        return self.send(raw, {"X-Hub-Signature": f"sha1={digest}"})

    def freshdesk(self, body: dict[str, Any], *, secret: str | None = None) -> Any:
        return self.send(body, {"X-Tenpoint-Secret": secret or self.secret})

    def deliveries(self) -> list[dict[str, Any]]:
        answer = self.world.get(f"/v1/integrations/{self.integration_id}/deliveries")
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()["data"]

    def stored(self) -> tuple[int, int, int]:
        """(people, tickets, invitations) of the site."""
        with self.world.app.app_context():
            site_id = self.world.site.site_id
            return tuple(db.session.scalar(select(func.count()).select_from(model).where(
                model.site_id == site_id)) or 0 for model in (Person, Ticket, Invitation))


def connect(world: World, vendor: str, **body: Any) -> Helpdesk:
    secrets = {"zendesk": ZENDESK_SECRET, "intercom": INTERCOM_SECRET}
    if vendor in secrets:
        body.setdefault("secret", secrets[vendor])
    answer = world.post("/v1/integrations", {"vendor": vendor, **body})
    assert answer.status_code == 201, answer.get_json()
    created = answer.get_json()
    return Helpdesk(world, created["id"], vendor, created["secret"])


def zendesk_ticket(ticket_id: int = 35436, status: str = "Solved", *,
                   email: str = "ann@example.com", external_id: str = "",
                   updated_at: str = "2026-03-02T09:00:00Z") -> dict[str, Any]:
    """The body of the trigger's webhook action (docs/integrations.md): Zendesk's
    placeholders rendered; an unset one ({{ticket.requester.external_id}}) is empty."""
    return {"ticket_id": str(ticket_id), "status": status, "updated_at": updated_at,
            "requester_email": email, "requester_external_id": external_id,
            "subject": "My printer is on fire!"}


@pytest.fixture
def world(make_app: AppFactory, sqlite_url: str, clock: FakeClock) -> World:
    return build_world(make_app, sqlite_url, clock)


@pytest.fixture
def zendesk(world: World) -> Helpdesk:
    world.survey("support_resolution", touchpoint="support_resolution")
    return connect(world, "zendesk")
