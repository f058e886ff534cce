"""Aggregations in SQL: the database counts, Python only does the arithmetic."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from collector.models import Response
from collector.stats import NpsCounts

COUNTED_VERDICTS = ("accepted", "released")


def nps_counts(
    session: Session, site_id: int, *, survey_id: int | None = None,
    since: datetime | None = None, until: datetime | None = None,
) -> NpsCounts:
    """Counts by category; quarantined responses are left out (they are reported apart)."""
    query = (
        select(Response.category, func.count())
        .where(Response.site_id == site_id, Response.verdict.in_(COUNTED_VERDICTS))
        .group_by(Response.category)
    )
    if survey_id is not None:
        query = query.where(Response.survey_id == survey_id)
    if since is not None:
        query = query.where(Response.created_at >= since)
    if until is not None:
        query = query.where(Response.created_at < until)
    counts = dict(session.execute(query).all())
    return NpsCounts(promoters=counts.get("promoter", 0), passives=counts.get("passive", 0),
                     detractors=counts.get("detractor", 0))
