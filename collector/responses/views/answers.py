"""Responses: submit (browser or server) and list (server or reporting)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response as FlaskResponse
from flask import current_app, g, request
from flask.views import MethodView

from collector.access.auth import BROWSER, READ, current_site, require_key
from collector.core.clock import now
from collector.core.errors import APIError
from collector.core.extensions import db
from collector.core.idempotency import write_endpoint
from collector.core.lookups import cached_survey_or_404, survey_filter
from collector.core.parsing import Blueprint
from collector.models import Response
from collector.people.lookup import (
    PersonClaim,
    find_person_record,
    save_person_record,
    unsaved_person,
)
from collector.protection.views.screening import screen_submission
from collector.responses.edits import edit_token_valid, issue_edit_token, update_response
from collector.responses.recording import (
    InvalidCursor,
    NewResponse,
    ResponseRow,
    list_responses,
    record_response,
    response_rows,
)
from collector.responses.schemas import (
    ResponseCreateSchema,
    ResponseListArgsSchema,
    ResponsePageSchema,
    ResponseSchema,
    ResponseUpdateSchema,
)


def refuse_erased(claim: PersonClaim) -> None:
    """An erased person's new answer is refused, not stored: they asked for nothing about
    them to be kept, and no survey is shown to them any more (docs/governance.md)."""
    lookup = claim.lookup()
    field = {"external_id": "user_id"}.get(lookup[0], lookup[0]) if lookup else "user_id"
    raise APIError(410, "person_erased",
                   "This person was erased; nothing more is stored about them.", field=field)


blp = Blueprint("responses", __name__, url_prefix="/v1/responses",
                description="Answers to surveys.")


@blp.route("")
class Responses(MethodView):
    @require_key(*BROWSER)
    @write_endpoint("responses.create")
    @blp.arguments(ResponseCreateSchema)
    @blp.response(201, ResponseSchema)
    def post(self, data: dict[str, Any]) -> EditableRow:
        """Record an answer. Send an ``Idempotency-Key`` so a retry never stores it twice.
        A publishable key is not told the verdict (docs/protection.md)."""
        survey = cached_survey_or_404(data["survey"])
        session = db.session  # one look-up: the property costs a context search each time
        moment = now()
        # Identity (401 when refused), fingerprint and bot verdict: docs/protection.md.
        site = current_site()
        screening = screen_submission(survey, site, data, role=g.key.role, now=moment)
        claim = PersonClaim(user_id=screening.user_id, email=data.get("email"),
                            anonymous_id=data.get("anonymous_id"), locale=data.get("locale"))
        found = find_person_record(session, g.key.site_id, claim)
        if found is not None and found.erased_at is not None:
            refuse_erased(claim)
        person = found or (unsaved_person(g.key.site_id, claim, moment)
                           if claim.lookup() else None)
        answer = NewResponse(
            score=data["score"], comment=data.get("comment"), answers=data.get("answers", {}),
            locale=data.get("locale"), channel=data["channel"], touchpoint=data.get("touchpoint"),
            properties=data.get("properties", {}), value=data.get("value"),
            fingerprint=screening.fingerprint, verdict=screening.verdict.verdict,
            verdict_reasons=screening.verdict.reasons, verdict_signals=screening.verdict.signals,
        )
        # The writes, together, once everything is read and judged.
        if person is not None:
            person = save_person_record(session, claim, person, moment)
        response = record_response(session, survey, person, answer, moment,
                                   person_is_new=found is None, site=site)
        # Everything the answer shows is at hand: no re-read of survey, version or person.
        version = survey.current_version
        assert version is not None and version.id == response.survey_version_id
        # A publishable key lives in browsers: its answer names no person (docs/security.md).
        shown = None if g.key.role == "publishable" else person
        return with_edit_token(ResponseRow(response, survey.key, version.number, shown), moment,
                               browser=g.key.role == "publishable")

    @require_key(*READ)
    @blp.arguments(ResponseListArgsSchema, location="query")
    @blp.response(200, ResponsePageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List responses, newest first; follow ``next_cursor`` for the next page."""
        survey_id = survey_filter(args)
        try:
            page, next_cursor = list_responses(
                db.session, g.key.site_id, survey_id=survey_id, since=args.get("since"),
                until=args.get("until"), verdict=args.get("verdict"), limit=args["limit"],
                cursor=args.get("cursor"),
            )
        except InvalidCursor as error:
            raise APIError(422, "invalid_cursor", "This cursor was not issued by this API.",
                           field="cursor") from error
        return {"data": response_rows(db.session, page), "has_more": next_cursor is not None,
                "next_cursor": next_cursor}


