"""Slack and Microsoft Teams: the same events as webhooks, as messages people read.

A webhook endpoint with ``format`` ``slack`` posts a Block Kit message to a Slack incoming
webhook; ``teams`` posts an Adaptive Card to a Teams Workflows webhook ("When a Teams webhook
request is received"). They ride the same outbox as signed webhooks: one ``webhook.deliver``
job per endpoint, the same retries, the same delivery log. Only the events a team acts on
have a message (``CHAT_EVENTS``); each links to the console and is written in the site's
language (gettext catalogs, docs/integrations.md).

Pure functions: the event, the locale and the console URL in, the JSON body out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from collector.languages.catalogs import INTERFACE_STRINGS, N_, translations_for

FORMATS = ("standard", "slack", "teams")
CHAT_FORMATS = ("slack", "teams")
CHAT_EVENTS = ("response.detractor", "followup.created", "followup.overdue", "alert.nps_shift")

TITLES = {
    "response.detractor": N_("New detractor answer"),
    "followup.created": N_("New follow-up case"),
    "followup.overdue": N_("Follow-up case overdue"),
}
SHIFT_TITLE = N_("Significant NPS shift: %(difference)s points")
OPEN_LINK = N_("Open in Tenpoint")
DUE = N_("Due %(date)s")
# Slack refuses a section longer than 3000 characters; a comment is cut well before.
MAX_COMMENT = 2000


@dataclass(frozen=True)
class Message:
    """What both formats show: a title, lines of text, a quoted comment and one link."""

    title: str
    lines: tuple[str, ...]
    comment: str | None
    link_text: str
    url: str


def console_url(public_url: str, event: dict[str, Any]) -> str:
    """Where the message's subject is looked at in the console (docs/console.md): the answer's
    page, the case's page, or the overview."""
    data = event["data"]
    base = f"{public_url.rstrip('/')}/console"
    if event["type"] == "response.detractor":
        return f"{base}/responses/{data['id']}"
    if event["type"].startswith("followup."):
        return f"{base}/followups/{data['id']}"
    return f"{base}/"


def message(event: dict[str, Any], locale: str | None, public_url: str) -> Message:
    say = translations_for(locale).gettext
    data = event["data"]
    kind = event["type"]
    lines: list[str] = []
    comment = None
    if kind == "alert.nps_shift":
        title = say(SHIFT_TITLE) % {"difference": f"{data['difference']:+.1f}"}
        window, baseline = data.get("window") or {}, data.get("baseline") or {}
        lines.append(str(data.get("survey", "")))
        if "nps" in window and "nps" in baseline:
            lines.append(f"NPS {baseline['nps']:.0f} → {window['nps']:.0f}")
    else:
        title = say(TITLES[kind])
        score = say(INTERFACE_STRINGS["score_label"]) % {"score": data["score"]}
        lines.append(" · ".join(str(part) for part in (
            score, data.get("survey"), data.get("touchpoint"), data.get("team"),
            data.get("owner")) if part))
        person = data.get("person") or {}
        if person.get("name") or person.get("email"):
            lines.append(" ".join(str(p) for p in (person.get("name"), person.get("email"))
                                  if p))
        if kind.startswith("followup.") and data.get("due_at"):
            lines.append(say(DUE) % {"date": data["due_at"][:16].replace("T", " ") + " UTC"})
        if data.get("comment"):
            comment = str(data["comment"])[:MAX_COMMENT]
    return Message(title, tuple(lines), comment, say(OPEN_LINK), console_url(public_url, event))


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_body(event: dict[str, Any], locale: str | None, public_url: str) -> dict[str, Any]:
    """A Block Kit message for an incoming webhook: ``text`` (the notification's fallback)
    and ``blocks``: a header, the facts, the quoted comment, a button to the console."""
    shown = message(event, locale, public_url)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": shown.title[:150],
                                    "emoji": True}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(
            _slack_escape(line) for line in shown.lines) or " "}},
    ]
    if shown.comment:
        quoted = "\n".join(f">{_slack_escape(line)}" for line in shown.comment.splitlines())
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": quoted}})
    blocks.append({"type": "actions", "elements": [
        {"type": "button", "text": {"type": "plain_text", "text": shown.link_text},
         "url": shown.url, "action_id": "open_in_tenpoint"}]})
    return {"text": shown.title, "blocks": blocks}


def teams_body(event: dict[str, Any], locale: str | None, public_url: str) -> dict[str, Any]:
    """A message with one Adaptive Card attachment, the shape a Teams Workflows webhook
    ("Post to a channel when a webhook request is received") posts as a card."""
    shown = message(event, locale, public_url)
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": shown.title, "weight": "Bolder", "size": "Medium",
         "wrap": True},
        *({"type": "TextBlock", "text": line, "wrap": True, "spacing": "Small"}
          for line in shown.lines),
    ]
    if shown.comment:
        body.append({"type": "TextBlock", "text": shown.comment, "wrap": True,
                     "isSubtle": True})
    card = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard", "version": "1.4", "body": body,
            "actions": [{"type": "Action.OpenUrl", "title": shown.link_text,
                         "url": shown.url}]}
    return {"type": "message", "attachments": [
        {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
         "content": card}]}


RENDERERS: dict[str, Callable[[dict[str, Any], str | None, str], dict[str, Any]]] = {
    "slack": slack_body, "teams": teams_body}


def chat_body(format: str, event: dict[str, Any], locale: str | None,
              public_url: str) -> dict[str, Any]:
    return RENDERERS[format](event, locale, public_url)
