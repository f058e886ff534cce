"""Triggers: a backend asks to survey a person now or later, through email, link or in-app."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, g
from flask.views import MethodView

from collector.access.auth import WRITE, require_key
from collector.core.clock import now
from collector.core.errors import APIError
from collector.core.extensions import db
from collector.core.idempotency import write_endpoint
from collector.core.parsing import Blueprint
from collector.core.survey_lookup import find_survey
from collector.eligibility.facts import Who
from collector.eligibility.invitations import invitation_rows
from collector.eligibility.schemas import TriggerInSchema, TriggerOutSchema
from collector.eligibility.triggers import EmailRequired, TriggerRequest, trigger
from collector.models import Site

blp = Blueprint("triggers", __name__, url_prefix="/v1/triggers",
                description="Decide now and create an invitation.")


@blp.route("")
class Triggers(MethodView):
    @require_key(*WRITE)
    @write_endpoint("triggers")
    @blp.arguments(TriggerInSchema)
    @blp.response(200, TriggerOutSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Apply the eligibility rules now; when eligible, create an invitation (sent at
        ``send_at`` or after ``delay`` seconds, re-checked then). While one is pending for
        this person and survey, that one is returned instead of a second."""
        survey = find_survey(db.session, g.key.site_id, data["survey"])
        if survey is None:
            raise APIError(404, "survey_not_found", f"No survey {data['survey']!r} on this site.",
                           field="survey")
        site = db.session.get(Site, g.key.site_id)
        assert site is not None
        delay = data.get("delay")
        request = TriggerRequest(
            who=Who(user_id=data.get("user_id"), email=data.get("email"),
                    properties=data.get("properties"), signed_up_at=data.get("signed_up_at")),
            channel=data["channel"], name=data.get("name"), locale=data.get("locale"),
            touchpoint=data.get("touchpoint"), value=data.get("value"),
            delay=timedelta(seconds=delay) if delay is not None else None,
            send_at=data.get("send_at"), dry_run=data["dry_run"])
        try:
            answer = trigger(db.session, site, survey, request, now(),
                             secret=current_app.config["SECRET_KEY"])
        except EmailRequired as error:
            raise APIError(422, "email_required",
                           "The email channel needs the person's email address.",
                           field="email") from error
        invitation = None
        if answer.invitation is not None:
            url = (f"{current_app.config['PUBLIC_URL'].rstrip('/')}/s/{answer.token}"
                   if answer.token else None)
            invitation = invitation_rows(db.session, [answer.invitation], url)[0]
        return {"eligible": answer.eligible, "reason": answer.reason, "invitation": invitation}
