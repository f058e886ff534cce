"""Verify the webhooks a collector sends (the Standard Webhooks scheme).

Headers ``webhook-id``, ``webhook-timestamp`` (unix seconds) and ``webhook-signature``
(space-separated ``v1,<base64 signature>`` entries, any one of which may match);
the signature is ``base64(HMAC-SHA256(key, f"{id}.{timestamp}.{body}"))`` where ``key`` is the
base64-decoded part of the ``whsec_...`` secret. A timestamp more than five minutes from now
(either way) is refused, so a captured delivery cannot be replayed later.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

from tenpoint._errors import TenpointError

TOLERANCE_SECONDS = 5 * 60
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret


class WebhookVerificationError(TenpointError, ValueError):
    """The webhook is not authentic or is too old; answer it with 400 and drop it."""


def _header(headers: Any, name: str) -> str | None:
    value = headers.get(name)
    if value is None and isinstance(headers, Mapping):
        # A plain dict is case-sensitive; the framework header objects are not.
        for key, item in headers.items():
            if isinstance(key, str) and key.lower() == name:
                value = item
                break
    return str(value) if value is not None else None


def _key(secret: str | bytes) -> bytes:
    if isinstance(secret, bytes):
        return secret
    text = secret[len(SECRET_PREFIX):] if secret.startswith(SECRET_PREFIX) else secret
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValueError("The webhook secret must be the whsec_... value the collector "
                         "showed when the endpoint was created.") from error


def sign(msg_id: str, timestamp: int, body: str | bytes, secret: str | bytes) -> str:
    """The ``webhook-signature`` value for this message (what the collector computes)."""
    payload = body if isinstance(body, bytes) else body.encode("utf-8")
    signed = f"{msg_id}.{timestamp}.".encode() + payload
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def verify(body: str | bytes, headers: Any, secret: str | bytes, *,
           tolerance: float = TOLERANCE_SECONDS, now: float | None = None) -> Any:
    """Check a delivery and return its parsed JSON payload, or raise WebhookVerificationError.

    ``body`` must be the raw request body exactly as received (not re-serialised JSON);
    ``headers`` any mapping with ``.get`` (Django's ``request.headers``, Flask's
    ``request.headers`` or a dict).
    """
    msg_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    if not msg_id or not timestamp or not signatures:
        raise WebhookVerificationError("Missing webhook-id, webhook-timestamp or "
                                       "webhook-signature header.", code="missing_headers")
    try:
        sent_at = int(timestamp)
    except ValueError as error:
        raise WebhookVerificationError("The webhook-timestamp header is not a number.",
                                       code="invalid_timestamp") from error
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance:
        raise WebhookVerificationError("The webhook's timestamp is too far from now.",
                                       code="timestamp_out_of_tolerance")
    expected = sign(msg_id, sent_at, body, secret).partition(",")[2]
    for entry in signatures.split(" "):
        version, _, signature = entry.partition(",")
        if version == "v1" and hmac.compare_digest(signature.encode(), expected.encode()):
            break
    else:
        raise WebhookVerificationError("No webhook signature matches this body and secret.",
                                       code="invalid_signature")
    try:
        return json.loads(body)
    except ValueError as error:
        raise WebhookVerificationError("The webhook body is not JSON.",
                                       code="invalid_body") from error
