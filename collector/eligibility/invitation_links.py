"""The link in an invitation (email, hosted page): one token per invitation, derived from the
instance secret, of which only the SHA-256 is stored, so the database never holds a working
link and every rendering of an invitation gives the same link."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.models import Invitation


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(session: Session, invitation: Invitation, now: datetime, *, secret: str) -> str:
    """The invitation's one link token: an HMAC of the invitation under the instance secret
    (192 bits, unguessable without it), so issuing it again (the trigger's ``url``, then the
    rendered email, then a re-render) gives the same link and never retires an earlier one.
    Only its SHA-256 is stored. A link issued at random before issue 25 is replaced once."""
    if invitation.id is None:
        session.flush()
    message = f"invitation-link:{invitation.id}:{invitation.survey_id}:{invitation.person_id}"
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    raw = base64.urlsafe_b64encode(digest[:24]).decode()
    invitation.token_hash = _hash(raw)
    return raw


def find_invitation_by_token(session: Session, raw: str) -> Invitation | None:
    if not raw:
        return None
    return session.scalars(
        select(Invitation).where(Invitation.token_hash == _hash(raw))
    ).first()
