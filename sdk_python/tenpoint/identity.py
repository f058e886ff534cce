"""Identity tokens: your backend signs a person's id so the browser widget cannot claim to be
someone else.

The format is the collector's (``collector/access/identity.py``)::

    v1.<b64id>.<exp>.<b64sig>
    b64id  = base64url(user_id)       exp = expiry, unix seconds
    b64sig = base64url(HMAC-SHA256(secret, "v1.<b64id>.<exp>"))

base64url without padding; ``secret`` is the site's identity secret (not an API key).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from datetime import timedelta
from typing import Union

DEFAULT_EXPIRES_IN = 24 * 3600

Duration = Union[int, float, timedelta]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def sign(user_id: str, secret: str, *, expires_in: Duration = DEFAULT_EXPIRES_IN,
         now: float | None = None) -> str:
    """Return a token for ``user_id`` valid for ``expires_in`` (seconds or a timedelta).

    Render it into the page (``data-identity-token``) next to the user id.
    """
    if not user_id:
        raise ValueError("user_id must not be empty")
    if not secret:
        raise ValueError("secret must be the site's identity secret")
    seconds = expires_in.total_seconds() if isinstance(expires_in, timedelta) else expires_in
    if seconds <= 0:
        raise ValueError("expires_in must be positive")
    issued = time.time() if now is None else now
    signed = f"v1.{_b64(user_id.encode('utf-8'))}.{int(issued + seconds)}"
    signature = hmac.new(secret.encode("utf-8"), signed.encode("ascii"), hashlib.sha256)
    return f"{signed}.{_b64(signature.digest())}"
