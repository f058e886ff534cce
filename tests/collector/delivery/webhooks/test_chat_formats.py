"""Slack (Block Kit) and Microsoft Teams (Adaptive Card) messages on the webhook outbox,
checked against the shapes Slack and Microsoft document, through a loopback receiver."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from collector.core.extensions import db
from collector.delivery.chat import slack_body, teams_body
from collector.delivery.worker import Worker
from collector.followups.overdue import announce_overdue
from collector.models import Site, WebhookDelivery
from tests.collector.delivery.webhooks.receiver import Receiver
from tests.factories import SiteKeys, make_site, make_survey

SLACK_BLOCK_TYPES = {"header", "section", "actions", "context", "divider"}


def _setup(app: Any, locale: str = "en") -> SiteKeys:
    with app.app_context():
        site = make_site(db.session)
        found = db.session.get(Site, site.site_id)
        assert found is not None
        found.default_locale = locale
        db.session.commit()
        make_survey(db.session, site.site_id)
    return site


def _run(app: Any, clock: Any) -> int:
    with app.app_context():
        worker = Worker(session_factory=db.sessionmaker, clock=clock, rng=random.Random(3),
                        worker_id="t")
        return worker.run_until_idle()


def _endpoint(app: Any, site: SiteKeys, url: str, format: str, **body: Any) -> dict[str, Any]:
    answer = app.test_client().post("/v1/webhooks", json={"url": url, "format": format, **body},
                                    headers=site.auth())
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def _answer(app: Any, site: SiteKeys, score: int, comment: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"survey": "nps", "score": score, "user_id": "u-1",
                            "email": "ann@example.com"}
    if comment:
        body["comment"] = comment
    answer = app.test_client().post("/v1/responses", json=body, headers=site.auth())
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def _bodies(receiver: Receiver) -> list[dict[str, Any]]:
    assert all(r.headers["content-type"] == "application/json" for r in receiver.requests)
    return [json.loads(r.body) for r in receiver.requests]


def assert_slack_message(body: dict[str, Any]) -> None:
    """Slack's incoming webhook payload: ``text`` (notification fallback) and ``blocks``
    (api.slack.com/reference/block-kit/blocks): a header's text is plain_text of at most 150
    characters, a section's mrkdwn of at most 3000, buttons carry an https/http url."""
    assert set(body) == {"text", "blocks"} and body["text"]
    assert 1 <= len(body["blocks"]) <= 50
    for block in body["blocks"]:
        assert block["type"] in SLACK_BLOCK_TYPES
        if block["type"] == "header":
            assert block["text"]["type"] == "plain_text" and len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            assert block["text"]["type"] == "mrkdwn" and 0 < len(block["text"]["text"]) <= 3000
        if block["type"] == "actions":
            for element in block["elements"]:
                assert element["type"] == "button"
                assert element["text"]["type"] == "plain_text"
                assert element["url"].startswith(("http://", "https://"))


def assert_teams_card(body: dict[str, Any]) -> dict[str, Any]:
    """What a Teams Workflows webhook posts as a card: a message whose attachment is an
    Adaptive Card (adaptivecards.io/explorer: AdaptiveCard, TextBlock, Action.OpenUrl)."""
    assert body["type"] == "message"
    [attachment] = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert card["body"] and all(item["type"] == "TextBlock" and item["text"]
                                for item in card["body"])
    for action in card["actions"]:
        assert action["type"] == "Action.OpenUrl" and action["title"]
        assert action["url"].startswith(("http://", "https://"))
    return card


def test_slack_gets_a_detractors_answer_and_comment_as_block_kit(hook_app, clock, receiver):
    site = _setup(hook_app)
    _endpoint(hook_app, site, receiver.url, "slack", events=["response.detractor"])
    response = _answer(hook_app, site, 3, "Checkout broke <twice> & nobody answered")
    _run(hook_app, clock)
    [body] = _bodies(receiver)
    assert_slack_message(body)
    assert body["text"] == "New detractor answer"
    header, facts, comment, actions = body["blocks"]
    assert header["text"]["text"] == "New detractor answer"
    assert facts["text"]["text"].startswith("3 out of 10 · nps")
    assert "ann@example.com" in facts["text"]["text"]
    assert comment["text"]["text"] == ">Checkout broke &lt;twice&gt; &amp; nobody answered"
    assert actions["elements"][0]["url"] == (
        f"http://collector.test/console/responses/{response['id']}")


