"""Finding or creating the person a request speaks of.

An erased person's identifiers are replaced by their erasure marks (``erasure_mark``): a
keyed hash, so the clear user id, email or browser id is stored nowhere, yet a later request
naming any of them finds the erased person (never contacted again) instead of creating a new
one. Every look-up asks for the identifier and its mark in one statement: two probes of the
same index (docs/governance.md, "Erasure marks"). Lowest id first: a person created with the
same email after another was erased is always the younger row, so the erased one wins.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from collector.models import Person
from collector.models.person import ShownIdentifiers

ERASED_PREFIX = "erased:"


def erasure_mark(site_id: int, column: str, ident: str) -> str:
    """What identifier ``ident`` (of ``column``: external_id, email or anonymous_id) becomes
    when its person is erased. Keyed by the site, not by a secret: rotating
    ``TENPOINT_SIGNING_SECRET`` must never let an erased person be surveyed again. Stored marks
    are compared with new ones, so this format never changes."""
    digest = hmac.digest(f"tenpoint-erasure:{site_id}".encode(), f"{column}\x00{ident}".encode(),
                         "sha256")
    return ERASED_PREFIX + digest.hex()[:40]


def find_person(
    session: Session, site_id: int, *, user_id: str | None = None, email: str | None = None,
    anonymous_id: str | None = None,
) -> Person | None:
    """By external id first, then email, then anonymous browser id (``PersonClaim.lookup``);
    an erased person named by an identifier they had is found by its mark."""
    lookup = PersonClaim(user_id=user_id, email=email, anonymous_id=anonymous_id).lookup()
    if lookup is None:
        return None
    column, ident = lookup
    return session.scalars(select(Person).where(
        Person.site_id == site_id,
        getattr(Person, column).in_((ident, erasure_mark(site_id, column, ident))))
        .order_by(Person.id)).first()


def upsert_person(
    session: Session, site_id: int, now: datetime, *, user_id: str | None = None,
    email: str | None = None, anonymous_id: str | None = None, name: str | None = None,
    locale: str | None = None, properties: dict[str, Any] | None = None,
    value: float | None = None, signed_up_at: datetime | None = None,
) -> Person | None:
    """Return the person, created on first sight; ``None`` when nothing identifies one.
    ``signed_up_at``: when the host product's backend says they signed up."""
    if not (user_id or email or anonymous_id):
        return None
    email = email.lower() if email else None
    person = find_person(session, site_id, user_id=user_id, email=email,
                         anonymous_id=anonymous_id)
    if person is None:
        person = Person(site_id=site_id, external_id=user_id, email=email,
                        anonymous_id=None if (user_id or email) else anonymous_id,
                        name=name, locale=locale, properties=dict(properties or {}),
                        value=value, first_seen_at=now, updated_at=now,
                        signed_up_at=signed_up_at)
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
            return person
    if person.erased_at is not None:
        return person
    changes = person_changes(person, email=email, name=name, locale=locale, value=value,
                             properties=properties, signed_up_at=signed_up_at)
    if changes:
        for attribute, new in changes.items():
            setattr(person, attribute, new)
        person.updated_at = now
    return person


def person_changes(person: Any, *, email: str | None, name: str | None, locale: str | None,
                   value: float | None, properties: dict[str, Any] | None,
                   signed_up_at: datetime | None = None) -> dict[str, Any]:
    """What a request tells us that differs from what is stored: given fields that differ,
    and the stored properties merged with the given ones when that changes them."""
    changes: dict[str, Any] = {
        attribute: new
        for attribute, new in (("email", email), ("name", name), ("locale", locale),
                               ("value", value), ("signed_up_at", signed_up_at))
        if new is not None and getattr(person, attribute) != new
    }
    if properties:
        merged = {**(person.properties or {}), **properties}
        if merged != person.properties:
            changes["properties"] = merged
    return changes


# --- the widget's hot paths: the same rules without the ORM (docs/eligibility.md, "Speed") ---

@dataclass(frozen=True)
class PersonRecord(ShownIdentifiers):
    """A person row as :func:`find_person_record` reads it or :func:`unsaved_person` foresees
    it (``id`` 0 until :func:`save_person_record` stores it): the columns of :class:`Person`,
    read-only, with no session behind it."""

    id: int
    site_id: int
    external_id: str | None
    anonymous_id: str | None
    email: str | None
    name: str | None
    locale: str | None
    properties: dict[str, Any]
    value: float | None
    first_seen_at: datetime
    updated_at: datetime
    unsubscribed_at: datetime | None
    bounced_at: datetime | None
    erased_at: datetime | None
    signed_up_at: datetime | None

    @property
    def stored(self) -> bool:
        return self.id != 0


