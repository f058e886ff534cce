"""Maintains the NPS roll-ups that GET /v1/metrics/nps reads: per day
(``nps_daily_rollups``), per day and property value (``nps_property_rollups``) and per day
and ticket resolution bucket (``nps_ticket_rollups``).

A job (kind ``metrics.rollup``) folds new responses into per-day sums: every UTC day touched
by a response with an id above the watermark, marked dirty by a change to an old response
(``mark_days_dirty``), or answered by a person whose tickets changed, is rebuilt whole from
``responses``, in every table at once. Readers add the raw rows above the watermark and on
dirty days, so figures are exact whether or not the job has run. Which properties a site
rolls up: its ``rollup_properties`` setting; a newly listed one is filled over every day in
the next run. Design and guarantees: docs/metrics-rollup.md.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, case, cast, delete, distinct, func, insert, literal, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from collector.analytics.statistics import DETRACTOR, PASSIVE, PROMOTER
from collector.core.validation import MAX_VALUE
from collector.delivery.jobs import enqueue_once, handler
from collector.delivery.periodic import every, periodic
from collector.models import (
    NpsDailyRollup,
    NpsRollupDirtyDay,
    NpsRollupState,
    Response,
    Site,
    Ticket,
)
from collector.models.rollup import (
    NpsPropertyRollup,
    NpsRollupProperty,
    NpsTicketRollup,
    RollupSums,
)

KIND = "metrics.rollup"
EVERY = timedelta(seconds=10)
COUNTED_VERDICTS = ("accepted", "released")
# Rebuild at most this many days per statement, so the first run over years of answers is
# a series of bounded transactions' worth of work rather than one giant one.
MAX_RUN_DAYS = 31
SUM_NAMES = ("promoters", "promoter_weight", "promoter_weight_squared",
             "passives", "passive_weight", "passive_weight_squared",
             "detractors", "detractor_weight", "detractor_weight_squared", "quarantined")
PROPERTY_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}\Z")
# Site setting: the property names to roll up, e.g. ["plan", "team"].
ROLLUP_PROPERTIES = "rollup_properties"
# Each listed name costs one more scan of every rebuilt day; past this, names are ignored.
MAX_PROPERTIES_PER_SITE = 20
# A name with more distinct values than this (an id, an email…) would make the roll-up as
# big as the answers: its rows are dropped and its reports scan raw answers.
MAX_PROPERTY_VALUES = 200
PENDING, READY, OVERFLOW = "pending", "ready", "overflow"
# Upper bounds (hours, exclusive) of the ticket resolution buckets, fastest first.
RESOLUTION_BUCKETS = ((1, "under_1h"), (4, "1h_to_4h"), (24, "4h_to_24h"), (72, "1d_to_3d"))
RESOLUTION_SLOWEST = "over_3d"
NO_TICKET = "no_ticket"
# A run folds in the ticket changes stamped (``tickets.updated_at``) at least this long ago;
# readers read raw the days of people with later ones. It must exceed the time any ticket
# write takes from reading the clock to committing, plus the skew between the clocks.
TICKET_LAG = timedelta(seconds=30)


def answer_weight() -> ColumnElement[Any]:
    """An answer's weight: its ``value`` when positive, else 0; and at most ``MAX_VALUE``.

    The API refuses larger values (docs/statistics.md), but a row stored before that bound
    (or written by hand) must not overflow Σw² on PostgreSQL (a 500 on every metrics call) or
    outweigh a site's every other answer: it counts as the largest accepted value. NULL, NaN
    and negative values weigh nothing."""
    return case((Response.value > MAX_VALUE, MAX_VALUE), (Response.value > 0, Response.value),
                else_=0.0)


def response_sums() -> list[ColumnElement[Any]]:
    """The ten additive sums of SUM_NAMES over ``responses``: per category the count, Σw and
    Σw² (w = value when positive, else 0: an answer without a value weighs nothing but still
    counts in n), then the quarantined count."""
    counted = Response.verdict.in_(COUNTED_VERDICTS)
    weight = answer_weight()
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


def property_key(name: str) -> ColumnElement[Any]:
    """What ``group_by=property:<name>`` groups answers by: the property as stored on the
    response when it was answered, cast to text (so 9 and "9" are one group; a boolean is
    "1"/"0" on SQLite, "true"/"false" on PostgreSQL). A later change to the person's
    properties does not move the answer."""
    return Response.properties[name].as_string()


def ticket_bucket(dialect: str) -> ColumnElement[Any]:
    """What ``group_by=ticket_resolution`` groups answers by: how long the answering
    person's most recently resolved ticket took, from when Tenpoint first heard of it to its
    resolution (ties: the ticket heard of last), bucketed; ``no_ticket`` when there is none.
    Looked up per answer through ``ix_tickets_person_status``."""
    ticket = aliased(Ticket)
    if dialect == "postgresql":
        hours = func.extract("epoch", ticket.resolved_at - ticket.created_at) / 3600.0
    else:
        hours = (func.julianday(ticket.resolved_at) - func.julianday(ticket.created_at)) * 24.0
    bucket = case(*[(hours < bound, literal(label)) for bound, label in RESOLUTION_BUCKETS],
                  else_=literal(RESOLUTION_SLOWEST))
    last = (select(bucket)
            .where(ticket.person_id == Response.person_id, ticket.resolved_at.is_not(None))
            .order_by(ticket.resolved_at.desc(), ticket.created_at.desc()).limit(1)
            .correlate(Response).scalar_subquery())
    return func.coalesce(last, literal(NO_TICKET))


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


def _window(site_id: int, first: date, end: date, through: int) -> list[ColumnElement[Any]]:
    return [Response.site_id == site_id,
            Response.verdict.in_((*COUNTED_VERDICTS, "quarantined")),
            Response.created_at >= day_start(first), Response.created_at < day_start(end),
            Response.id <= through]


def _replace(session: Session, dialect: str, table: type[RollupSums], site_id: int,
             first: date, end: date, through: int, keys: dict[str, ColumnElement[Any]],
             constants: dict[str, Any] | None = None) -> None:
    """Replace ``table``'s rows of the days [first, end) (and ``constants``, e.g. one
    property name) with the answers' sums grouped by survey, day and ``keys``: one scan."""
    rollup: Any = table
    constants = constants or {}
    session.execute(delete(rollup).where(
        rollup.site_id == site_id, rollup.day >= first, rollup.day < end,
        *[getattr(rollup, name) == value for name, value in constants.items()]))
    grouped = [Response.survey_id, response_day(dialect), *keys.values()]
    # The same expression objects in SELECT and GROUP BY: PostgreSQL matches them by their
    # bound parameters.
    source = (select(Response.site_id, *grouped, *[literal(v) for v in constants.values()],
                     *response_sums())
              .where(*_window(site_id, first, end, through))
              .group_by(Response.site_id, *grouped))
    target = ["site_id", "survey_id", "day", *keys, *constants, *SUM_NAMES]
    session.execute(insert(rollup).from_select(target, source))


