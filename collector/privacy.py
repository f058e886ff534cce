"""One person's data: export everything stored about them, or erase it everywhere.

Erasure keeps the ``people`` row with no personal data and ``erased_at`` set, so eligibility
(``unsubscribed`` for erased people) never contacts them again; their scores stay in the
aggregates without anything that identifies them. docs/governance.md lists every table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, inspect, select, update
from sqlalchemy.orm import Session

from collector.audit import record_audit
from collector.models import (
    Contact,
    FollowupCase,
    Invitation,
    Person,
    Response,
    Ticket,
)
from collector.rollup import mark_person_dirty


def row_dict(row: Any) -> dict[str, Any]:
    """Every mapped column of a row, with times as ISO 8601 text."""
    out: dict[str, Any] = {}
    for column in inspect(row).mapper.column_attrs:
        value = getattr(row, column.key)
        out[column.key] = value.isoformat() if isinstance(value, datetime | date) else value
    return out


def export_person(
    session: Session, person: Person, *, actor: str, now: datetime
) -> dict[str, Any]:
    """Everything stored about ``person``, by table; the export itself is audited."""
    def rows(model: Any, column: Any) -> list[dict[str, Any]]:
        return [row_dict(row) for row in session.scalars(
            select(model).where(column == person.id).order_by(model.id))]

    export = {
        "exported_at": now.isoformat(),
        "person": row_dict(person),
        "responses": rows(Response, Response.person_id),
        "invitations": rows(Invitation, Invitation.person_id),
        "tickets": rows(Ticket, Ticket.person_id),
        "contacts": rows(Contact, Contact.person_id),
        "followups": rows(FollowupCase, FollowupCase.person_id),
    }
    record_audit(session, site_id=person.site_id, actor=actor, action="person.exported",
                 entity_type="person", entity_id=str(person.id), changes={}, at=now)
    return export


@dataclass(frozen=True)
class Erasure:
    person_id: int
    responses: int
    invitations_cancelled: int
    tickets: int
    contacts: int
    followups: int

    def as_dict(self) -> dict[str, int]:
        return {"responses": self.responses, "invitations_cancelled": self.invitations_cancelled,
                "tickets": self.tickets, "contacts": self.contacts, "followups": self.followups}


def erase_person(session: Session, person: Person, *, actor: str, now: datetime) -> Erasure:
    """Remove personal data from every table; scores stay, anonymous, in the aggregates."""
    mark_person_dirty(session, person.id)  # locale and value change: the roll-up must follow
    responses = session.execute(
        update(Response).where(Response.person_id == person.id)
        .values(comment=None, answers={}, properties={}, locale=None, value=None,
                fingerprint=None, updated_at=now)
    ).rowcount
    cancelled = session.execute(
        update(Invitation).where(Invitation.person_id == person.id,
                                 Invitation.status == "pending")
        .values(status="cancelled", cancel_reason="person_erased")
    ).rowcount
    session.execute(update(Invitation).where(Invitation.person_id == person.id)
                    .values(properties={}, locale=None, value=None, token_hash=None))
    tickets = session.execute(delete(Ticket).where(Ticket.person_id == person.id)).rowcount
    contacts = session.execute(delete(Contact).where(Contact.person_id == person.id)).rowcount
    # Case notes may quote the person; the case keeps its status for the team's figures.
    followups = session.execute(
        update(FollowupCase).where(FollowupCase.person_id == person.id)
        .values(timeline=[{"at": now.isoformat(), "actor": actor, "kind": "erased"}],
                updated_at=now)
    ).rowcount
    person.email = None
    person.name = None
    person.locale = None
    person.anonymous_id = None
    person.properties = {}
    person.value = None
    person.unsubscribed_at = person.unsubscribed_at or now
    person.erased_at = person.erased_at or now
    person.updated_at = now
    erasure = Erasure(person.id, responses, cancelled, tickets, contacts, followups)
    record_audit(session, site_id=person.site_id, actor=actor, action="person.erased",
                 entity_type="person", entity_id=str(person.id), changes=erasure.as_dict(),
                 at=now)
    return erasure


def unsubscribe_person(session: Session, person: Person, *, actor: str, now: datetime) -> Person:
    """Stop email surveys for ``person``; idempotent, audited on the first call."""
    if person.unsubscribed_at is None:
        person.unsubscribed_at = now
        person.updated_at = now
        record_audit(session, site_id=person.site_id, actor=actor, action="person.unsubscribed",
                     entity_type="person", entity_id=str(person.id), changes={}, at=now)
    return person
