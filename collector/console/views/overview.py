"""The overview: the score with its interval, the charts, what the score leaves out."""

from __future__ import annotations

from flask import g, render_template, request
from flask.typing import ResponseReturnValue

from collector.console.browsing import PROPERTY_NAME, survey_names
from collector.console.overview import build_overview
from collector.console.views import bp, viewer
from collector.core.clock import now
from collector.core.extensions import db
from collector.core.survey_lookup import find_survey

DAY_CHOICES = (30, 90, 180, 365)


@bp.get("/")
@viewer
def overview() -> ResponseReturnValue:
    """NPS, trend, category mix, segments, distribution, follow-up figures and comments."""
    site_id = g.console_key.site_id
    days = request.args.get("days", type=int) or 90
    days = days if days in DAY_CHOICES else 90
    key = request.args.get("survey") or None
    survey = find_survey(db.session, site_id, key) if key else None
    unknown = key if key and survey is None else None
    prop = (request.args.get("property") or "").strip() or None
    prop = prop if prop and PROPERTY_NAME.match(prop) else None
    data = build_overview(db.session, site_id, survey=survey, days=days, now=now(),
                          segment_property=prop)
    surveys = survey_names(db.session, site_id)
    return render_template("console/overview.html", data=data, r=data.report, days=days,
                           day_choices=DAY_CHOICES, surveys=surveys,
                           survey=survey.key if survey else None, prop=prop, unknown=unknown,
                           survey_name=dict(surveys).get(survey.key) if survey else None)
