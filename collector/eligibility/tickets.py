"""Support ticket events: the latest status per ticket, applied idempotently and in `at` order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from collector.eligibility.facts import RESOLVED_STATUSES
from collector.models import Person, Ticket


@dataclass(frozen=True)
class TicketOutcome:
    ticket: Ticket
    # False when the event was older than (or the same as) what is stored: nothing changed.
    applied: bool


def _find(session: Session, site_id: int, external_id: str) -> Ticket | None:
    return session.scalars(
        select(Ticket).where(Ticket.site_id == site_id, Ticket.external_id == external_id)
        # Two newer events for one ticket apply one after the other (no lost update).
        .with_for_update()
    ).first()


def record_ticket_event(session: Session, site_id: int, person: Person, external_id: str,
                        status: str, at: datetime, now: datetime) -> TicketOutcome:
    """Apply one status change. Events may arrive late or twice: only a newer ``at`` wins,
    so replaying or reordering a feed gives the same final state."""
    ticket = _find(session, site_id, external_id)
    if ticket is None:
        ticket = Ticket(site_id=site_id, person_id=person.id, external_id=external_id,
                        status=status, status_at=at,
                        resolved_at=at if status in RESOLVED_STATUSES else None,
                        created_at=now, updated_at=now)
        try:
            with session.begin_nested():
                session.add(ticket)
                session.flush()
        except IntegrityError:
            # Two events for a new ticket at once: the other one created it; apply on top.
            found = _find(session, site_id, external_id)
            if found is None:
                raise
            ticket = found
        else:
            return TicketOutcome(ticket, True)
    if at <= ticket.status_at:
        return TicketOutcome(ticket, False)
    was_resolved = ticket.status in RESOLVED_STATUSES
    ticket.status = status
    ticket.status_at = at
    if status in RESOLVED_STATUSES and not was_resolved:
        ticket.resolved_at = at
    ticket.updated_at = now
    return TicketOutcome(ticket, True)
