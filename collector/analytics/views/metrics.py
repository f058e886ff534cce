"""NPS metrics."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import g
from flask.views import MethodView

from collector.access.auth import READ, require_key
from collector.analytics.metrics import (
    MetricsQuery,
    UnknownGroup,
    nps_report,
    previous_period,
    validate_group,
)
from collector.analytics.schemas import NpsArgsSchema, NpsSchema
from collector.core.clock import now
from collector.core.errors import APIError
from collector.core.extensions import db
from collector.core.lookups import survey_filter
from collector.core.parsing import Blueprint

blp = Blueprint("metrics", __name__, url_prefix="/v1/metrics", description="NPS figures.")


@blp.route("/nps")
class Nps(MethodView):
    @require_key(*READ)
    @blp.arguments(NpsArgsSchema, location="query", unknown=ma.RAISE)
    @blp.response(200, NpsSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """NPS with its 95% interval over a span, optionally grouped and value-weighted.

        Quarantined answers are left out of the score and counted in ``quarantined``;
        ``excluded`` counts the people not surveyed in the span, by eligibility reason.
        """
        survey_id = survey_filter(args)
        since, until = args.get("since"), args.get("until")
        if since is not None and until is not None and since > until:
            raise APIError(422, "invalid_period", "since is later than until.", field="since")
        try:
            validate_group(args.get("group_by"))
        except UnknownGroup as error:
            raise APIError(422, "unknown_group", str(error), field="group_by") from error
        spec = MetricsQuery(g.key.site_id, survey_id, args.get("since"), args.get("until"),
                            args.get("group_by"), args.get("weight") == "value")
        report = nps_report(db.session, spec)
        body = report.overall.summary()
        del body["key"]
        body.update(weighted=spec.weighted, group_by=spec.group_by,
                    groups=[group.summary() for group in report.groups],
                    excluded=report.excluded, excluded_total=sum(report.excluded.values()),
                    quarantined=report.quarantined,
                    comparison=previous_period(db.session, spec, report, now()))
        return body
