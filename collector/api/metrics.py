"""NPS metrics."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView

from collector.api.parsing import Blueprint
from collector.auth import READ, require_key
from collector.errors import APIError
from collector.extensions import db
from collector.metrics import nps_counts
from collector.schemas.metrics import NpsArgsSchema, NpsSchema
from collector.surveys import find_survey

blp = Blueprint("metrics", __name__, url_prefix="/v1/metrics", description="NPS figures.")


@blp.route("/nps")
class Nps(MethodView):
    @require_key(*READ)
    @blp.arguments(NpsArgsSchema, location="query")
    @blp.response(200, NpsSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """NPS with counts per category over a span, quarantined answers left out."""
        survey_id = None
        if "survey" in args:
            survey = find_survey(db.session, g.key.site_id, args["survey"])
            if survey is None:
                raise APIError(404, "survey_not_found", "No such survey.", field="survey")
            survey_id = survey.id
        counts = nps_counts(db.session, g.key.site_id, survey_id=survey_id,
                            since=args.get("since"), until=args.get("until"))
        return {"nps": counts.nps, "promoters": counts.promoters, "passives": counts.passives,
                "detractors": counts.detractors, "total": counts.total}
