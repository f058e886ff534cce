"""Tickets: a support ticket's status changed; people with open tickets are not surveyed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import g
from flask.views import MethodView

from collector.access.auth import WRITE, require_key
from collector.core.clock import now
from collector.core.errors import APIError
from collector.core.extensions import db
from collector.core.idempotency import write_endpoint
from collector.core.parsing import Blueprint
from collector.eligibility.schemas import TicketInSchema, TicketOutSchema
from collector.eligibility.tickets import record_ticket_event
from collector.people.lookup import upsert_person

MAX_TICKET_AHEAD = timedelta(days=1)

blp = Blueprint("tickets", __name__, url_prefix="/v1/tickets",
                description="Support ticket status, for the open-ticket rules.")


@blp.route("")
class Tickets(MethodView):
    @require_key(*WRITE)
    @write_endpoint("tickets")
    @blp.arguments(TicketInSchema)
    @blp.response(200, TicketOutSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Record a ticket's status at ``at`` (default: now). Idempotent and order-safe: an
        event older than the stored one changes nothing (``applied: false``)."""
        moment = now()
        if data.get("at") is not None and data["at"] > moment + MAX_TICKET_AHEAD:
            # A later ``at`` always wins (order-safe), so one dated far ahead would pin the
            # ticket's status for good; a day covers any clock skew (docs/eligibility.md).
            raise APIError(422, "validation_failed",
                           "at: a ticket event may be at most one day in the future.",
                           field="at")
        person = upsert_person(db.session, g.key.site_id, moment, user_id=data.get("user_id"),
                               email=data.get("email"))
        if person is None:
            raise APIError(422, "validation_failed", "Give user_id or email.", field="user_id")
        if person.erased_at is not None:
            # Nothing more is stored about an erased person; they are never surveyed anyway.
            return {"ticket_id": data["ticket_id"], "status": data["status"],
                    "at": data.get("at") or moment, "applied": False}
        outcome = record_ticket_event(db.session, g.key.site_id, person, data["ticket_id"],
                                      data["status"], data.get("at") or moment, moment)
        return {"ticket_id": outcome.ticket.external_id, "status": outcome.ticket.status,
                "at": outcome.ticket.status_at, "applied": outcome.applied}
