"""The rendered survey email, for products that send through their own mail provider."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import g
from flask.views import MethodView
from marshmallow import fields

from collector.access.auth import WRITE, require_key
from collector.core.clock import now
from collector.core.errors import APIError
from collector.core.extensions import db
from collector.core.parsing import Blueprint
from collector.eligibility.invitation_emails import (
    EmailNotSendable,
    current_settings,
    invitation_email,
)
from collector.models import Invitation

blp = Blueprint("invitation_emails", __name__, url_prefix="/v1/invitations",
                description="Survey emails rendered for your own mail provider.")


class RenderedEmailSchema(ma.Schema):
    subject = fields.String()
    html = fields.String()
    text = fields.String()
    headers = fields.Dict(keys=fields.String(), values=fields.String())
    to = fields.String()


@blp.route("/<int:invitation_id>/email")
class InvitationEmail(MethodView):
    @require_key(*WRITE)
    @blp.response(200, RenderedEmailSchema)
    def get(self, invitation_id: int) -> dict[str, Any]:
        """The invitation's email: subject, HTML, plain text and the ``List-Unsubscribe``
        headers to send with it. Every call gives the same survey link, the one the trigger
        returned: fetching the email never retires a link already handed out."""
        invitation = db.session.get(Invitation, invitation_id)
        if invitation is None or invitation.site_id != g.key.site_id:
            raise APIError(404, "invitation_not_found",
                           f"No invitation {invitation_id} on this site.")
        if invitation.status not in ("pending", "sent"):
            raise APIError(409, "invitation_closed",
                           f"This invitation is {invitation.status}; it cannot be answered.")
        try:
            rendered, person = invitation_email(db.session, invitation, now(),
                                                current_settings())
        except EmailNotSendable as error:
            raise APIError(409, "email_not_sendable", str(error)) from error
        # The new link token's hash must be stored, or the link in this email would not work.
        db.session.commit()
        return {"subject": rendered.subject, "html": rendered.html, "text": rendered.text,
                "headers": rendered.headers, "to": person.email}
