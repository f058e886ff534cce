"""Unsubscribing from survey emails: the signed link in every email (RFC 8058 one-click) and
what following it does."""

from __future__ import annotations

from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from collector.models import Person

UNSUBSCRIBE_SALT = "tenpoint-unsubscribe"


def unsubscribe_token(secret: str, person_id: int) -> str:
    """A signed, non-expiring token naming the person: unsubscribe links keep working."""
    return URLSafeSerializer(secret, salt=UNSUBSCRIBE_SALT).dumps({"p": person_id})


def person_for_unsubscribe(session: Session, secret: str, token: str) -> Person | None:
    try:
        payload = URLSafeSerializer(secret, salt=UNSUBSCRIBE_SALT).loads(token)
    except BadSignature:
        return None
    person_id = payload.get("p") if isinstance(payload, dict) else None
    return session.get(Person, person_id) if isinstance(person_id, int) else None


def unsubscribe(person: Person, now: datetime) -> None:
    """Stop survey emails to this person; the first unsubscribe time is kept."""
    if person.unsubscribed_at is None:
        person.unsubscribed_at = now
        person.updated_at = now
