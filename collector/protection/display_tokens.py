"""Display tokens: proof that a browser's answer follows a display the collector made.

Every display (the widget's eligible answer, a hosted survey page) hands the browser a token,
signed with a key derived from the collector's ``SECRET_KEY`` and bound to the site, the
survey, the visitor (user id, email, anonymous id or invitation), the issue time and the
first characters of the browser's fingerprint. The answer sends it back; ``read_token`` says
what it proves. Single use is kept by the database (``DisplayTokenUse``, one row per token
id under a unique key), so it holds across processes. Pure functions: no Flask; the clock
and the random bytes are passed in. docs/protection.md, "Display tokens".

Format (about 70 characters, no padding): ``<survey>.<issued ms, base 36>.<visitor tag>.
<fingerprint tag>.<token id>.<mac>``; every part but the ids is URL-safe base64.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# The widget's outbox retries an answer for a week after it is given; the display came
# before it (a page may stay open), so a token is good for a day more than that.
TOKEN_LIFETIME = timedelta(days=8)

VALID = "valid"
MISSING = "missing"        # none sent, unreadable, forged or expired: no display we made
MISMATCH = "mismatch"      # ours, but for another survey or another visitor

_VISITOR_TAG = 9           # bytes of SHA-256: enough to tell visitors apart, signed anyway
_PRINT_TAG = 8             # hex characters of the (already keyed) fingerprint
_MAC = 16
PROOF_MARK = "w"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _key(secret: str) -> bytes:
    return hmac.digest(secret.encode(), b"tenpoint display token", "sha256")


def visitor_of(*, user_id: str | None = None, email: str | None = None,
               anonymous_id: str | None = None, invitation_id: int | None = None) -> str:
    """The strongest name the caller gives for the visitor, the same way at display and
    answer: an invitation, a user id, an email, a browser's anonymous id, or nobody."""
    if invitation_id is not None:
        return f"i:{invitation_id}"
    if user_id:
        return f"u:{user_id}"
    if email:
        return f"e:{email.strip().lower()}"
    return f"a:{anonymous_id}" if anonymous_id else ""


def _visitor_tag(visitor: str) -> str:
    return _b64(hashlib.sha256(visitor.encode()).digest()[:_VISITOR_TAG])


def _mac(secret: str, site_id: int, body: str) -> str:
    return _b64(hmac.digest(_key(secret), f"{site_id}\x1f{body}".encode(), "sha256")[:_MAC])


def _millis(moment: datetime) -> int:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return int(aware.timestamp() * 1000)


def issue_token(secret: str, site_id: int, survey_id: int, visitor: str, fingerprint: str,
                now: datetime, nonce: bytes, *, proof: bool = False) -> str:
    """A token for one display. ``nonce``: 12 random bytes (its id, used once). ``proof``:
    the display carried a proof-of-work challenge its answer must solve (``<survey>w``)."""
    survey = f"{survey_id}{PROOF_MARK if proof else ''}"
    body = ".".join((survey, format(_millis(now), "x"), _visitor_tag(visitor),
                     fingerprint[:_PRINT_TAG], _b64(nonce)))
    return f"{body}.{_mac(secret, site_id, body)}"


@dataclass(frozen=True)
class DisplayProof:
    """What a token proves for one answer."""

    status: str
    token_id: str | None = None
    issued_at: datetime | None = None
    fingerprint_changed: bool = False
    proof_required: bool = False

    def age_ms(self, now: datetime) -> int | None:
        return None if self.issued_at is None else _millis(now) - _millis(self.issued_at)


def read_token(secret: str, site_id: int, token: str | None, *, survey_id: int, visitor: str,
               fingerprint: str, now: datetime) -> DisplayProof:
    """Check a token sent with an answer (single use is the caller's: ``token_id``)."""
    parts = (token or "").split(".")
    if len(parts) != 6:
        return DisplayProof(MISSING)
    body, mac = ".".join(parts[:5]), parts[5]
    if not hmac.compare_digest(mac, _mac(secret, site_id, body)):
        return DisplayProof(MISSING)
    survey, issued, visitor_tag, print_tag, token_id = parts[:5]
    proof = survey.endswith(PROOF_MARK)
    survey = survey.removesuffix(PROOF_MARK)
    try:
        issued_at = datetime.fromtimestamp(int(issued, 16) / 1000, UTC)
    except (ValueError, OverflowError, OSError):
        return DisplayProof(MISSING)
    now_aware = now if now.tzinfo else now.replace(tzinfo=UTC)
    if now_aware - issued_at > TOKEN_LIFETIME:
        return DisplayProof(MISSING, token_id, issued_at)
    if survey != str(survey_id) or not hmac.compare_digest(visitor_tag, _visitor_tag(visitor)):
        return DisplayProof(MISMATCH, token_id, issued_at, proof_required=proof)
    # Phones change networks between a display and its answer: noted, never a reason alone.
    return DisplayProof(VALID, token_id, issued_at,
                        fingerprint_changed=print_tag != fingerprint[:_PRINT_TAG],
                        proof_required=proof)


def token_id_of(token: str) -> str:
    """The id part of a token this collector issued."""
    return token.split(".")[4]
