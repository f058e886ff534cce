"""Aggregations in SQL: the database counts, Python only does the arithmetic.

One scan of ``responses`` answers a whole report: ``GROUP BY`` the chosen key with
``SUM(CASE …)`` per category (and Σw, Σw² for weighted scores) and the quarantined count
beside them. Groups are additive, so the overall figure is the sum of the groups.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from collector.analytics.rollup_builder import (
    PROPERTY_NAME,
    SUM_NAMES,
    answer_weight,
    property_key,
    ticket_bucket,
)
from collector.analytics.rollup_reader import RollupReader, property_reader, ticket_reader
from collector.analytics.statistics import (
    NO_ANSWERS,
    CategoryWeights,
    NpsCounts,
    WeightedNps,
    compare,
)
from collector.models import DecisionCount, Response

COUNTED_VERDICTS = ("accepted", "released")
COLUMN_GROUPS = ("touchpoint", "channel", "locale")
PERIOD_GROUPS = ("day", "week", "month")
PROPERTY_PREFIX = "property:"
TICKET_GROUP = "ticket_resolution"  # buckets: collector.analytics.rollup_builder.ticket_bucket


class UnknownGroup(ValueError):
    """``group_by`` names nothing this installation can group by."""


@dataclass(frozen=True)
class MetricsQuery:
    site_id: int
    survey_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    group_by: str | None = None
    weighted: bool = False


@dataclass(frozen=True)
class GroupFigures:
    """One group's sums as SQL returned them; ``score`` turns them into an estimate."""

    key: str | None
    counts: NpsCounts
    weights: WeightedNps | None = None
    quarantined: int = 0

    def summary(self) -> dict[str, Any]:
        counts = self.counts
        if self.weights is not None:
            estimate: NpsCounts | WeightedNps = self.weights
            effective_n = self.weights.effective_n
        else:
            estimate, effective_n = counts, float(counts.total)
        unavailable = estimate.unavailable()
        interval = None if "interval" in unavailable else estimate.interval()
        return {
            "key": self.key, "nps": estimate.nps,
            "interval": None if interval is None else {
                "low": interval.low, "high": interval.high, "level": interval.level},
            "margin": None if interval is None else estimate.margin(),
            "standard_error": estimate.standard_error, "unavailable": unavailable,
            "promoters": counts.promoters, "passives": counts.passives,
            "detractors": counts.detractors, "total": counts.total, "n": counts.total,
            "effective_n": effective_n, "shares": counts.shares(),
        }


@dataclass(frozen=True)
class NpsReport:
    overall: GroupFigures
    groups: list[GroupFigures] = field(default_factory=list)
    excluded: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0


def validate_group(group_by: str | None) -> None:
    if group_by is None or group_by in COLUMN_GROUPS + PERIOD_GROUPS:
        return
    if group_by.startswith(PROPERTY_PREFIX):
        if PROPERTY_NAME.match(group_by[len(PROPERTY_PREFIX):]):
            return
        raise UnknownGroup("a property name is 1 to 64 letters, digits, '_', '.' or '-'")
    if group_by == TICKET_GROUP:
        return
    raise UnknownGroup(f"cannot group by {group_by!r}")


def _period(dialect: str, unit: str) -> ColumnElement[Any]:
    """The start of the UTC day/week (Monday)/month: 'YYYY-MM-DD' text on SQLite, a
    timestamp on PostgreSQL (``_key`` turns it into the same text)."""
    column = Response.created_at
    if dialect == "postgresql":
        # Formatting per row (to_char) costs more than the grouping; _key formats per group.
        return func.date_trunc(unit, column)
    if unit == "day":
        return func.strftime("%Y-%m-%d", column)
    if unit == "week":
        return func.date(column, "weekday 0", "-6 days")
    return func.strftime("%Y-%m-01", column)


def _group_key(dialect: str, group_by: str) -> ColumnElement[Any]:
    if group_by in COLUMN_GROUPS:
        return getattr(Response, group_by)
    if group_by in PERIOD_GROUPS:
        return _period(dialect, group_by)
    if group_by == TICKET_GROUP:
        return ticket_bucket(dialect)
    return property_key(group_by[len(PROPERTY_PREFIX):])


