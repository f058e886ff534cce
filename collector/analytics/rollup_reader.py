"""Reads NPS sums from a daily roll-up plus the raw rows it does not hold yet.

For a span, whole UTC days come from ``nps_daily_rollups`` (or, for ``property:<name>``
and ``ticket_resolution``, ``nps_property_rollups`` and ``nps_ticket_rollups``); the
partial days at either edge, the days marked dirty (or stale: a person's tickets changed),
and every response above the watermark come from ``responses``. Each response is read
exactly once, so the sums equal those of one raw query over the span.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import SQLColumnExpression, and_, func, literal_column, not_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from collector.analytics.rollup_builder import (
    COUNTED_VERDICTS,
    READY,
    SUM_NAMES,
    as_date,
    day_start,
    property_key,
    response_day,
    response_sums,
    ticket_bucket,
)
from collector.models import (
    NpsDailyRollup,
    NpsRollupDirtyDay,
    NpsRollupState,
    Response,
    Ticket,
)
from collector.models.rollup import (
    NpsPropertyRollup,
    NpsRollupProperty,
    NpsTicketRollup,
    RollupSums,
)

Sums = dict[Any, list[float]]
# A refresh committing between our reads would make them disagree; retry, then read raw.
ATTEMPTS = 3


def _whole_days(since: datetime | None, until: datetime | None
                ) -> tuple[date | None, date | None]:
    """The first whole UTC day at or after ``since`` and the day ``until`` falls on."""
    first = None
    if since is not None:
        first = since.date() if since == day_start(since.date()) else \
            since.date() + timedelta(days=1)
    end = until.date() if until is not None else None
    return first, end


def _add(totals: Sums, key: Any, row: Any) -> None:
    entry = totals[key]
    for index, value in enumerate(row):
        if value is not None:
            entry[index] += value


def _stretches(ranges: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """[low, high) ranges with touching ones joined (consecutive dirty days: one range)."""
    joined: list[tuple[datetime, datetime]] = []
    for low, high in sorted(ranges):
        if joined and low <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(high, joined[-1][1]))
        else:
            joined.append((low, high))
    return joined


@dataclass(frozen=True)
class State:
    watermark: int = 0
    generation: int = 0
    ticket_watermark: datetime | None = None


def _state(session: Session) -> State:
    row = session.execute(select(NpsRollupState.watermark, NpsRollupState.generation,
                                 NpsRollupState.ticket_watermark)
                          .where(NpsRollupState.id == 1)).first()
    return State() if row is None else State(int(row[0]), int(row[1]), row[2])


class RollupReader:
    """One report's reads. ``raw_key`` groups raw rows (None: no grouping) and ``raw_name``
    turns its values into the report's key; ``rollup_name`` does the same for roll-up rows,
    from the column named by ``column`` ("day" for periods, None for no grouping) of
    ``table``, restricted by ``where``. ``usable`` says whether the roll-up holds the
    grouping at all (a property not rolled up yet: everything is read raw); ``stale``
    names days, beyond those marked dirty, whose roll-up rows may be out of date."""

    def __init__(self, session: Session, site_id: int, survey_id: int | None,
                 raw_key: ColumnElement[Any] | None, raw_name: Callable[[Any], Any],
                 column: str | None, rollup_name: Callable[[Any], Any], *,
                 table: type[RollupSums] = NpsDailyRollup,
                 where: Sequence[ColumnElement[bool]] = (),
                 usable: Callable[[State], bool] | None = None,
                 stale: Callable[[State, date | None, date | None], set[date]] | None = None,
                 ) -> None:
        self.session, self.site_id, self.survey_id = session, site_id, survey_id
        self.raw_key, self.raw_name = raw_key, raw_name
        self.column, self.rollup_name = column, rollup_name
        self.table, self.where, self.usable, self.stale = table, tuple(where), usable, stale
        self.dialect = session.get_bind().dialect.name

    def _raw(self, totals: Sums, *conditions: ColumnElement[Any], by_id: bool = False) -> None:
        """Sums of the raw rows meeting ``conditions``. ``by_id``: the rows are the few above
        the watermark; ``+ 0`` keeps the planner off the (site, time) indexes, which would
        walk the whole span, so it takes the primary key range instead."""
        keys = [] if self.raw_key is None else [self.raw_key]
        site: SQLColumnExpression[int] = Response.site_id
        survey: SQLColumnExpression[int] = Response.survey_id
        if by_id:
            site, survey = site + 0, survey + 0
        query = select(*response_sums(), *keys).where(
            site == self.site_id, Response.verdict.in_((*COUNTED_VERDICTS, "quarantined")),
            *conditions)
        if self.survey_id is not None:
            query = query.where(survey == self.survey_id)
        if keys:
            query = query.group_by(*keys)
        for row in self.session.execute(query):
            if self.raw_key is None and row[-1] is None:
                continue  # no rows: SUM over nothing is NULL
            key = self.raw_name(row[-1]) if keys else None
            _add(totals, key, row[:len(SUM_NAMES)])

    def _rollup(self, totals: Sums, first: date | None, end: date | None,
                dirty: list[date]) -> None:
        rollup: Any = self.table
        key = [] if self.column is None else [getattr(rollup, self.column)]
        query = select(*[func.sum(getattr(rollup, name)) for name in SUM_NAMES], *key).where(
            rollup.site_id == self.site_id, *self.where)
        if self.survey_id is not None:
            query = query.where(rollup.survey_id == self.survey_id)
        if first is not None:
            query = query.where(rollup.day >= first)
        if end is not None:
            query = query.where(rollup.day < end)
        if dirty:
            query = query.where(rollup.day.not_in(dirty))
        if key:
            query = query.group_by(*key)
        for row in self.session.execute(query):
            if not key and row[0] is None:
                continue
            _add(totals, self.rollup_name(row[-1]) if key else None, row[:len(SUM_NAMES)])

    def sums(self, since: datetime | None, until: datetime | None) -> Sums:
        span = []
        if since is not None:
            span.append(Response.created_at >= since)
        if until is not None:
            span.append(Response.created_at < until)
        first, end = _whole_days(since, until)
        for _ in range(ATTEMPTS):
            state = _state(self.session)
            watermark = state.watermark
            totals: Sums = defaultdict(lambda: [0] * len(SUM_NAMES))
            if watermark == 0 or (first is not None and end is not None and first >= end) \
                    or (self.usable is not None and not self.usable(state)):
                self._raw(totals, *span)
                return totals
            # On SQLite a unary + hides created_at from the index too (see _raw's by_id).
            created = Response.created_at if self.dialect != "sqlite" else literal_column(
                "+responses.created_at", type_=Response.created_at.type)
            whole = []
            if first is not None:
                whole.append(created >= day_start(first))
            if end is not None:
                whole.append(created < day_start(end))
            dirty_query = select(NpsRollupDirtyDay.day).where(
                NpsRollupDirtyDay.site_id == self.site_id).distinct()
            if first is not None:
                dirty_query = dirty_query.where(NpsRollupDirtyDay.day >= first)
            if end is not None:
                dirty_query = dirty_query.where(NpsRollupDirtyDay.day < end)
            dirty_days = {as_date(day) for day in self.session.scalars(dirty_query)}
            if self.stale is not None:
                dirty_days |= self.stale(state, first, end)
            dirty = sorted(dirty_days)
            self._rollup(totals, first, end, dirty)
            edges = [(day_start(day), day_start(day + timedelta(days=1))) for day in dirty]
            if since is not None and first is not None and since < day_start(first):
                edges.append((since, day_start(first)))
            if until is not None and end is not None and day_start(end) < until:
                edges.append((day_start(end), until))
            # One statement per stretch: given many OR-ed ranges, SQLite scans the table.
            for low, high in _stretches(edges):
                self._raw(totals, Response.created_at >= low, Response.created_at < high)
            tail = [Response.id > watermark, *whole]
            if dirty:
                tail.append(not_(or_(*[and_(created >= day_start(day),
                                            created < day_start(day + timedelta(days=1)))
                                       for day in dirty])))
            self._raw(totals, *tail, by_id=True)
            if _state(self.session).generation == state.generation:
                return totals
        totals = defaultdict(lambda: [0] * len(SUM_NAMES))
        self._raw(totals, *span)
        return totals


def property_reader(session: Session, site_id: int, survey_id: int | None, name: str,
                    key_name: Callable[[Any], Any]) -> RollupReader:
    """``group_by=property:<name>``: from ``nps_property_rollups`` while the site rolls the
    name up (status ``ready``), else every answer raw."""
    def ready(_: State) -> bool:
        status = session.scalar(select(NpsRollupProperty.status).where(
            NpsRollupProperty.site_id == site_id, NpsRollupProperty.name == name))
        return status == READY

    return RollupReader(session, site_id, survey_id, property_key(name), key_name, "value",
                        key_name, table=NpsPropertyRollup,
                        where=(NpsPropertyRollup.name == name,), usable=ready)


def ticket_reader(session: Session, site_id: int, survey_id: int | None,
                  key_name: Callable[[Any], Any]) -> RollupReader:
    """``group_by=ticket_resolution``: from ``nps_ticket_rollups`` once filled, except the
    days answered by people whose tickets changed after the job's ticket watermark (their
    bucket may have moved): those are read raw, as dirty days are."""
    dialect = session.get_bind().dialect.name

    def filled(state: State) -> bool:
        return state.ticket_watermark is not None

    def stale(state: State, first: date | None, end: date | None) -> set[date]:
        people = select(Ticket.person_id).where(Ticket.updated_at > state.ticket_watermark,
                                                Ticket.site_id == site_id)
        days = select(response_day(dialect)).where(
            Response.person_id.in_(people), Response.site_id == site_id).distinct()
        if first is not None:
            days = days.where(Response.created_at >= day_start(first))
        if end is not None:
            days = days.where(Response.created_at < day_start(end))
        return {as_date(day) for day in session.scalars(days)}

    return RollupReader(session, site_id, survey_id, ticket_bucket(dialect), key_name,
                        "bucket", key_name, table=NpsTicketRollup, usable=filled,
                        stale=stale)
