"""Identity verification: a site's backend signs a person's id so a browser cannot claim to
be someone else.

Token format (the SDK's ``tenpoint.identity.sign`` makes the same): ::

    v1.<b64id>.<exp>.<b64sig>
    b64id  = base64url(user_id)       exp = expiry, unix seconds
    b64sig = base64url(HMAC-SHA256(secret, "v1.<b64id>.<exp>"))

base64url without padding; the secret is the site's identity secret. Compared in constant time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import datetime


class IdentityError(ValueError):
    """Carries a stable code: identity_token_invalid, identity_token_expired,
    identity_token_mismatch."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: str, signed: str) -> str:
    return _b64(hmac.new(secret.encode(), signed.encode(), hashlib.sha256).digest())


def sign(user_id: str, secret: str, expires_at: datetime) -> str:
    signed = f"v1.{_b64(user_id.encode())}.{int(expires_at.timestamp())}"
    return f"{signed}.{_signature(secret, signed)}"


def verify(token: str, secret: str, now: datetime, *, user_id: str | None = None) -> str:
    """Return the signed user id, or raise IdentityError saying what is wrong."""
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != "v1":
        raise IdentityError("identity_token_invalid", "The identity token is malformed.")
    signed = ".".join(parts[:3])
    if not hmac.compare_digest(_signature(secret, signed), parts[3]):
        raise IdentityError("identity_token_invalid", "The identity token's signature is wrong.")
    try:
        subject = _unb64(parts[1]).decode()
        expires = int(parts[2])
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise IdentityError("identity_token_invalid", "The identity token is malformed.") from error
    if expires <= now.timestamp():
        raise IdentityError("identity_token_expired", "The identity token has expired.")
    if user_id is not None and not hmac.compare_digest(subject, user_id):
        raise IdentityError("identity_token_mismatch",
                            "The identity token was signed for another user.")
    return subject


def check_identity(
    secret: str, required: bool, user_id: str | None, token: str | None, now: datetime
) -> None:
    """Enforce a site's identity setting for a browser request that names ``user_id``.

    A token, when given, must be valid for that user even if the site does not require one.
    """
    if token:
        verify(token, secret, now, user_id=user_id)
    elif required and user_id:
        raise IdentityError("identity_token_required",
                            "This site requires an identity token with user_id.")
