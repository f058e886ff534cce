"""Responses: submit (browser or server) and list (server or reporting)."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView

from collector.api.parsing import Blueprint
from collector.auth import BROWSER, READ, require_key
from collector.clock import now
from collector.errors import APIError
from collector.extensions import db
from collector.idempotency import write_endpoint
from collector.people import upsert_person
from collector.responses import (
    InvalidCursor,
    NewResponse,
    ResponseRow,
    list_responses,
    record_response,
    response_rows,
)
from collector.schemas.response import (
    ResponseCreateSchema,
    ResponseListArgsSchema,
    ResponsePageSchema,
    ResponseSchema,
)
from collector.surveys import find_survey

blp = Blueprint("responses", __name__, url_prefix="/v1/responses",
                description="Answers to surveys.")


def _active_survey(key: str) -> Any:
    survey = find_survey(db.session, g.key.site_id, key)
    if survey is None:
        raise APIError(404, "survey_not_found", f"No survey {key!r} on this site.",
                       field="survey")
    return survey


@blp.route("")
class Responses(MethodView):
    @require_key(*BROWSER)
    @write_endpoint("responses.create")
    @blp.arguments(ResponseCreateSchema)
    @blp.response(201, ResponseSchema)
    def post(self, data: dict[str, Any]) -> ResponseRow:
        """Record an answer. Send an ``Idempotency-Key`` so a retry never stores it twice."""
        survey = _active_survey(data["survey"])
        moment = now()
        person = upsert_person(
            db.session, g.key.site_id, moment, user_id=data.get("user_id"),
            email=data.get("email"), anonymous_id=data.get("anonymous_id"),
            locale=data.get("locale"),
        )
        answer = NewResponse(
            score=data["score"], comment=data.get("comment"), answers=data.get("answers", {}),
            locale=data.get("locale"), channel=data["channel"], touchpoint=data.get("touchpoint"),
            properties=data.get("properties", {}), value=data.get("value"),
        )
        response = record_response(db.session, survey, person, answer, moment)
        return response_rows(db.session, [response])[0]

    @require_key(*READ)
    @blp.arguments(ResponseListArgsSchema, location="query")
    @blp.response(200, ResponsePageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List responses, newest first; follow ``next_cursor`` for the next page."""
        survey_id = _active_survey(args["survey"]).id if "survey" in args else None
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
