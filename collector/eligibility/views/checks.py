"""Eligibility and declines: may this person be shown a survey now, and if not, why."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, request
from flask.views import MethodView

from collector.access.auth import BROWSER, READ, current_site, require_key
from collector.access.identity import IdentityError, check_identity
from collector.core.clock import now
from collector.core.config_cache import config_cache
from collector.core.database import read_only_connection
from collector.core.errors import APIError
from collector.core.extensions import db
from collector.core.idempotency import write_endpoint
from collector.core.lookups import survey_filter
from collector.core.parsing import Blueprint
from collector.eligibility.decision_counts import read_counts
from collector.eligibility.facts import Who, find_display, record_decline
from collector.eligibility.page_views import DisplayRequest, check_display
from collector.eligibility.schemas import (
    DecisionArgsSchema,
    DecisionListSchema,
    DeclineInSchema,
    DeclineOutSchema,
    EligibilityInSchema,
    EligibilityOutSchema,
)
from collector.models import Survey
from collector.protection.display_tokens import visitor_of
from collector.protection.views.screening import challenge, display_token, proof_required

blp = Blueprint("eligibility", __name__, url_prefix="/v1",
                description="Decide whether to show a survey, and say why.")


@blp.route("/eligibility")
class Eligibility(MethodView):
    @require_key(*BROWSER)
    @write_endpoint("eligibility")
    @blp.arguments(EligibilityInSchema)
    @blp.response(200, EligibilityOutSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Decide for a page view or event. Eligible: the survey to render in one locale and
        a ``display_id`` (the display is remembered for fatigue rules). ``dry_run`` records
        nothing. Without ``survey``, the first active survey whose ``show_on`` matches."""
        site = current_site()
        moment = now()
        try:
            verified = check_identity(site.identity_secret, site.require_identity,
                                      data.get("user_id"), data.get("identity_token"), moment,
                                      email=data.get("email"))
        except IdentityError as error:
            raise APIError(401, error.code, str(error), field="identity_token") from error
        # A token without ``user_id`` names the person by its own subject.
        who = Who(user_id=verified or data.get("user_id"), email=data.get("email"),
                  anonymous_id=data.get("anonymous_id"), properties=data.get("properties"),
                  first_seen_hint=data.get("first_seen_at"))
        with read_only_connection() as reader:
            answer = check_display(db.session, site, DisplayRequest(
                who=who, survey_key=data.get("survey"), locale=data.get("locale"),
                accept_language=request.headers.get("Accept-Language"), url=data.get("url"),
                event=data.get("event"), dry_run=data["dry_run"]), moment, config_cache(),
                reader, recheck_after=current_app.config["RECHECK_AFTER_SECONDS"])
        token = work = None
        if answer.shown is not None:
            proof = proof_required(answer.shown, moment)
            token = display_token(answer.shown, visitor_of(
                user_id=who.user_id, email=who.email, anonymous_id=who.anonymous_id), moment,
                proof=proof)
            work = challenge(token) if proof else None
        return {"eligible": answer.eligible, "reason": answer.reason, "survey": answer.survey,
                "display_id": answer.display_id, "display_token": token,
                "proof_of_work": work, "recheck_after": answer.recheck_after}


@blp.route("/declines")
class Declines(MethodView):
    @require_key(*BROWSER)
    @write_endpoint("declines")
    @blp.arguments(DeclineInSchema)
    @blp.response(200, DeclineOutSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """The person dismissed the survey shown with ``display_id``; the decline throttle
        starts now. Repeating it changes nothing."""
        shown = find_display(db.session, g.key.site_id, data["display_id"])
        if shown is None:
            raise APIError(404, "display_not_found", "No display with this id on this site.",
                           field="display_id")
        declined = record_decline(db.session, shown, now())
        survey = db.session.get(Survey, shown.survey_id)
        assert survey is not None
        return {"display_id": shown.display_id, "survey": survey.key,
                "declined_at": declined.at}


@blp.route("/decisions")
class Decisions(MethodView):
    @require_key(*READ)
    @blp.arguments(DecisionArgsSchema, location="query")
    @blp.response(200, DecisionListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Eligibility decisions counted by survey, UTC day and reason, oldest day first
        (``until`` is exclusive). Shows how many people open tickets and fatigue exclude."""
        survey_id = survey_filter(args)
        rows = read_counts(db.session, g.key.site_id, survey_id=survey_id,
                           since=args.get("since"), until=args.get("until"))
        return {"data": rows}
