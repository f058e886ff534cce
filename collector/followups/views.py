"""Follow-up cases for detractors: list, read, assign, change status, add notes, figures.

A key created with a ``team`` sees and changes only that team's cases.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import g
from flask.views import MethodView

from collector.access.auth import READ, WRITE, require_key
from collector.core.clock import now
from collector.core.errors import APIError
from collector.core.extensions import db
from collector.core.idempotency import write_endpoint
from collector.core.parsing import Blueprint
from collector.delivery.schemas import (
    FollowupCaseSchema,
    FollowupListArgsSchema,
    FollowupNoteSchema,
    FollowupPageSchema,
    FollowupStatsArgsSchema,
    FollowupStatsSchema,
    FollowupUpdateSchema,
)
from collector.followups.cases import (
    InvalidTransition,
    add_note,
    assign,
    followup_stats,
    list_cases,
    set_status,
)
from collector.models import FollowupCase

blp = Blueprint("followups", __name__, url_prefix="/v1/followups",
                description="Detractor follow-up cases: owners, due times, outcomes.")


def _team_scope(requested: str | None) -> str | None:
    """A team key is held to its team, whatever it asks for."""
    team = g.key.team
    if team is not None and requested not in (None, team):
        raise APIError(403, "team_scope", f"This key only sees team {team!r}.", field="team")
    return team or requested


def _case_or_404(case_id: int) -> FollowupCase:
    case = db.session.get(FollowupCase, case_id)
    if (case is None or case.site_id != g.key.site_id
            or (g.key.team is not None and case.team != g.key.team)):
        raise APIError(404, "followup_not_found", f"No follow-up case {case_id}.")
    return case


@blp.route("")
class Cases(MethodView):
    @require_key(*READ, team_scoped=True)
    @blp.arguments(FollowupListArgsSchema, location="query")
    @blp.response(200, FollowupPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List cases, newest first; filter by ``status``, ``owner``, ``team``, ``overdue``."""
        cursor = args.get("cursor")
        if cursor is not None and not cursor.isdigit():
            raise APIError(422, "invalid_cursor", "This cursor was not issued by this API.",
                           field="cursor")
        rows = list_cases(db.session, g.key.site_id, status=args.get("status"),
                          owner=args.get("owner"), team=_team_scope(args.get("team")),
                          overdue_at=now() if args.get("overdue") else None,
                          limit=args["limit"] + 1, after_id=int(cursor) if cursor else None)
        page, more = rows[:args["limit"]], len(rows) > args["limit"]
        return {"data": page, "has_more": more,
                "next_cursor": str(page[-1].id) if more else None}


@blp.route("/stats")
class CaseStats(MethodView):
    @require_key(*READ, team_scoped=True)
    @blp.arguments(FollowupStatsArgsSchema, location="query")
    @blp.response(200, FollowupStatsSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Median hours to first contact and to resolution; share closed within the SLA."""
        return asdict(followup_stats(db.session, g.key.site_id, now(),
                                     team=_team_scope(args.get("team")),
                                     since=args.get("since"), until=args.get("until")))


@blp.route("/<int:case_id>")
class CaseById(MethodView):
    @require_key(*READ, team_scoped=True)
    @blp.response(200, FollowupCaseSchema)
    def get(self, case_id: int) -> FollowupCase:
        """One case with its timeline."""
        return _case_or_404(case_id)

    @require_key(*WRITE, team_scoped=True)
    @write_endpoint("followups.update")
    @blp.arguments(FollowupUpdateSchema)
    @blp.response(200, FollowupCaseSchema)
    def patch(self, data: dict[str, Any], case_id: int) -> FollowupCase:
        """Assign (``owner``, ``team``), move the status forward, and/or add a ``note``."""
        case = _case_or_404(case_id)
        moment, actor = now(), g.key.actor
        if "team" in data:
            _team_scope(data["team"])
        assign(db.session, case, owner=data.get("owner"), team=data.get("team"), actor=actor,
               now=moment)
        if "status" in data:
            try:
                set_status(db.session, case, data["status"], actor=actor, now=moment)
            except InvalidTransition as error:
                raise APIError(409, "invalid_transition", str(error), field="status") from error
        if "note" in data:
            add_note(db.session, case, data["note"], actor=actor, now=moment)
        return case


@blp.route("/<int:case_id>/notes")
class CaseNotes(MethodView):
    @require_key(*WRITE, team_scoped=True)
    @write_endpoint("followups.note")
    @blp.arguments(FollowupNoteSchema)
    @blp.response(201, FollowupCaseSchema)
    def post(self, data: dict[str, Any], case_id: int) -> FollowupCase:
        """Add a note to the case's timeline."""
        return add_note(db.session, _case_or_404(case_id), data["text"], actor=g.key.actor,
                        now=now())
