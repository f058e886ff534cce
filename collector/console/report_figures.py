"""What the console's overview shows, computed without Flask: figures, the score bars, comments.

The bars are drawn on the server as SVG coordinates so the page needs no JavaScript and
prints as it looks (the trend, mix and segment charts: collector/console/charts.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from collector.analytics.metrics import COUNTED_VERDICTS, MetricsQuery, nps_report
from collector.followups.cases import followup_stats
from collector.models import Response, Survey

CHART_WIDTH, CHART_PAD = 640, 36
BAR_HEIGHT = 120
COMMENTS = 20


@dataclass
class ReportData:
    since: datetime
    until: datetime
    survey: str | None
    overall: dict[str, Any]
    excluded: dict[str, int]
    quarantined: int
    distribution: list[dict[str, Any]]
    touchpoints: list[dict[str, Any]]
    comments: list[dict[str, Any]]
    followups: Any = None
    surveys: list[str] = field(default_factory=list)
    weekly: list[dict[str, Any]] = field(default_factory=list)  # each week's summary


def _distribution(session: Session, spec: MetricsQuery) -> list[dict[str, Any]]:
    query = (select(Response.score, func.count()).where(
        Response.site_id == spec.site_id, Response.verdict.in_(COUNTED_VERDICTS),
        Response.created_at >= spec.since, Response.created_at < spec.until)
        .group_by(Response.score))
    if spec.survey_id is not None:
        query = query.where(Response.survey_id == spec.survey_id)
    counts = dict(session.execute(query).all())
    tallest = max(counts.values(), default=0) or 1
    width = (CHART_WIDTH - 2 * CHART_PAD) / 11
    bars = []
    for score in range(11):
        count = int(counts.get(score, 0))
        height = round(BAR_HEIGHT * count / tallest, 1)
        category = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
        bars.append({"score": score, "count": count, "category": category,
                     "x": round(CHART_PAD + score * width + 2, 1), "width": round(width - 4, 1),
                     "y": round(BAR_HEIGHT + 10 - height, 1), "height": height})
    return bars


def _comments(session: Session, spec: MetricsQuery) -> list[dict[str, Any]]:
    query = (select(Response.score, Response.comment, Response.touchpoint, Response.created_at)
             .where(Response.site_id == spec.site_id, Response.verdict.in_(COUNTED_VERDICTS),
                    Response.comment.is_not(None), Response.comment != "",
                    Response.created_at >= spec.since, Response.created_at < spec.until)
             .order_by(Response.created_at.desc(), Response.id.desc()).limit(COMMENTS))
    if spec.survey_id is not None:
        query = query.where(Response.survey_id == spec.survey_id)
    return [{"score": score, "comment": comment, "touchpoint": touchpoint, "at": at}
            for score, comment, touchpoint, at in session.execute(query)]


def build_report(session: Session, site_id: int, *, survey: Survey | None, days: int,
                 now: datetime) -> ReportData:
    since = now - timedelta(days=days)
    spec = MetricsQuery(site_id, survey.id if survey else None, since, now)
    overall = nps_report(session, spec)
    weekly = nps_report(session, MetricsQuery(site_id, spec.survey_id, since, now,
                                              group_by="week"))
    by_touchpoint = nps_report(session, MetricsQuery(site_id, spec.survey_id, since, now,
                                                     group_by="touchpoint"))
    surveys = list(session.scalars(select(Survey.key).where(Survey.site_id == site_id)
                                   .order_by(Survey.key)))
    return ReportData(
        since=since, until=now, survey=survey.key if survey else None,
        overall=overall.overall.summary(), excluded=overall.excluded,
        quarantined=overall.quarantined,
        distribution=_distribution(session, spec),
        touchpoints=[g.summary() for g in sorted(by_touchpoint.groups,
                                                 key=lambda g: -g.counts.total)],
        comments=_comments(session, spec),
        followups=followup_stats(session, site_id, now, since=since, until=now),
        surveys=surveys, weekly=[g.summary() for g in weekly.groups],
    )
