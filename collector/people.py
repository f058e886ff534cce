"""Finding or creating the person a request speaks of."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from collector.models import Person


def find_person(
    session: Session, site_id: int, *, user_id: str | None = None, email: str | None = None,
    anonymous_id: str | None = None,
) -> Person | None:
    """By external id first, then email, then anonymous browser id."""
    query = select(Person).where(Person.site_id == site_id)
    if user_id:
        return session.scalars(query.where(Person.external_id == user_id)).first()
    if email:
        return session.scalars(
            query.where(Person.email == email.lower()).order_by(Person.id)
        ).first()
    if anonymous_id:
        return session.scalars(query.where(Person.anonymous_id == anonymous_id)).first()
    return None


def upsert_person(
    session: Session, site_id: int, now: datetime, *, user_id: str | None = None,
    email: str | None = None, anonymous_id: str | None = None, name: str | None = None,
    locale: str | None = None, properties: dict[str, Any] | None = None,
    value: float | None = None,
) -> Person | None:
    """Return the person, created on first sight; ``None`` when nothing identifies one."""
    return upsert_person_noting_creation(
        session, site_id, now, user_id=user_id, email=email, anonymous_id=anonymous_id,
        name=name, locale=locale, properties=properties, value=value)[0]


def upsert_person_noting_creation(
    session: Session, site_id: int, now: datetime, *, user_id: str | None = None,
    email: str | None = None, anonymous_id: str | None = None, name: str | None = None,
    locale: str | None = None, properties: dict[str, Any] | None = None,
    value: float | None = None,
) -> tuple[Person | None, bool]:
    """:func:`upsert_person`, also saying whether this call created the person. A person
    created in the current transaction has no history yet (no other row can reference an
    uncommitted one), which spares the eligibility check its history lookups."""
    if not (user_id or email or anonymous_id):
        return None, False
    email = email.lower() if email else None
    person = find_person(session, site_id, user_id=user_id, email=email,
                         anonymous_id=anonymous_id)
    if person is None:
        person = Person(site_id=site_id, external_id=user_id, email=email,
                        anonymous_id=None if (user_id or email) else anonymous_id,
                        name=name, locale=locale, properties=dict(properties or {}),
                        value=value, first_seen_at=now, updated_at=now)
        # A concurrent request may create the same person: the unique index decides.
        try:
            with session.begin_nested():
                session.add(person)
                session.flush()
        except IntegrityError:
            found = find_person(session, site_id, user_id=user_id, email=email,
                                anonymous_id=anonymous_id)
            if found is None:
                raise
            person = found
        else:
            return person, True
    if person.erased_at is not None:
        return person, False
    changed = False
    for attribute, new in (("email", email), ("name", name), ("locale", locale), ("value", value)):
        if new is not None and getattr(person, attribute) != new:
            setattr(person, attribute, new)
            changed = True
    if properties:
        merged = {**(person.properties or {}), **properties}
        if merged != person.properties:
            person.properties = merged
            changed = True
    if changed:
        person.updated_at = now
    return person, False
