"""Import a Delighted CSV export of responses.

Each row's Delighted response id is remembered (as an idempotency record), so importing the
same file twice, or an overlapping later export, adds each response once. Imported responses
keep their original time, and are recorded with channel ``import``: they open no follow-up case
and send no webhook (they are history, not news). Columns that are not Delighted's own become
response properties.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from tqdm import tqdm

from collector.delighted.vocabulary import survey_for
from collector.models import IdempotencyRecord, Site, Survey
from collector.people.lookup import upsert_person
from collector.responses.recording import NewResponse, record_response

ENDPOINT = "import.delighted"
ID_COLUMNS = ("Response ID", "ID", "id", "response_id")
SCORE_COLUMNS = ("Score", "score")
COMMENT_COLUMNS = ("Comment", "comment")
TIME_COLUMNS = ("Response Timestamp", "Created At", "created_at", "Date", "Timestamp")
EMAIL_COLUMNS = ("Email", "Person Email", "email")
NAME_COLUMNS = ("Name", "Person Name", "name")
OWN_COLUMNS = {*ID_COLUMNS, *SCORE_COLUMNS, *COMMENT_COLUMNS, *TIME_COLUMNS, *EMAIL_COLUMNS,
               *NAME_COLUMNS, "Phone number", "Phone Number", "Tags", "Notes", "Permalink",
               "Updated At", "Survey Type"}


class UnknownTarget(ValueError):
    pass


@dataclass(frozen=True)
class ImportTarget:
    site: Site
    survey: Survey

    @classmethod
    def find(cls, session: Session, site_slug: str | None, survey_key: str | None
             ) -> ImportTarget:
        sites = list(session.scalars(
            select(Site).where(Site.slug == site_slug) if site_slug else select(Site)))
        if len(sites) != 1:
            raise UnknownTarget("Name the site with --site." if sites else "No such site.")
        return cls(sites[0], survey_for(session, sites[0], survey_key))


@dataclass
class ImportResult:
    created: int = 0
    skipped: int = 0
    invalid: int = 0


def _first(row: dict[str, str], names: Iterable[str]) -> str | None:
    for name in names:
        value = (row.get(name) or "").strip()
        if value:
            return value
    return None


def parse_time(raw: str | None, default: datetime) -> datetime:
    """Unix seconds, ISO 8601, or Delighted's ``2024-05-04 13:22:10 -0700``."""
    if not raw:
        return default
    if raw.replace(".", "", 1).isdigit():
        return datetime.fromtimestamp(float(raw), UTC)
    for parse in (datetime.fromisoformat,
                  lambda text: datetime.strptime(text, "%Y-%m-%d %H:%M:%S %z")):
        try:
            moment = parse(raw)
        except ValueError:
            continue
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    raise ValueError(f"unreadable time {raw!r}")


def import_row(session: Session, target: ImportTarget, row: dict[str, str], now: datetime
               ) -> str:
    """``created``, ``skipped`` (seen before) or ``invalid``."""
    ident = _first(row, ID_COLUMNS)
    try:
        score = int(_first(row, SCORE_COLUMNS) or "")
        created_at = parse_time(_first(row, TIME_COLUMNS), now)
    except ValueError:
        return "invalid"
    if ident is None or not 0 <= score <= 10:
        return "invalid"
    seen = session.scalars(select(IdempotencyRecord.id).where(
        IdempotencyRecord.site_id == target.site.id, IdempotencyRecord.endpoint == ENDPOINT,
        IdempotencyRecord.key == ident)).first()
    if seen is not None:
        return "skipped"
    email = _first(row, EMAIL_COLUMNS)
    person = upsert_person(session, target.site.id, created_at, email=email,
                           name=_first(row, NAME_COLUMNS)) if email else None
    properties: dict[str, Any] = {k: v for k, v in row.items()
                                  if k and k not in OWN_COLUMNS and v not in (None, "")}
    response = record_response(
        session, target.survey, person,
        NewResponse(score=score, comment=_first(row, COMMENT_COLUMNS), channel="import",
                    properties={**properties, "delighted_response_id": ident}), created_at)
    session.add(IdempotencyRecord(site_id=target.site.id, endpoint=ENDPOINT, key=ident,
                                  request_hash="", status_code=201,
                                  body={"response_id": response.id}, created_at=now))
    return "created"


def import_csv(session: Session, target: ImportTarget, handle: IO[str], *, now: datetime,
               progress: bool = False, batch: int = 500) -> ImportResult:
    rows = list(csv.DictReader(handle))
    result = ImportResult()
    for index, row in enumerate(tqdm(rows, unit="responses", disable=not progress), 1):
        outcome = import_row(session, target, row, now)
        setattr(result, outcome, getattr(result, outcome) + 1)
        if index % batch == 0:
            session.flush()
    return result
