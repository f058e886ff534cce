"""Invitations: list pending and past ones, cancel a pending one."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView

from collector.access.auth import READ, WRITE, require_key
from collector.core.errors import APIError
from collector.core.extensions import db
from collector.core.idempotency import write_endpoint
from collector.core.lookups import survey_filter
from collector.core.parsing import Blueprint
from collector.eligibility.invitations import (
    InvalidCursor,
    cancel,
    invitation_rows,
    list_invitations,
)
from collector.eligibility.schemas import (
    InvitationListArgsSchema,
    InvitationPageSchema,
    InvitationSchema,
)
from collector.models import Invitation

blp = Blueprint("invitations", __name__, url_prefix="/v1/invitations",
                description="Scheduled and past survey invitations.")


@blp.route("")
class Invitations(MethodView):
    @require_key(*READ)
    @blp.arguments(InvitationListArgsSchema, location="query")
    @blp.response(200, InvitationPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List invitations, newest first; filter by ``status`` and ``survey``."""
        survey_id = survey_filter(args)
        try:
            page, next_cursor = list_invitations(
                db.session, g.key.site_id, status=args.get("status"), survey_id=survey_id,
                limit=args["limit"], cursor=args.get("cursor"))
        except InvalidCursor as error:
            raise APIError(422, "invalid_cursor", "This cursor was not issued by this API.",
                           field="cursor") from error
        return {"data": invitation_rows(db.session, page), "has_more": next_cursor is not None,
                "next_cursor": next_cursor}


@blp.route("/<int:invitation_id>/cancel")
class CancelInvitation(MethodView):
    @require_key(*WRITE)
    @write_endpoint("invitations.cancel")
    @blp.response(200, InvitationSchema)
    def post(self, invitation_id: int) -> dict[str, Any]:
        """Cancel a pending invitation; it will not be sent or shown."""
        invitation = db.session.get(Invitation, invitation_id)
        if invitation is None or invitation.site_id != g.key.site_id:
            raise APIError(404, "invitation_not_found", "No such invitation on this site.")
        if not cancel(invitation, "cancelled_by_api"):
            raise APIError(409, "invitation_not_pending",
                           f"The invitation is {invitation.status}, not pending.")
        return invitation_rows(db.session, [invitation])[0]