_PEOPLE = cast(Table, Person.__table__)
# What an insert of a new person writes: every column but the id.
_INSERTED = tuple(name for name in PersonRecord.__dataclass_fields__ if name != "id")
RECORD_COLUMNS = [_PEOPLE.c[name] for name in PersonRecord.__dataclass_fields__]
LOOKUP_COLUMNS = ("external_id", "email", "anonymous_id")


def claimed_by(column: str, *selected: Any) -> Any:
    """``selected`` of the person whose ``column`` equals the bound ``ident`` or its erasure
    ``mark`` on the bound ``site_id`` (``claim_params``), lowest id first: the statement
    shape of every hot-path person look-up."""
    return (select(*selected).where(
        _PEOPLE.c.site_id == bindparam("site_id"),
        _PEOPLE.c[column].in_((bindparam("ident"), bindparam("mark"))))
        .order_by(_PEOPLE.c.id).limit(1))


# One statement per identifying column, in PersonClaim.lookup's order of precedence.
_BY = {column: claimed_by(column, *RECORD_COLUMNS) for column in LOOKUP_COLUMNS}
_INSERTS: dict[str, Any] = {}


def _insert_person(dialect: str) -> Any:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id, built once per dialect: a concurrent
    request creating the same person makes it return nothing, with no savepoint needed."""
    if dialect not in _INSERTS:
        builders: dict[str, Callable[[Table], Any]] = {"postgresql": postgresql_insert,
                                                       "sqlite": sqlite_insert}
        builder = builders.get(dialect)
        statement = builder(_PEOPLE).on_conflict_do_nothing() if builder else _PEOPLE.insert()
        _INSERTS[dialect] = statement.returning(_PEOPLE.c.id)
    return _INSERTS[dialect]


@dataclass(frozen=True)
class PersonClaim:
    """Who a request names and what it says of them, before anything is written."""

    user_id: str | None = None
    email: str | None = None
    anonymous_id: str | None = None
    locale: str | None = None
    properties: dict[str, Any] | None = None

    def lookup(self) -> tuple[str, str] | None:
        if self.user_id:
            return "external_id", self.user_id
        if self.email:
            return "email", self.email.lower()
        if self.anonymous_id:
            return "anonymous_id", self.anonymous_id
        return None


def claim_params(site_id: int, column: str, ident: str) -> dict[str, Any]:
    """What ``claimed_by`` binds: the identifier and its erasure mark, asked for at once (a
    person erased since is still the same person), so a first-time visitor costs no second
    round trip."""
    return {"site_id": site_id, "ident": ident, "mark": erasure_mark(site_id, column, ident)}


def find_person_record(session: Session, site_id: int,
                       claim: PersonClaim) -> PersonRecord | None:
    """The stored person the claim names (external id, then email, then anonymous id)."""
    lookup = claim.lookup()
    if lookup is None:
        return None
    row = session.connection().execute(_BY[lookup[0]], claim_params(site_id, *lookup)).first()
    return PersonRecord(*row) if row is not None else None


def unsaved_person(site_id: int, claim: PersonClaim, now: datetime) -> PersonRecord:
    """The person a claim would create, with no id yet (the rules can judge them unsaved)."""
    email = claim.email.lower() if claim.email else None
    return PersonRecord(
        id=0, site_id=site_id, external_id=claim.user_id, email=email,
        anonymous_id=None if (claim.user_id or email) else claim.anonymous_id, name=None,
        locale=claim.locale, properties=dict(claim.properties or {}), value=None,
        first_seen_at=now, updated_at=now, unsubscribed_at=None, bounced_at=None,
        erased_at=None, signed_up_at=None)


def save_person_record(session: Session, claim: PersonClaim, person: PersonRecord,
                       now: datetime) -> PersonRecord:
    """Write what the claim adds to ``person``: an unsaved one is inserted (one insert that a
    concurrent twin makes return nothing, then the twin is read and updated), a stored one
    gets its changed fields. Kept apart from the read so a caller can do every write of its
    transaction together, at the end (collector/core/sqlite_writers.py says why). A stored person
    with nothing new costs no statement, and opens no transaction."""
    if not person.stored:
        connection = session.connection()
        values = {name: getattr(person, name) for name in _INSERTED}
        new_id = connection.execute(_insert_person(connection.dialect.name), values).scalar()
        if new_id is not None:
            return replace(person, id=new_id)
        twin = find_person_record(session, person.site_id, claim)
        if twin is None:
            raise RuntimeError("a person that conflicted on insert could not be read back")
        person = twin
    if person.erased_at is not None:
        return person
    changes = person_changes(person, email=claim.email.lower() if claim.email else None,
                             name=None, locale=claim.locale, value=None,
                             properties=claim.properties)
    if not changes:
        return person
    changes["updated_at"] = now
    session.connection().execute(
        _PEOPLE.update().where(_PEOPLE.c.id == person.id).values(**changes))
    return replace(person, **changes)
