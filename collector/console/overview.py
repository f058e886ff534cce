"""What the console's overview shows, without Flask: the report's figures plus the charts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from collector.analytics.metrics import MetricsQuery, nps_report
from collector.console.charts import (
    MixChart,
    SegmentChart,
    TrendChart,
    mix_chart,
    segment_chart,
    trend_chart,
)
from collector.console.report_figures import ReportData, build_report
from collector.models import Survey

SEGMENTS = ("touchpoint", "locale", "channel")


@dataclass
class Overview:
    report: ReportData
    trend: TrendChart
    mix: MixChart
    segments: dict[str, SegmentChart]
    counted: int
    excluded_total: int


def build_overview(session: Session, site_id: int, *, survey: Survey | None, days: int,
                   now: datetime, segment_property: str | None = None) -> Overview:
    report = build_report(session, site_id, survey=survey, days=days, now=now)
    since = now - timedelta(days=days)
    survey_id = survey.id if survey else None

    def groups(group_by: str) -> list[dict[str, Any]]:
        found = nps_report(session, MetricsQuery(site_id, survey_id, since, now,
                                                 group_by=group_by))
        return [g.summary() for g in found.groups]

    weekly = report.weekly
    # The report already grouped by touchpoint; the other segments are one scan each.
    segments = {name: segment_chart(report.touchpoints if name == "touchpoint"
                                    else groups(name)) for name in SEGMENTS}
    if segment_property:
        segments[f"property {segment_property}"] = segment_chart(
            groups(f"property:{segment_property}"))
    return Overview(report, trend_chart(weekly, since, now), mix_chart(weekly, since, now),
                    segments, int(report.overall["n"]), sum(report.excluded.values()))
