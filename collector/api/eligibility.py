"""Eligibility: may this person be shown this survey now, and if not, why."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import g, request
from flask.views import MethodView
from marshmallow import fields, validate

from collector.api.parsing import Blueprint
from collector.auth import BROWSER, require_key
from collector.display import choose_survey_locale, display_payload
from collector.extensions import db
from collector.i18n import locale_candidates
from collector.models import Site
from collector.schemas.survey import SLUG
from collector.surveys import find_survey

blp = Blueprint("eligibility", __name__, url_prefix="/v1/eligibility",
                description="Decide whether to show a survey, and say why.")


class EligibilityInSchema(ma.Schema):
    survey = fields.String(required=True, validate=SLUG)
    user_id = fields.String(validate=validate.Length(min=1, max=200))
    anonymous_id = fields.String(validate=validate.Length(min=8, max=64))
    locale = fields.String(validate=validate.Length(min=2, max=35))


class EligibilityOutSchema(ma.Schema):
    eligible = fields.Boolean(required=True)
    reason = fields.String(required=True)
    survey = fields.Dict(allow_none=True)


@blp.route("")
class Eligibility(MethodView):
    @require_key(*BROWSER)
    @blp.arguments(EligibilityInSchema)
    @blp.response(200, EligibilityOutSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Answer whether to show the survey; when eligible, include what to render."""
        survey = find_survey(db.session, g.key.site_id, data["survey"])
        if survey is None or not survey.active:
            return {"eligible": False, "reason": "survey_inactive", "survey": None}
        assert survey.current_version is not None
        site = db.session.get(Site, g.key.site_id)
        assert site is not None
        candidates = locale_candidates(data.get("locale"), None,
                                       request.headers.get("Accept-Language"),
                                       site.default_locale)
        locale = choose_survey_locale(survey.current_version.config, candidates)
        if locale is None:
            return {"eligible": False, "reason": "no_translation", "survey": None}
        return {"eligible": True, "reason": "eligible",
                "survey": display_payload(survey, locale)}
