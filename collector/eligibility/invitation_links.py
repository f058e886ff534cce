"""The link in an invitation (email, hosted page): a random token of which only the SHA-256
is stored, so the database never holds a working link."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.models import Invitation


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(session: Session, invitation: Invitation, now: datetime) -> str:
    """A new random link token (192 bits); only its SHA-256 is stored, so an earlier token
    of this invitation stops working."""
    raw = secrets.token_urlsafe(24)
    invitation.token_hash = _hash(raw)
    return raw


def find_invitation_by_token(session: Session, raw: str) -> Invitation | None:
    if not raw:
        return None
    return session.scalars(
        select(Invitation).where(Invitation.token_hash == _hash(raw))
    ).first()
