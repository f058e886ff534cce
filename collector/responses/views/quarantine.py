"""Quarantine: an admin releases an answer the bot verdict held back (audited)."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from sqlalchemy import select

from collector.access.auth import ADMIN, require_key
from collector.core.clock import now
from collector.core.errors import APIError
from collector.core.extensions import db
from collector.core.idempotency import write_endpoint
from collector.core.parsing import Blueprint
from collector.models import Response
from collector.responses.quarantine import NotQuarantined, release
from collector.responses.recording import ResponseRow, response_rows
from collector.responses.schemas import ResponseSchema

blp = Blueprint("quarantine", __name__, url_prefix="/v1/responses",
                description="Answers held back as suspicious, and their release.")


@blp.route("/<response_id>/release")
class Release(MethodView):
    @require_key(*ADMIN)
    @write_endpoint("responses.release")
    @blp.response(200, ResponseSchema)
    def post(self, response_id: str) -> ResponseRow:
        """Release a quarantined answer: it counts in metrics from now on. Admin keys only.

        The release is recorded in the audit trail with the reasons it had been held for,
        and the answer is then treated as if it had been accepted: a ``response.updated``
        event (and ``response.detractor`` for 0 to 6) and, for a detractor, a follow-up case.
        """
        response = db.session.scalars(
            select(Response).where(Response.id == int(response_id),
                                   Response.site_id == g.key.site_id)
        ).first() if response_id.isascii() and response_id.isdigit() and len(response_id) < 19 \
            else None
        if response is None:
            raise APIError(404, "response_not_found", "No such response on this site.",
                           field="response_id")
        try:
            release(db.session, response, actor=g.key.actor, now=now())
        except NotQuarantined as error:
            raise APIError(409, "response_not_quarantined", str(error),
                           field="response_id") from error
        return response_rows(db.session, [response])[0]
