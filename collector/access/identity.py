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
    identity_token_mismatch, identity_token_required."""

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
    # Bytes, not str: compare_digest refuses non-ASCII strings, which a forger may send.
    if not hmac.compare_digest(_signature(secret, signed).encode(), parts[3].encode()):
        raise IdentityError("identity_token_invalid", "The identity token's signature is wrong.")
    try:
        subject = _unb64(parts[1]).decode()
        expires = int(parts[2])
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise IdentityError("identity_token_invalid", "The identity token is malformed.") from error
    if expires <= now.timestamp():
        raise IdentityError("identity_token_expired", "The identity token has expired.")
    if user_id is not None and not hmac.compare_digest(subject.encode(), user_id.encode()):
        raise IdentityError("identity_token_mismatch",
                            "The identity token was signed for another user.")
    return subject


def check_identity(
    secret: str, required: bool, user_id: str | None, token: str | None, now: datetime,
    *, email: str | None = None,
) -> str | None:
    """Enforce a site's identity setting for a browser request that names a person.

    Returns the verified user id, or ``None`` when no token was given. A token, when given,
    must be valid for ``user_id`` even if the site does not require one; without a
    ``user_id`` the token's own subject is the person. When the site requires identity, a
    request naming a person by ``user_id`` or ``email`` must carry a token (an email typed in
    a browser proves nothing either); anonymous answers stay possible.
    """
    if token:
        return verify(token, secret, now, user_id=user_id)
    if required and (user_id or email):
        raise IdentityError("identity_token_required",
                            "This site requires an identity token to name a person.")
    return None