def _rebuild(session: Session, dialect: str, site_id: int, first: date, end: date,
             through: int, *, tickets: bool) -> None:
    _replace(session, dialect, NpsDailyRollup, site_id, first, end, through,
             {name: getattr(Response, name) for name in ("touchpoint", "channel", "locale")})
    if tickets:
        _replace(session, dialect, NpsTicketRollup, site_id, first, end, through,
                 {"bucket": ticket_bucket(dialect)})


def _rebuild_property(session: Session, dialect: str, site_id: int, name: str, first: date,
                      end: date, through: int) -> None:
    _replace(session, dialect, NpsPropertyRollup, site_id, first, end, through,
             {"value": property_key(name)}, {"name": name})


def _windows(session: Session, site_id: int, through: int) -> list[tuple[date, date]]:
    """Every day of a site's answers up to ``through``, as spans of MAX_RUN_DAYS days."""
    first, last = session.execute(
        select(func.min(Response.created_at), func.max(Response.created_at))
        .where(Response.site_id == site_id, Response.id <= through)).one()
    spans: list[tuple[date, date]] = []
    if first is not None:
        start, stop = first.date(), last.date() + timedelta(days=1)
        while start < stop:
            spans.append((start, min(stop, start + timedelta(days=MAX_RUN_DAYS))))
            start = spans[-1][1]
    return spans