def _filtered(query: Select[Any], spec: MetricsQuery) -> Select[Any]:
    query = query.where(Response.site_id == spec.site_id,
                        Response.verdict.in_((*COUNTED_VERDICTS, "quarantined")))
    if spec.survey_id is not None:
        query = query.where(Response.survey_id == spec.survey_id)
    if spec.since is not None:
        query = query.where(Response.created_at >= spec.since)
    if spec.until is not None:
        query = query.where(Response.created_at < spec.until)
    return query


def _sums(weighted: bool) -> list[ColumnElement[Any]]:
    counted = Response.verdict.in_(COUNTED_VERDICTS)
    weight = answer_weight()
    columns: list[ColumnElement[Any]] = []
    for category in ("promoter", "passive", "detractor"):
        mine = counted & (Response.category == category)
        columns.append(func.sum(case((mine, 1), else_=0)))
        if weighted:
            columns.append(func.sum(case((mine, weight), else_=0.0)))
            columns.append(func.sum(case((mine, weight * weight), else_=0.0)))
    columns.append(func.sum(case((Response.verdict == "quarantined", 1), else_=0)))
    return columns


def _figures(key: str | None, row: Any, weighted: bool) -> GroupFigures:
    values = [0 if value is None else value for value in row]
    if weighted:
        promoters, passives, detractors = (CategoryWeights(int(values[i]), float(values[i + 1]),
                                                           float(values[i + 2]))
                                           for i in (0, 3, 6))
        counts = NpsCounts(promoters.count, passives.count, detractors.count)
        return GroupFigures(key, counts, WeightedNps(promoters, passives, detractors),
                            int(values[9]))
    counts = NpsCounts(int(values[0]), int(values[1]), int(values[2]))
    return GroupFigures(key, counts, None, int(values[3]))


def _add(figures: list[GroupFigures], weighted: bool) -> GroupFigures:
    counts = NpsCounts(sum(f.counts.promoters for f in figures),
                       sum(f.counts.passives for f in figures),
                       sum(f.counts.detractors for f in figures))
    weights = None
    if weighted:
        def total(name: str) -> CategoryWeights:
            parts = [getattr(f.weights, name) for f in figures]
            return CategoryWeights(sum(p.count for p in parts), sum(p.weight for p in parts),
                                   sum(p.weight_squared for p in parts))
        weights = WeightedNps(total("promoters"), total("passives"), total("detractors"))
    return GroupFigures(None, counts, weights, sum(f.quarantined for f in figures))


def _key(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value)


def _period_name(unit: str) -> Callable[[Any], str]:
    """A roll-up day to the key the raw period expression gives (Monday / first of month)."""
    def name(day: date) -> str:
        if unit == "week":
            day = day - timedelta(days=day.weekday())
        elif unit == "month":
            day = day.replace(day=1)
        return day.isoformat()
    return name


def _figures_of(key: str | None, sums: list[float], weighted: bool) -> GroupFigures:
    """From the ten sums of collector.analytics.rollup_builder.SUM_NAMES."""
    if weighted:
        return _figures(key, sums, True)
    return _figures(key, [sums[0], sums[3], sums[6], sums[9]], False)


def _rolled_report(session: Session, spec: MetricsQuery, dialect: str
                   ) -> tuple[GroupFigures, list[GroupFigures]]:
    """Groupings a roll-up can answer (collector/analytics/rollup_reader.py)."""
    group_by = spec.group_by
    if group_by is None:
        reader = RollupReader(session, spec.site_id, spec.survey_id, None, _key, None, _key)
    elif group_by in COLUMN_GROUPS:
        reader = RollupReader(session, spec.site_id, spec.survey_id,
                              getattr(Response, group_by), _key, group_by, _key)
    elif group_by.startswith(PROPERTY_PREFIX):
        reader = property_reader(session, spec.site_id, spec.survey_id,
                                 group_by[len(PROPERTY_PREFIX):], _key)
    elif group_by == TICKET_GROUP:
        reader = ticket_reader(session, spec.site_id, spec.survey_id, _key)
    else:
        reader = RollupReader(session, spec.site_id, spec.survey_id,
                              _period(dialect, group_by), _key, "day", _period_name(group_by))
    totals = reader.sums(spec.since, spec.until)
    if group_by is None:
        sums = totals.get(None, [0] * len(SUM_NAMES))
        return _figures_of(None, sums, spec.weighted), []
    # The order SQL's ORDER BY gave: code points (PostgreSQL databases use C.UTF-8 collation),
    # NULL first on SQLite and last on PostgreSQL.
    nulls_last = dialect == "postgresql"
    keys = sorted(totals, key=lambda k: ((k is None) == nulls_last, k or ""))
    groups = [_figures_of(key, totals[key], spec.weighted) for key in keys]
    return _add(groups, spec.weighted), groups


