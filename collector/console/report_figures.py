"""What the console's overview shows, computed without Flask: figures, chart geometry, comments.

The chart is drawn on the server as SVG coordinates so the page needs no JavaScript and
prints as it looks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from collector.analytics.metrics import COUNTED_VERDICTS, GroupFigures, MetricsQuery, nps_report
from collector.followups.cases import followup_stats
from collector.models import Response, Survey

CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 640, 240, 36
BAR_HEIGHT = 120
COMMENTS = 20


@dataclass(frozen=True)
class TrendPoint:
    label: str
    x: float
    y: float
    y_low: float
    y_high: float
    nps: float
    low: float
    high: float
    n: int


@dataclass
class ReportData:
    since: datetime
    until: datetime
    survey: str | None
    overall: dict[str, Any]
    excluded: dict[str, int]
    quarantined: int
    trend: list[TrendPoint]
    band: str
    line: str
    distribution: list[dict[str, Any]]
    touchpoints: list[dict[str, Any]]
    comments: list[dict[str, Any]]
    followups: Any = None
    surveys: list[str] = field(default_factory=list)
    weekly: list[dict[str, Any]] = field(default_factory=list)  # each week's summary


def _y(nps: float) -> float:
    """-100..100 to the chart's vertical pixels (100 at the top)."""
    inner = CHART_HEIGHT - 2 * CHART_PAD
    return round(CHART_PAD + (100.0 - nps) / 200.0 * inner, 1)


def trend_points(groups: list[GroupFigures]) -> list[TrendPoint]:
    scored = [g for g in groups if g.summary()["interval"] is not None]
    inner = CHART_WIDTH - 2 * CHART_PAD
    points = []
    for index, group in enumerate(scored):
        summary = group.summary()
        x = CHART_PAD + (inner * index / (len(scored) - 1) if len(scored) > 1 else inner / 2)
        low, high = summary["interval"]["low"], summary["interval"]["high"]
        points.append(TrendPoint(str(group.key), round(x, 1), _y(summary["nps"]), _y(low),
                                 _y(high), summary["nps"], low, high, group.counts.total))
    return points


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
    points = trend_points(weekly.groups)
    band = " ".join([f"{p.x},{p.y_high}" for p in points]
                    + [f"{p.x},{p.y_low}" for p in reversed(points)])
    line = " ".join(f"{p.x},{p.y}" for p in points)
    surveys = list(session.scalars(select(Survey.key).where(Survey.site_id == site_id)
                                   .order_by(Survey.key)))
    return ReportData(
        since=since, until=now, survey=survey.key if survey else None,
        overall=overall.overall.summary(), excluded=overall.excluded,
        quarantined=overall.quarantined, trend=points, band=band, line=line,
        distribution=_distribution(session, spec),
        touchpoints=[g.summary() for g in sorted(by_touchpoint.groups,
                                                 key=lambda g: -g.counts.total)],
        comments=_comments(session, spec),
        followups=followup_stats(session, site_id, now, since=since, until=now),
        surveys=surveys, weekly=[g.summary() for g in weekly.groups],
    )