def rolled_properties(settings: Mapping[str, Any] | None) -> list[str]:
    """The valid names of a site's ``rollup_properties`` setting, first ones first."""
    names = (settings or {}).get(ROLLUP_PROPERTIES) or []
    if not isinstance(names, list):
        return []
    valid = [name for name in names if isinstance(name, str) and PROPERTY_NAME.match(name)]
    return list(dict.fromkeys(valid))[:MAX_PROPERTIES_PER_SITE]


def _drop_property_rows(session: Session, site_id: int, name: str) -> None:
    session.execute(delete(NpsPropertyRollup).where(NpsPropertyRollup.site_id == site_id,
                                                    NpsPropertyRollup.name == name))


def _sync_properties(session: Session, now: datetime
                     ) -> tuple[dict[int, list[NpsRollupProperty]], bool]:
    """Follow the sites' settings: a newly listed name starts ``pending``, an unlisted one
    goes with its rows. Returns every site's listed names and whether any went."""
    wanted = {(site_id, name) for site_id, settings in session.execute(
        select(Site.id, Site.settings)) for name in rolled_properties(settings)}
    by_site: dict[int, list[NpsRollupProperty]] = defaultdict(list)
    dropped = False
    for row in session.scalars(select(NpsRollupProperty).order_by(NpsRollupProperty.id)):
        if (row.site_id, row.name) not in wanted:
            _drop_property_rows(session, row.site_id, row.name)
            session.delete(row)
            dropped = True
            continue
        wanted.discard((row.site_id, row.name))
        by_site[row.site_id].append(row)
    for site_id, name in sorted(wanted):
        row = NpsRollupProperty(site_id=site_id, name=name, status=PENDING,
                                distinct_values=0, updated_at=now)
        session.add(row)
        by_site[site_id].append(row)
    session.flush()
    return by_site, dropped


def _within_bound(session: Session, row: NpsRollupProperty, now: datetime) -> bool:
    """Count the name's distinct values; past the bound, drop its rows for good."""
    count = session.scalar(select(func.count(distinct(NpsPropertyRollup.value))).where(
        NpsPropertyRollup.site_id == row.site_id, NpsPropertyRollup.name == row.name)) or 0
    row.distinct_values, row.updated_at = count, now
    if count <= MAX_PROPERTY_VALUES:
        return True
    row.status = OVERFLOW
    _drop_property_rows(session, row.site_id, row.name)
    return False


def _fill_property(session: Session, dialect: str, row: NpsRollupProperty, through: int,
                   now: datetime) -> None:
    """Roll up a newly listed name over every day of its site, up to ``through`` (the
    watermark this run sets); checked against the bound after each window, so an id-like
    property stops after one window."""
    for first, end in _windows(session, row.site_id, through):
        _rebuild_property(session, dialect, row.site_id, row.name, first, end, through)
        if not _within_bound(session, row, now):
            return
    _within_bound(session, row, now)
    row.status = READY


def _ticket_changes(session: Session, dialect: str, since: datetime, until: datetime,
                    days: dict[int, list[date]]) -> None:
    """Add the days answered by people whose tickets were stamped in (since, until]."""
    people = select(Ticket.person_id).where(Ticket.updated_at > since,
                                            Ticket.updated_at <= until)
    answered = select(Response.site_id, response_day(dialect)).where(
        Response.person_id.in_(people)).distinct()
    for site_id, day in session.execute(answered):
        days[site_id].append(as_date(day))