# --- PATCH: the comment and second answer, added after the score (issue 4) ---------------

# A browser is never told how its answer was judged: one request per try would teach a
# script what trips the filter (docs/protection.md, "Tell callers less").
HIDDEN_FROM_BROWSERS = frozenset({"verdict", "verdict_reasons", "verdict_signals"})


class EditableRow:
    """A response row as the POST answers it: with the token that allows the follow-up;
    for a browser, without the verdict (a missing attribute is left out of the dump)."""

    def __init__(self, row: ResponseRow, edit_token: str, *, browser: bool = False) -> None:
        self.row = row
        self.edit_token = edit_token
        self.browser = browser

    def __getattr__(self, name: str) -> Any:
        if self.browser and name in HIDDEN_FROM_BROWSERS:
            raise AttributeError(name)
        return getattr(self.row, name)


class HiddenVerdict:
    """A response row shown to a browser: everything but the verdict."""

    def __init__(self, row: ResponseRow) -> None:
        self.row = row

    def __getattr__(self, name: str) -> Any:
        if name in HIDDEN_FROM_BROWSERS:
            raise AttributeError(name)
        return getattr(self.row, name)


def with_edit_token(row: ResponseRow, moment: datetime, *, browser: bool = False) -> EditableRow:
    return EditableRow(row, issue_edit_token(current_app.config["SECRET_KEY"], row.id, moment),
                       browser=browser)


@blp.route("/<int:response_id>")
class ResponseUpdate(MethodView):
    @require_key(*READ)
    @blp.response(200, ResponseSchema)
    def get(self, response_id: int) -> ResponseRow:
        """One response (the ``permalink`` of the Delighted-compatible API points here)."""
        response = db.session.get(Response, response_id)
        if response is None or response.site_id != g.key.site_id:
            raise APIError(404, "response_not_found", f"No response {response_id} on this site.")
        return response_rows(db.session, [response])[0]

    @require_key(*BROWSER)
    @write_endpoint("responses.update")
    @blp.arguments(ResponseUpdateSchema)
    @blp.response(200, ResponseSchema)
    def patch(self, data: dict[str, Any], response_id: int) -> ResponseRow | HiddenVerdict:
        """Add the comment and the second answer to a response after its score.

        A publishable key must send the ``edit_token`` from the POST's answer (valid for
        about an hour); a secret key may update any response of its site.
        """
        moment = now()
        response = db.session.get(Response, response_id)
        if response is None or response.site_id != g.key.site_id:
            raise APIError(404, "response_not_found", f"No response {response_id} on this site.")
        if g.key.role == "publishable" and not edit_token_valid(
                current_app.config["SECRET_KEY"], response_id, data.get("edit_token", ""), moment):
            raise APIError(403, "invalid_edit_token",
                           "This edit_token is missing, expired or for another response.",
                           field="edit_token")
        update_response(db.session, response, comment=data.get("comment"),
                        answers=data.get("answers"), now=moment)
        row = response_rows(db.session, [response])[0]
        if g.key.role == "publishable":  # as the POST: no person, no verdict for a browser
            return HiddenVerdict(ResponseRow(row.response, row.survey_key,
                                             row.survey_version_number, None))
        return row


@blp.after_request
def _allow_patch_from_browsers(response: FlaskResponse) -> FlaskResponse:
    """The collector's CORS preflight answer lists GET and POST; the widget also PATCHes."""
    if request.method == "OPTIONS" and "Access-Control-Allow-Methods" in response.headers:
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, PATCH"
    return response
