"""Everything the rules know about a returning visitor, in one read.

A page view from someone seen before used to cost four statements: the person, their due
in-app invitation, their tickets and their recent contacts. Each statement costs a round trip
(and on PostgreSQL server time) plus SQLAlchemy's own work, which on the widget's hot path
was most of the request (docs/decisions.md, "One read per returning visitor"). Here the
person row comes with its ticket facts and due invitation as scalar subqueries, joined to its
recent contacts: one statement, every part of it an indexed look-up by person, so its cost
still depends on one person's history only (``MAX_CONTACTS_READ`` rows at most).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, literal_column, select
from sqlalchemy.orm import Session

from collector.eligibility.facts import MAX_CONTACTS_READ, contacts_of, ticket_facts_of
from collector.eligibility.rules import ContactFact, TicketFacts
from collector.models import Contact, Invitation, Person
from collector.people.lookup import (
    LOOKUP_COLUMNS,
    RECORD_COLUMNS,
    PersonClaim,
    PersonRecord,
    claim_params,
    claimed_by,
)

_PEOPLE = cast(Table, Person.__table__)
_CONTACTS = cast(Table, Contact.__table__)


def _due_invitation(for_survey: bool) -> Any:
    """The oldest pending in-app invitation whose time has come: a backend's trigger, which
    the widget shows before any other survey."""
    # 'pending' is written into the SQL, not bound: SQLite re-prepares on every execution a
    # statement whose bound value decides whether a partial index applies (and
    # ``uq_invitations_one_pending`` is one). Measured: 85 µs per execution instead of 10.
    query = select(Invitation.id).where(
        Invitation.person_id == _PEOPLE.c.id, Invitation.status == literal_column("'pending'"),
        Invitation.channel == literal_column("'in_app'"), Invitation.send_at <= bindparam("now"),
        Invitation.expires_at > bindparam("now"))
    if for_survey:
        query = query.where(Invitation.survey_id == bindparam("survey_id"))
    return query.order_by(Invitation.send_at, Invitation.id).limit(1).scalar_subquery()


def _statement(column: str, for_survey: bool) -> Any:
    person_id = claimed_by(column, _PEOPLE.c.id).scalar_subquery()
    return (
        select(*RECORD_COLUMNS, *ticket_facts_of(_PEOPLE.c.id), _due_invitation(for_survey),
               _CONTACTS.c.kind, _CONTACTS.c.at, _CONTACTS.c.survey_id)
        .select_from(_PEOPLE.outerjoin(_CONTACTS,
                                       contacts_of(_PEOPLE.c.id, bindparam("since"))))
        .where(_PEOPLE.c.id == person_id)
        .order_by(_CONTACTS.c.at.desc()).limit(MAX_CONTACTS_READ)
    )


# Built once: on SQLite, building a statement costs more than running it.
_STATEMENTS = {(column, for_survey): _statement(column, for_survey)
               for column in LOOKUP_COLUMNS for for_survey in (False, True)}
_FIELDS = len(RECORD_COLUMNS)


@dataclass(frozen=True)
class VisitorHistory:
    person: PersonRecord
    tickets: TicketFacts
    # Newest first, no older than the ``since`` asked for.
    contacts: tuple[ContactFact, ...]
    due_invitation_id: int | None


def read_history(source: Session | Connection, site_id: int,
                 claim: PersonClaim, *, now: datetime, since: datetime,
                 survey_id: int | None = None) -> VisitorHistory | None:
    """The stored person the claim names with their history; ``None`` for someone new. Read
    on ``source``: a session's connection, or any other (the hot path's autocommit one).
    ``since``: how far back contacts matter (the widest contact window of the surveys that
    may be shown); ``survey_id`` limits the due invitation to that survey."""
    lookup = claim.lookup()
    if lookup is None:
        return None
    params = claim_params(site_id, *lookup)
    params.update(now=now, since=since)
    if survey_id is not None:
        params["survey_id"] = survey_id
    # A session lends its connection; the autocommit reader is one.
    connection = source if isinstance(source, Connection) else source.connection()
    rows = [tuple(row) for row in
            connection.execute(_STATEMENTS[(lookup[0], survey_id is not None)], params)]
    if not rows:
        return None
    first = rows[0]
    open_count, last_resolved, due = first[_FIELDS:_FIELDS + 3]
    contacts = tuple(ContactFact(kind, at, contact_survey)
                     for kind, at, contact_survey in (row[_FIELDS + 3:] for row in rows)
                     if kind is not None)
    return VisitorHistory(PersonRecord(*first[:_FIELDS]),
                          TicketFacts(int(open_count or 0), last_resolved), contacts, due)