def rollup_state(session: Session, now: datetime, *, lock: bool = False) -> NpsRollupState:
    state = session.get(NpsRollupState, 1, with_for_update=lock or None)
    if state is None:
        state = NpsRollupState(id=1, watermark=0, horizon=0, generation=0, updated_at=now)
        session.add(state)
        session.flush()
    return state


def refresh_rollup(session: Session, now: datetime, *, settled: bool = False) -> int:
    """Fold new and changed answers into the roll-ups; returns how many days were rebuilt.

    Rolls up to the highest id the previous run saw (``horizon``), not the highest now: on
    PostgreSQL a transaction still in flight may hold a lower id than one already committed,
    and a watermark moved past it would skip it for good. Ticket changes likewise: only
    those stamped TICKET_LAG ago or earlier. ``settled=True`` rolls up to the highest id
    and to ``now``, for when nothing else writes (the bench, a one-off command, tests).
    """
    dialect = session.get_bind().dialect.name
    state = rollup_state(session, now, lock=True)  # one refresh at a time
    listed, changed = _sync_properties(session, now)
    newest = session.scalar(select(func.max(Response.id))) or 0
    through = max(state.watermark, newest if settled else min(state.horizon, newest))
    tickets_from = state.ticket_watermark
    tickets_to = max(now if settled else now - TICKET_LAG, tickets_from or now - TICKET_LAG)
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
    if tickets_from is not None and tickets_to > tickets_from:
        _ticket_changes(session, dialect, tickets_from, tickets_to, days)
    rebuilt = 0
    for site_id, site_days in sorted(days.items()):
        ready = [row for row in listed.get(site_id, ()) if row.status == READY]
        for first, end in _runs(site_days):
            _rebuild(session, dialect, site_id, first, end, through,
                     tickets=tickets_from is not None)
            for row in ready:
                _rebuild_property(session, dialect, site_id, row.name, first, end, through)
            rebuilt += (end - first).days
        for row in ready:
            _within_bound(session, row, now)  # new answers may bring new values
    for rows in listed.values():
        for row in rows:
            if row.status == PENDING:
                _fill_property(session, dialect, row, through, now)
                changed = True
    if tickets_from is None:  # the first run since the ticket roll-up exists: every day
        for (site_id,) in session.execute(select(Site.id).order_by(Site.id)):
            for first, end in _windows(session, site_id, through):
                _replace(session, dialect, NpsTicketRollup, site_id, first, end, through,
                         {"bucket": ticket_bucket(dialect)})
        changed = True
    if dirty:
        session.execute(delete(NpsRollupDirtyDay).where(
            NpsRollupDirtyDay.id.in_([row[0] for row in dirty])))
    if rebuilt or changed or through != state.watermark:
        state.generation += 1
    state.watermark, state.horizon, state.updated_at = through, newest, now
    state.ticket_watermark = tickets_to
    return rebuilt


def schedule_rollup(session: Session, now: datetime) -> int:
    """Queue a ``metrics.rollup`` run when none is queued or running; returns how many were
    added. The worker's periodic scheduler (collector/delivery/periodic.py) may call it, or
    ``every(KIND, EVERY)``; calling it often is harmless."""
    return int(enqueue_once(session, KIND, {}, now=now, dedupe_key=KIND))


@handler(KIND)
def run_rollup(session: Session, payload: dict[str, Any], now: datetime) -> None:
    """Refresh the roll-up, then queue the next run (one chain: deduplicated by kind)."""
    refresh_rollup(session, now)
    if payload.get("repeat", True):
        enqueue_once(session, KIND, payload, now=now, run_at=now + EVERY, dedupe_key=KIND,
                     successor=True)


periodic(KIND, every(KIND, EVERY))
