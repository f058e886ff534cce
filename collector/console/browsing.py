"""The response browser's filters, pages and detail, without Flask.

One ``ResponseFilter`` turns the browser's query string into SQL conditions; the list, its
counts and the CSV/NDJSON export (``collector.responses.exports``) all use the same
conditions, so the export is exactly what the screen shows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from collector.analytics.rollup_builder import property_key
from collector.models import FollowupCase, Person, Response, Survey, SurveyVersion
from collector.responses.exports import ExportFilter

CATEGORIES = ("promoter", "passive", "detractor")
VERDICTS = ("accepted", "released", "quarantined")
PAGE_SIZE = 25
PROPERTY_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


class FilterError(ValueError):
    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


@dataclass(frozen=True)
class ResponseFilter:
    """What the browser asks for; every field optional. ``until`` is inclusive (a day)."""

    survey: str | None = None
    since: date | None = None
    until: date | None = None
    category: str | None = None
    score: int | None = None
    touchpoint: str | None = None
    channel: str | None = None
    locale: str | None = None
    verdict: str | None = None
    property: str | None = None
    value: str | None = None
    q: str | None = None

    def query_args(self) -> dict[str, str]:
        """The non-empty fields as query-string arguments (links keep the filter)."""
        return {f.name: str(getattr(self, f.name)) for f in fields(self)
                if getattr(self, f.name) not in (None, "")}


def parse_filter(args: Mapping[str, str]) -> ResponseFilter:
    """Read a filter from query arguments; raises ``FilterError`` naming the bad field."""
    def text(name: str, limit: int = 200) -> str | None:
        value = (args.get(name) or "").strip()
        if len(value) > limit:
            raise FilterError(name, f"{name} is at most {limit} characters.")
        return value or None

    def day(name: str) -> date | None:
        value = text(name, 10)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise FilterError(name, f"{name} is a date like 2026-03-01.") from None

    def choice(name: str, allowed: tuple[str, ...]) -> str | None:
        value = text(name, 20)
        if value is not None and value not in allowed:
            raise FilterError(name, f"{name} is one of {', '.join(allowed)}.")
        return value

    score_text = text("score", 2)
    if score_text is not None and not (score_text.isdigit() and 0 <= int(score_text) <= 10):
        raise FilterError("score", "score is a whole number from 0 to 10.")
    prop = text("property", 64)
    if prop is not None and not PROPERTY_NAME.match(prop):
        raise FilterError("property", "A property name is letters, digits, '_', '.' or '-'.")
    spec = ResponseFilter(
        survey=text("survey", 64), since=day("since"), until=day("until"),
        category=choice("category", CATEGORIES),
        score=int(score_text) if score_text is not None else None,
        touchpoint=text("touchpoint", 64), channel=text("channel", 16),
        locale=text("locale", 35), verdict=choice("verdict", VERDICTS), property=prop,
        value=text("value"), q=text("q"))
    if spec.since and spec.until and spec.since > spec.until:
        raise FilterError("until", "The end date is before the start date.")
    return spec


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class Scope:
    """A filter bound to a site: the survey resolved to its id, dates to instants."""

    site_id: int
    survey_id: int | None
    since: datetime | None
    until: datetime | None
    conditions: tuple[ColumnElement[bool], ...] = field(default_factory=tuple)
    unknown_survey: bool = False

    def export_filter(self) -> ExportFilter:
        return ExportFilter(self.site_id, self.survey_id, self.since, self.until,
                            conditions=self.all_conditions())

    def all_conditions(self) -> tuple[ColumnElement[bool], ...]:
        # A survey key this site does not have matches nothing, rather than everything.
        return (*self.conditions, Response.id < 0) if self.unknown_survey else self.conditions


def scope(session: Session, site_id: int, spec: ResponseFilter) -> Scope:
    survey_id = None
    unknown = False
    if spec.survey:
        survey_id = session.scalar(select(Survey.id).where(Survey.site_id == site_id,
                                                           Survey.key == spec.survey))
        unknown = survey_id is None
    conditions: list[ColumnElement[bool]] = []
    for name in ("category", "score", "touchpoint", "channel", "locale", "verdict"):
        value = getattr(spec, name)
        if value is not None:
            conditions.append(getattr(Response, name) == value)
    if spec.property:
        key = property_key(spec.property)
        conditions.append(key == spec.value if spec.value is not None else key.is_not(None))
    if spec.q:
        conditions.append(Response.comment.ilike(_like(spec.q), escape="\\"))
    return Scope(site_id, survey_id,
                 _midnight(spec.since) if spec.since else None,
                 _midnight(spec.until + timedelta(days=1)) if spec.until else None,
                 tuple(conditions), unknown)


def _where(query: Any, where: Scope) -> Any:
    query = query.where(Response.site_id == where.site_id, *where.all_conditions())
    if where.survey_id is not None:
        query = query.where(Response.survey_id == where.survey_id)
    if where.since is not None:
        query = query.where(Response.created_at >= where.since)
    if where.until is not None:
        query = query.where(Response.created_at < where.until)
    return query


@dataclass(frozen=True)
class Row:
    id: int
    survey: str
    score: int
    category: str
    comment: str | None
    touchpoint: str | None
    channel: str
    locale: str | None
    verdict: str
    created_at: datetime


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    next_cursor: str | None


def encode_cursor(row: Row) -> str:
    return f"{row.created_at.astimezone(UTC).strftime('%Y%m%dT%H%M%S%f')}.{row.id}"


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    """None for anything this module did not write."""
    match = re.fullmatch(r"(\d{8}T\d{12})\.(\d{1,18})", cursor or "")
    if match is None:
        return None
    try:
        at = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S%f").replace(tzinfo=UTC)
    except ValueError:
        return None
    return at, int(match.group(2))


def page_of(session: Session, where: Scope, *, cursor: str | None = None,
            size: int = PAGE_SIZE) -> Page:
    """Newest first, keyset-paged on (created_at, id): no page shifts when answers arrive."""
    query = _where(select(Response.id, Survey.key, Response.score, Response.category,
                          Response.comment, Response.touchpoint, Response.channel,
                          Response.locale, Response.verdict, Response.created_at)
                   .join(Survey, Survey.id == Response.survey_id), where)
    after = decode_cursor(cursor) if cursor else None
    if after is not None:
        at, last_id = after
        query = query.where(or_(Response.created_at < at,
                                and_(Response.created_at == at, Response.id < last_id)))
    query = query.order_by(Response.created_at.desc(), Response.id.desc()).limit(size + 1)
    rows = [Row(*values) for values in session.execute(query)]
    shown = rows[:size]
    return Page(shown, encode_cursor(shown[-1]) if len(rows) > size else None)


def category_counts(session: Session, where: Scope) -> dict[str, int]:
    """Promoters, passives and detractors among the filtered answers (their sum is the
    filter's total: one scan answers both)."""
    query = _where(select(Response.category, func.count(Response.id)), where)
    counts = dict(session.execute(query.group_by(Response.category)).all())
    return {category: int(counts.get(category, 0)) for category in CATEGORIES}


def facets(session: Session, site_id: int) -> dict[str, list[str]]:
    """The values the filter's pick lists offer: what this site's answers actually hold."""
    found: dict[str, list[str]] = {}
    for name in ("touchpoint", "channel", "locale"):
        column = getattr(Response, name)
        found[name] = [value for value in session.scalars(
            select(column).where(Response.site_id == site_id, column.is_not(None))
            .distinct().order_by(column).limit(100))]
    return found


def survey_names(session: Session, site_id: int) -> list[tuple[str, str]]:
    """(key, name of the current version) of every survey, by name."""
    rows = session.execute(
        select(Survey.key, SurveyVersion.name)
        .join(SurveyVersion, SurveyVersion.id == Survey.current_version_id)
        .where(Survey.site_id == site_id).order_by(SurveyVersion.name, Survey.key))
    return [(key, name) for key, name in rows]


@dataclass(frozen=True)
class Detail:
    response: Response
    survey_key: str
    survey_name: str
    version: int
    user_id: str | None
    case: FollowupCase | None


def detail(session: Session, site_id: int, response_id: int) -> Detail | None:
    row = session.execute(
        select(Response, Survey.key, SurveyVersion.name, SurveyVersion.number,
               case((Person.erased_at.is_(None), Person.external_id), else_=None))
        .join(Survey, Survey.id == Response.survey_id)
        .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
        .outerjoin(Person, Person.id == Response.person_id)
        .where(Response.site_id == site_id, Response.id == response_id)).first()
    if row is None:
        return None
    response, key, name, number, user_id = row
    found = session.scalars(select(FollowupCase).where(
        FollowupCase.site_id == site_id, FollowupCase.response_id == response.id)
        .order_by(FollowupCase.id.desc()).limit(1)).first()
    return Detail(response, key, name, number, user_id, found)