def test_a_chat_endpoint_hears_only_what_a_team_acts_on(hook_app, clock, receiver):
    site = _setup(hook_app)
    endpoint = _endpoint(hook_app, site, receiver.url, "slack")
    assert endpoint["format"] == "slack"
    assert endpoint["events"] == ["alert.nps_shift", "followup.created", "followup.overdue",
                                  "response.detractor"]
    _answer(hook_app, site, 10)
    _run(hook_app, clock)
    assert receiver.requests == []  # response.created has no message
    _answer(hook_app, site, 2)
    _run(hook_app, clock)
    assert sorted(b["text"] for b in _bodies(receiver)) == [
        "New detractor answer", "New follow-up case"]


def test_a_chat_endpoint_refuses_events_without_a_message(hook_app, receiver):
    site = _setup(hook_app)
    answer = hook_app.test_client().post(
        "/v1/webhooks", json={"url": receiver.url, "format": "teams",
                              "events": ["response.created"]}, headers=site.auth())
    assert answer.status_code == 422
    assert answer.get_json()["error"]["field"] == "events"


def test_teams_gets_a_new_case_as_an_adaptive_card_in_the_sites_language(
        hook_app, clock, receiver):
    site = _setup(hook_app, "de")
    _endpoint(hook_app, site, receiver.url, "teams", events=["followup.created"])
    _answer(hook_app, site, 4, "Zu teuer")
    _run(hook_app, clock)
    [body] = _bodies(receiver)
    card = assert_teams_card(body)
    texts = [item["text"] for item in card["body"]]
    assert texts[0] == "Neuer Nachverfolgungsfall"
    assert any(text.startswith("Fällig am ") for text in texts)
    assert card["actions"][0]["title"] == "In Tenpoint öffnen"
    assert card["actions"][0]["url"].startswith("http://collector.test/console/followups/")


def test_an_overdue_case_is_told_once(hook_app, clock, receiver):
    site = _setup(hook_app, "fr")
    _endpoint(hook_app, site, receiver.url, "teams", events=["followup.overdue"])
    _answer(hook_app, site, 1)
    clock.advance(hours=47)
    with hook_app.app_context():
        assert announce_overdue(db.session, clock()) == 0
        db.session.commit()
    clock.advance(hours=2)
    with hook_app.app_context():
        assert announce_overdue(db.session, clock()) == 1
        db.session.commit()
        assert announce_overdue(db.session, clock() + timedelta(minutes=15)) == 0
        db.session.commit()
    _run(hook_app, clock)
    [body] = _bodies(receiver)
    assert assert_teams_card(body)["body"][0]["text"] == "Cas de suivi en retard"


def test_a_failed_chat_delivery_is_retried_and_logged(hook_app, clock, receiver):
    site = _setup(hook_app)
    endpoint = _endpoint(hook_app, site, receiver.url, "slack", events=["response.detractor"])
    receiver.status = 500
    _answer(hook_app, site, 0)
    _run(hook_app, clock)
    receiver.status = 200
    clock.advance(hours=1)
    _run(hook_app, clock)
    with hook_app.app_context():
        attempts = db.session.scalars(select(WebhookDelivery.status_code).where(
            WebhookDelivery.endpoint_id == endpoint["id"]).order_by(WebhookDelivery.id)).all()
    assert attempts == [500, 200]
    assert len(receiver.requests) == 2 and receiver.requests[0].body == receiver.requests[1].body


def _shift_event() -> dict[str, Any]:
    return {"id": "msg_1", "type": "alert.nps_shift", "timestamp": "2026-03-02T09:00:00+00:00",
            "data": {"survey": "nps", "direction": "down", "difference": -18.4,
                     "status": "new", "window": {"nps": 12.0}, "baseline": {"nps": 30.4}}}


def test_a_score_shift_reads_well_in_both_formats() -> None:
    slack = slack_body(_shift_event(), "es", "https://nps.example.com/")
    assert_slack_message(slack)
    assert slack["text"] == "Cambio significativo del NPS: -18.4 puntos"
    assert slack["blocks"][1]["text"]["text"] == "nps\nNPS 30 → 12"
    assert slack["blocks"][-1]["elements"][0]["url"] == "https://nps.example.com/console/"
    card = assert_teams_card(teams_body(_shift_event(), "ja", "https://nps.example.com"))
    assert card["body"][0]["text"] == "NPS の有意な変化\uff1a-18.4 ポイント"
