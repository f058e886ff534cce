"""Webhook endpoints, Standard Webhooks signing, fan-out and delivery jobs.

An event (``collector.delivery.events.emit``) becomes one ``event.dispatch`` job; dispatching
queues one ``webhook.deliver`` job per subscribed endpoint, so a slow or dead receiver only
delays its own deliveries. Every attempt is logged (``WebhookDelivery``). The ``webhook-id``
header is the event id, the same on every retry, so receivers can drop duplicates.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.delivery.chat import CHAT_EVENTS, CHAT_FORMATS, FORMATS, chat_body
from collector.delivery.events import EVENT_TYPES
from collector.delivery.http import UnsafeDestination, post, resolve
from collector.delivery.jobs import JobFailed, current_attempt, handler
from collector.models import Site, WebhookDelivery, WebhookEndpoint

SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
ROTATION_OVERLAP = timedelta(hours=24)
USER_AGENT = "Tenpoint-Webhooks/1"


def allow_private() -> bool:
    """The ``TENPOINT_WEBHOOK_ALLOW_PRIVATE`` setting of the running app (off without one)."""
    from flask import current_app, has_app_context

    return bool(has_app_context() and current_app.config.get("WEBHOOK_ALLOW_PRIVATE"))


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _key(secret: str) -> bytes:
    raw = secret.removeprefix(SECRET_PREFIX)
    return base64.b64decode(raw + "=" * (-len(raw) % 4))


def sign(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """``v1,<base64 HMAC-SHA256>`` of ``id.timestamp.body`` under the decoded secret."""
    digest = hmac.new(_key(secret), f"{message_id}.{timestamp}.{body}".encode(),
                      hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def previous_secrets(endpoint: WebhookEndpoint,
                     now: datetime) -> list[tuple[str, datetime | None]]:
    """Rotated secrets still signing at ``now``, each with its own end (issue 25: a second
    rotation inside the first one's overlap no longer cuts the first short). A row rotated
    before the list existed has its one previous secret in the older columns."""
    kept: list[tuple[str, datetime | None]] = [
        (item["secret"], datetime.fromisoformat(item["expires_at"]))
        for item in endpoint.previous_secrets or []]
    legacy = endpoint.previous_secret
    if legacy and legacy not in {secret for secret, _ in kept}:
        kept.append((legacy, endpoint.previous_secret_expires_at))
    return [(secret, end) for secret, end in kept if end is None or end > now]


def signature_header(endpoint: WebhookEndpoint, message_id: str, timestamp: int, body: str,
                     now: datetime) -> str:
    """One signature per valid secret, space separated, so rotation never breaks a receiver."""
    signatures = [sign(endpoint.secret, message_id, timestamp, body)]
    signatures += [sign(secret, message_id, timestamp, body)
                   for secret, _ in previous_secrets(endpoint, now)]
    return " ".join(signatures)


class InvalidEndpoint(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _check_events(events: list[str], format: str = "standard") -> list[str]:
    chat = format in CHAT_FORMATS
    known = CHAT_EVENTS if chat else EVENT_TYPES
    unknown = sorted(set(events) - set(known))
    if unknown:
        scope = f" for {format}" if chat else ""
        raise InvalidEndpoint("events", f"Unknown event types{scope}: {', '.join(unknown)}; "
                                        f"known: {', '.join(known)}.")
    # A chat channel gets the messages a team acts on, not every event.
    return sorted(set(events or (CHAT_EVENTS if chat else ())))


def create_endpoint(session: Session, site_id: int, *, url: str, events: list[str],
                    description: str, now: datetime, allow_private: bool,
                    format: str = "standard") -> WebhookEndpoint:
    if format not in FORMATS:
        raise InvalidEndpoint("format", f"format is one of {', '.join(FORMATS)}.")
    try:
        resolve(url, allow_private=allow_private)
    except UnsafeDestination as error:
        raise InvalidEndpoint("url", str(error)) from error
    endpoint = WebhookEndpoint(site_id=site_id, url=url, events=_check_events(events, format),
                               description=description, secret=new_secret(), active=True,
                               format=format, created_at=now, updated_at=now)
    session.add(endpoint)
    session.flush()
    return endpoint


def list_endpoints(session: Session, site_id: int) -> list[WebhookEndpoint]:
    return list(session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.site_id == site_id).order_by(WebhookEndpoint.id)))


def find_endpoint(session: Session, site_id: int, endpoint_id: int) -> WebhookEndpoint | None:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    return endpoint if endpoint is not None and endpoint.site_id == site_id else None


def rotate_secret(endpoint: WebhookEndpoint, now: datetime,
                  overlap: timedelta = ROTATION_OVERLAP) -> str:
    """New secret at once; the old one keeps signing alongside it for ``overlap``, and every
    earlier one still inside its own overlap keeps signing until that ends."""
    kept = [*previous_secrets(endpoint, now), (endpoint.secret, now + overlap)]
    endpoint.previous_secrets = [{"secret": secret, "expires_at": end.isoformat()}
                                 for secret, end in kept if end is not None]
    endpoint.previous_secret = endpoint.secret
    # What the API shows as ``secret_rotating_until``: when the last old secret stops.
    ends = [end for _, end in kept]
    endpoint.previous_secret_expires_at = None if None in ends else max(
        end for end in ends if end is not None)
    endpoint.secret = new_secret()
    endpoint.updated_at = now
    return endpoint.secret


def list_deliveries(session: Session, endpoint_id: int, limit: int = 100
                    ) -> list[WebhookDelivery]:
    return list(session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
        .order_by(WebhookDelivery.attempted_at.desc(), WebhookDelivery.id.desc()).limit(limit)))


def _body(event: dict[str, Any]) -> str:
    return json.dumps(event, separators=(",", ":"), sort_keys=True)


def _chat_body(session: Session, endpoint: WebhookEndpoint, event: dict[str, Any]) -> str:
    """The Slack or Teams message, in the site's language, linking to the console."""
    from flask import current_app, has_app_context

    site = session.get(Site, endpoint.site_id)
    public_url = (current_app.config.get("PUBLIC_URL") or "") if has_app_context() else ""
    return json.dumps(chat_body(endpoint.format, event, site.default_locale if site else None,
                                public_url), ensure_ascii=False, separators=(",", ":"))


@handler("webhook.deliver")
def deliver(session: Session, payload: dict[str, Any], now: datetime) -> None:
    """POST the event to one endpoint; a non-2xx answer or a refusal asks for a retry."""
    endpoint = session.get(WebhookEndpoint, payload["endpoint_id"])
    if endpoint is None or not endpoint.active:
        return  # deleted or disabled since: nothing to deliver
    event = payload["event"]
    chat = endpoint.format in CHAT_FORMATS
    if chat and event["type"] not in CHAT_EVENTS:
        return  # no message for this event (an endpoint's events are checked when set)
    body = _chat_body(session, endpoint, event) if chat else _body(event)
    timestamp = int(now.timestamp())
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": event["id"],
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(endpoint, event["id"], timestamp, body, now),
    }
    failure: str | None
    try:
        target = resolve(endpoint.url, allow_private=allow_private())
    except UnsafeDestination as error:
        status, failure, duration = None, f"refused: {error}", 0
    else:
        result = post(target, body.encode(), headers)
        status, failure, duration = result.status_code, result.error, result.duration_ms
    record = WebhookDelivery(
        site_id=endpoint.site_id, endpoint_id=endpoint.id, event_id=event["id"],
        event_type=event["type"], attempt=current_attempt.get(), status_code=status,
        error=failure, duration_ms=duration, attempted_at=now)
    if failure is not None:
        raise JobFailed(f"delivery to endpoint {endpoint.id} failed: {failure}", keep=[record])
    session.add(record)
