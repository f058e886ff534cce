"""Connecting a help desk: POST/GET /v1/integrations, rotation, the delivery log, and
``tenpoint integrations add|list|rotate``."""

from __future__ import annotations

import pytest
from flask import Flask

from collector.core.extensions import db
from tests.collector.eligibility.conftest import World
from tests.collector.integrations.conftest import (
    ZENDESK_SECRET,
    Helpdesk,
    connect,
    zendesk_ticket,
)
from tests.factories import make_site


def test_zendesk_needs_the_signing_secret_zendesk_generated(world: World) -> None:
    answer = world.post("/v1/integrations", {"vendor": "zendesk"})
    assert answer.status_code == 422
    assert answer.get_json()["error"]["field"] == "secret"


def test_an_unknown_vendor_is_refused(world: World) -> None:
    answer = world.post("/v1/integrations", {"vendor": "kayako", "secret": "x" * 20})
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "validation_failed"


@pytest.mark.parametrize("role", ["publishable", "read"])
def test_only_secret_and_admin_keys_configure_integrations(world: World, role: str) -> None:
    answer = world.post("/v1/integrations", {"vendor": "freshdesk"}, role)
    assert answer.status_code in (401, 403)
    assert world.get("/v1/integrations", role).status_code in (401, 403)


def test_the_secret_is_shown_once_and_the_url_names_the_integration(world: World) -> None:
    helpdesk = connect(world, "zendesk", name="Support", survey="nps-support")
    assert helpdesk.secret == ZENDESK_SECRET
    [listed] = world.get("/v1/integrations").get_json()["data"]
    assert listed["url"] == f"http://collector.test/v1/integrations/{helpdesk.integration_id}/zendesk"
    assert (listed["name"], listed["survey"], listed["channel"]) == (
        "Support", "nps-support", "email")
    assert "secret" not in listed


def test_rotating_a_zendesk_secret_takes_the_new_one_from_zendesk(world: World) -> None:
    helpdesk = connect(world, "zendesk")
    path = f"/v1/integrations/{helpdesk.integration_id}/rotate-secret"
    assert world.post(path, {}).status_code == 422
    answer = world.post(path, {"secret": "the-new-zendesk-secret", "overlap_hours": 0})
    assert answer.status_code == 200
    assert helpdesk.zendesk(zendesk_ticket(status="Open")).status_code == 401
    assert helpdesk.zendesk(zendesk_ticket(status="Open"),
                            secret="the-new-zendesk-secret").status_code == 200


def test_a_deleted_integration_stops_accepting_deliveries(world: World) -> None:
    world.survey("nps")
    helpdesk = connect(world, "zendesk")
    assert helpdesk.zendesk(zendesk_ticket(status="Open")).status_code == 200
    answer = world.client.delete(f"/v1/integrations/{helpdesk.integration_id}",
                                 headers=world.site.auth())
    assert answer.status_code == 204
    gone = helpdesk.zendesk(zendesk_ticket(status="Solved", updated_at="2026-03-02T09:01:00Z"))
    assert gone.status_code == 404
    assert world.get("/v1/integrations").get_json()["data"] == []
    # The ticket it reported stays: the requester still has an open ticket.
    assert world.eligibility(email="ann@example.com")["reason"] == "open_ticket"


def test_another_sites_integration_is_not_found(world: World) -> None:
    helpdesk = connect(world, "freshdesk")
    with world.app.app_context():
        other = make_site(db.session, "other")
    answer = world.client.get(f"/v1/integrations/{helpdesk.integration_id}/deliveries",
                              headers=other.auth("secret"))
    assert answer.status_code == 404


def test_the_delivery_log_shows_accepted_and_refused_deliveries(world: World) -> None:
    helpdesk = connect(world, "zendesk")
    helpdesk.zendesk(zendesk_ticket(status="Open"))
    helpdesk.zendesk(zendesk_ticket(status="Open"), secret="wrong")
    newest, oldest = helpdesk.deliveries()
    assert (newest["outcome"], newest["code"], newest["status_code"]) == (
        "refused", "bad_signature", 401)
    assert (oldest["outcome"], oldest["code"], oldest["ticket_id"], oldest["vendor_event"]) == (
        "accepted", "applied", "35436", "Open")
    assert oldest["event_at"] == "2026-03-02T09:00:00+00:00"


def test_the_command_line_adds_lists_and_rotates(world: World) -> None:
    app: Flask = world.app
    runner = app.test_cli_runner()
    added = runner.invoke(args=["integrations", "add", "--site", "example",
                                "--vendor", "freshdesk", "--channel", "in_app"])
    assert added.exit_code == 0, added.output
    assert "/v1/integrations/1/freshdesk" in added.output
    secret = added.output.split("X-Tenpoint-Secret): ")[1].strip()
    helpdesk = Helpdesk(world, 1, "freshdesk", secret)
    body = {"ticket_id": 1, "ticket_status": "Open", "requester_email": "a@example.com"}
    assert helpdesk.freshdesk(body).status_code == 200
    listed = runner.invoke(args=["integrations", "list", "--site", "example"])
    assert listed.output.split("\t")[:4] == ["1", "freshdesk", "-", "in_app"]
    rotated = runner.invoke(args=["integrations", "rotate", "1", "--overlap-hours", "0"])
    assert rotated.exit_code == 0, rotated.output
    assert helpdesk.freshdesk(body).status_code == 401
    missing = runner.invoke(args=["integrations", "add", "--site", "example",
                                  "--vendor", "zendesk"])
    assert missing.exit_code != 0 and "signing secret" in missing.output
