"""Maintains the daily NPS roll-up (``nps_daily_rollups``) that GET /v1/metrics/nps reads.

A job (kind ``metrics.rollup``) folds new responses into per-day sums: every UTC day touched
by a response with an id above the watermark, or marked dirty by a change to an old response
(``mark_days_dirty``), is rebuilt whole from ``responses``. Readers add the raw rows above
the watermark and on dirty days, so figures are exact whether or not the job has run.
Design and guarantees: docs/metrics-rollup.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, case, cast, delete, func, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from collector.jobs import enqueue_once, handler
from collector.models import NpsDailyRollup, NpsRollupDirtyDay, NpsRollupState, Response
from collector.stats import DETRACTOR, PASSIVE, PROMOTER

KIND = "metrics.rollup"
EVERY = timedelta(seconds=10)
COUNTED_VERDICTS = ("accepted", "released")
# Rebuild at most this many days per statement, so the first run over years of answers is
# a series of bounded transactions' worth of work rather than one giant one.
MAX_RUN_DAYS = 31
SUM_NAMES = ("promoters", "promoter_weight", "promoter_weight_squared",
             "passives", "passive_weight", "passive_weight_squared",
             "detractors", "detractor_weight", "detractor_weight_squared", "quarantined")


def response_sums() -> list[ColumnElement[Any]]:
    """The ten additive sums of SUM_NAMES over ``responses``: per category the count, Σw and
    Σw² (w = value when positive, else 0: an answer without a value weighs nothing but still
    counts in n), then the quarantined count."""
    counted = Response.verdict.in_(COUNTED_VERDICTS)
    weight = case((Response.value > 0, Response.value), else_=0.0)
    columns: list[ColumnElement[Any]] = []
    for category in (PROMOTER, PASSIVE, DETRACTOR):
        mine = counted & (Response.category == category)
        columns.append(func.sum(case((mine, 1), else_=0)))
        columns.append(func.sum(case((mine, weight), else_=0.0)))
        columns.append(func.sum(case((mine, weight * weight), else_=0.0)))
    columns.append(func.sum(case((Response.verdict == "quarantined", 1), else_=0)))
    return columns


def response_day(dialect: str) -> ColumnElement[Any]:
    """The UTC day of ``created_at`` (stored as naive UTC on both databases)."""
    if dialect == "postgresql":
        return cast(Response.created_at, Date)
    return func.date(Response.created_at)


def day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def mark_days_dirty(session: Session, site_id: int, survey_id: int | None,
                    days: Iterable[date | datetime]) -> None:
    """Note that answers on these UTC days changed (verdict, value, locale…): readers use the
    raw rows for them until the job rebuilds them. Call it in the transaction of the change."""
    unique = sorted({value.date() if isinstance(value, datetime) else value for value in days})
    if unique:
        session.execute(insert(NpsRollupDirtyDay), [
            {"site_id": site_id, "survey_id": survey_id, "day": day} for day in unique])


def mark_person_dirty(session: Session, person_id: int) -> None:
    """Mark the days of every answer a person gave (before an erasure rewrites them)."""
    rows = session.execute(select(Response.site_id, Response.survey_id, Response.created_at)
                           .where(Response.person_id == person_id)).all()
    by_survey: dict[tuple[int, int], set[date]] = defaultdict(set)
    for site_id, survey_id, created_at in rows:
        by_survey[(site_id, survey_id)].add(created_at.date())
    for (site_id, survey_id), days in by_survey.items():
        mark_days_dirty(session, site_id, survey_id, days)


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Sorted days as [first, end) spans of consecutive days, each at most MAX_RUN_DAYS."""
    runs: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][1] == day and (day - runs[-1][0]).days < MAX_RUN_DAYS:
            runs[-1] = (runs[-1][0], day + timedelta(days=1))
        else:
            runs.append((day, day + timedelta(days=1)))
    return runs


def _rebuild(session: Session, dialect: str, site_id: int, first: date, end: date,
             through: int) -> None:
    session.execute(delete(NpsDailyRollup).where(
        NpsDailyRollup.site_id == site_id, NpsDailyRollup.day >= first,
        NpsDailyRollup.day < end))
    day = response_day(dialect)
    keys = (Response.survey_id, day, Response.touchpoint, Response.channel, Response.locale)
    source = (select(Response.site_id, *keys, *response_sums())
              .where(Response.site_id == site_id,
                     Response.verdict.in_((*COUNTED_VERDICTS, "quarantined")),
                     Response.created_at >= day_start(first),
                     Response.created_at < day_start(end), Response.id <= through)
              .group_by(Response.site_id, *keys))
    target = ["site_id", "survey_id", "day", "touchpoint", "channel", "locale", *SUM_NAMES]
    session.execute(insert(NpsDailyRollup).from_select(target, source))


def rollup_state(session: Session, now: datetime, *, lock: bool = False) -> NpsRollupState:
    state = session.get(NpsRollupState, 1, with_for_update=lock or None)
    if state is None:
        state = NpsRollupState(id=1, watermark=0, horizon=0, generation=0, updated_at=now)
        session.add(state)
        session.flush()
    return state


def refresh_rollup(session: Session, now: datetime, *, settled: bool = False) -> int:
    """Fold new and changed answers into the roll-up; returns how many days were rebuilt.

    Rolls up to the highest id the previous run saw (``horizon``), not the highest now: on
    PostgreSQL a transaction still in flight may hold a lower id than one already committed,
    and a watermark moved past it would skip it for good. ``settled=True`` rolls up to the
    highest id now, for when nothing else writes (the bench, a one-off command, tests).
    """
    dialect = session.get_bind().dialect.name
    state = rollup_state(session, now, lock=True)  # one refresh at a time
    newest = session.scalar(select(func.max(Response.id))) or 0
    through = max(state.watermark, newest if settled else min(state.horizon, newest))
    dirty = session.execute(select(NpsRollupDirtyDay.id, NpsRollupDirtyDay.site_id,
                                   NpsRollupDirtyDay.day)).all()
    days: dict[int, list[date]] = defaultdict(list)
    for _, site_id, day in dirty:
        days[site_id].append(as_date(day))
    if through > state.watermark:
        touched = select(Response.site_id, response_day(dialect)).where(
            Response.id > state.watermark, Response.id <= through).distinct()
        for site_id, day in session.execute(touched):
            days[site_id].append(as_date(day))
    rebuilt = 0
    for site_id, site_days in sorted(days.items()):
        for first, end in _runs(site_days):
            _rebuild(session, dialect, site_id, first, end, through)
            rebuilt += (end - first).days
    if dirty:
        session.execute(delete(NpsRollupDirtyDay).where(
            NpsRollupDirtyDay.id.in_([row[0] for row in dirty])))
    if rebuilt or through != state.watermark:
        state.generation += 1
    state.watermark, state.horizon, state.updated_at = through, newest, now
    return rebuilt


def schedule_rollup(session: Session, now: datetime) -> int:
    """Queue a ``metrics.rollup`` run when none is queued or running; returns how many were
    added. The worker's periodic scheduler (collector/periodic.py) may call it, or
    ``every(KIND, EVERY)``; calling it often is harmless."""
    return int(enqueue_once(session, KIND, {}, now=now, dedupe_key=KIND))


@handler(KIND)
def run_rollup(session: Session, payload: dict[str, Any], now: datetime) -> None:
    """Refresh the roll-up, then queue the next run (one chain: deduplicated by kind)."""
    refresh_rollup(session, now)
    if payload.get("repeat", True):
        enqueue_once(session, KIND, payload, now=now, run_at=now + EVERY, dedupe_key=KIND,
                     successor=True)
