"""Surveys: create, list, read, update (each change a new version). Secret or admin keys."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView

from collector.access.auth import READ, WRITE, require_key
from collector.core.clock import now
from collector.core.errors import APIError
from collector.core.extensions import db
from collector.core.idempotency import write_endpoint
from collector.core.lookups import survey_or_404
from collector.core.parsing import Blueprint
from collector.core.survey_lookup import list_surveys
from collector.surveys.definitions import (
    SurveyKeyTaken,
    SurveyView,
    create_survey,
    update_survey,
    view_of,
)
from collector.surveys.schemas import (
    SurveyCreateSchema,
    SurveyListSchema,
    SurveySchema,
    SurveyUpdateSchema,
)

blp = Blueprint("surveys", __name__, url_prefix="/v1/surveys",
                description="Survey definitions with immutable versions.")


@blp.route("")
class Surveys(MethodView):
    @require_key(*READ)
    @blp.response(200, SurveyListSchema)
    def get(self) -> dict[str, list[SurveyView]]:
        """List the site's surveys with their current versions."""
        return {"data": [view_of(s) for s in list_surveys(db.session, g.key.site_id)]}

    @require_key(*WRITE)
    @write_endpoint("surveys.create")
    @blp.arguments(SurveyCreateSchema)
    @blp.response(201, SurveySchema)
    def post(self, data: dict[str, Any]) -> SurveyView:
        """Create a survey; its definition becomes version 1."""
        try:
            survey = create_survey(db.session, g.key.site_id, now=now(), actor=g.key.actor, **data)
        except SurveyKeyTaken as error:
            raise APIError(409, "survey_key_taken", f"A survey {error} already exists.",
                           field="key") from error
        return view_of(survey)


@blp.route("/<key>")
class SurveyByKey(MethodView):
    @require_key(*READ)
    @blp.response(200, SurveySchema)
    def get(self, key: str) -> SurveyView:
        """Read one survey and its current version."""
        return view_of(survey_or_404(key, field="key"))

    @require_key(*WRITE)
    @write_endpoint("surveys.update")
    @blp.arguments(SurveyUpdateSchema)
    @blp.response(200, SurveySchema)
    def patch(self, data: dict[str, Any], key: str) -> SurveyView:
        """Change a survey: a new name or config is a new version; old answers keep theirs."""
        survey = update_survey(db.session, survey_or_404(key, field="key"), changes=data, now=now(),
                               actor=g.key.actor)
        return view_of(survey)