def nps_report(session: Session, spec: MetricsQuery) -> NpsReport:
    """Overall and grouped figures, exclusions and quarantined answers for one span."""
    validate_group(spec.group_by)
    overall, groups = _rolled_report(session, spec, session.get_bind().dialect.name)
    return NpsReport(overall, groups, excluded_counts(session, spec), overall.quarantined)


def previous_period(session: Session, spec: MetricsQuery, report: NpsReport,
                    now: datetime) -> dict[str, Any] | None:
    """The span against the one of equal length just before it, with the alerts' z-test
    (collector.analytics.statistics.compare). ``None`` without ``since``; ``until``
    defaults to ``now``."""
    if spec.since is None:
        return None
    until = max(spec.until or now, spec.since)
    try:
        start = spec.since - (until - spec.since)
    except OverflowError:  # a span reaching back past year 1: the previous one is all before
        start = datetime.min.replace(tzinfo=spec.since.tzinfo)
    before = MetricsQuery(spec.site_id, spec.survey_id, start, spec.since, None, spec.weighted)
    previous = nps_report(session, before).overall
    mine, theirs = report.overall, previous

    def estimate(figures: GroupFigures) -> NpsCounts | WeightedNps:
        return figures.weights if figures.weights is not None else figures.counts

    summary = theirs.summary()
    answer: dict[str, Any] = {
        "previous": {"since": before.since, "until": before.until, "nps": summary["nps"],
                     "n": summary["n"], "interval": summary["interval"]},
        "difference": None, "z": None, "p_value": None, "reason": None}
    if estimate(mine).nps is None or estimate(theirs).nps is None:
        answer["reason"] = NO_ANSWERS
        return answer
    result = compare(estimate(mine), estimate(theirs))
    answer.update(difference=result.difference, z=result.z, p_value=result.p_value)
    return answer


def scan_report(session: Session, spec: MetricsQuery) -> NpsReport:
    """The same report from one scan of the answers, whatever the roll-ups hold: the
    reference the roll-ups must equal (tests, and anyone doubting a figure)."""
    validate_group(spec.group_by)
    dialect = session.get_bind().dialect.name
    sums = _sums(spec.weighted)
    groups: list[GroupFigures] = []
    if spec.group_by is None:
        row = session.execute(_filtered(select(*sums), spec)).one()
        overall = _figures(None, row, spec.weighted)
    else:
        key = _group_key(dialect, spec.group_by)
        query = _filtered(select(*sums, key.label("group_key")), spec)
        rows = session.execute(query.group_by(key).order_by(key)).all()
        groups = [_figures(_key(row[-1]), row[:-1], spec.weighted) for row in rows]
        overall = _add(groups, spec.weighted)
    return NpsReport(overall, groups, excluded_counts(session, spec), overall.quarantined)


def excluded_counts(session: Session, spec: MetricsQuery) -> dict[str, int]:
    """People not asked in the span, by eligibility reason (counted by whole UTC days)."""
    decision_count = DecisionCount
    query = (select(decision_count.reason, func.sum(decision_count.count))
             .where(decision_count.site_id == spec.site_id, decision_count.reason != "eligible")
             .group_by(decision_count.reason).order_by(decision_count.reason))
    if spec.survey_id is not None:
        query = query.where(decision_count.survey_id == spec.survey_id)
    if spec.since is not None:
        query = query.where(decision_count.day >= spec.since.date())
    if spec.until is not None:
        query = query.where(decision_count.day < spec.until.date())
    return {reason: int(total or 0) for reason, total in session.execute(query)}


def nps_counts(
    session: Session, site_id: int, *, survey_id: int | None = None,
    since: datetime | None = None, until: datetime | None = None,
) -> NpsCounts:
    """Counts by category; quarantined responses are left out (they are reported apart)."""
    report = nps_report(session, MetricsQuery(site_id, survey_id, since, until))
    return report.overall.counts
