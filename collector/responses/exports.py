"""Responses as CSV or NDJSON, streamed in constant memory whatever the size.

Rows are read in keyset pages (``id > last ORDER BY id LIMIT n``) of plain column tuples,
so nothing accumulates in the session's identity map and no page depends on a cursor held
open across the whole download; each page is written out before the next is read.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from collector.models import Person, Response, Survey, SurveyVersion

FORMATS = {"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson"}
COLUMNS = ("id", "survey", "survey_version", "score", "category", "comment", "answers",
           "user_id", "locale", "channel", "touchpoint", "properties", "value", "verdict",
           "created_at")
BATCH_SIZE = 1000
# Spreadsheet programs run cells starting with these as formulas (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportFilter:
    site_id: int
    survey_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    verdict: str | None = None
    # Further SQL conditions on ``Response`` (the console's browser filters).
    conditions: tuple[Any, ...] = ()


def _where(query: Any, spec: ExportFilter) -> Any:
    query = query.where(Response.site_id == spec.site_id)
    if spec.survey_id is not None:
        query = query.where(Response.survey_id == spec.survey_id)
    if spec.since is not None:
        query = query.where(Response.created_at >= spec.since)
    if spec.until is not None:
        query = query.where(Response.created_at < spec.until)
    if spec.verdict is not None:
        query = query.where(Response.verdict == spec.verdict)
    if spec.conditions:
        query = query.where(*spec.conditions)
    return query


def count_rows(session: Session, spec: ExportFilter) -> int:
    return int(session.scalar(_where(select(func.count(Response.id)), spec)) or 0)


def iter_records(
    session: Session, spec: ExportFilter, *, batch_size: int = BATCH_SIZE
) -> Iterator[dict[str, Any]]:
    """Each response as a dict of ``COLUMNS``, oldest first, one page in memory at a time."""
    query = _where(
        select(Response.id, Survey.key, SurveyVersion.number, Response.score,
               Response.category, Response.comment, Response.answers,
               # An erased person's id is an erasure mark: not exported.
               case((Person.erased_at.is_(None), Person.external_id), else_=None),
               Response.locale, Response.channel, Response.touchpoint, Response.properties,
               Response.value, Response.verdict, Response.created_at)
        .join(Survey, Survey.id == Response.survey_id)
        .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
        .outerjoin(Person, Person.id == Response.person_id),
        spec,
    ).order_by(Response.id).limit(batch_size)
    last = 0
    while True:
        rows = session.execute(query.where(Response.id > last)).all()
        for row in rows:
            record = dict(zip(COLUMNS, row, strict=True))
            record["created_at"] = record["created_at"].isoformat()
            yield record
        if len(rows) < batch_size:
            return
        last = rows[-1][0]


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def csv_chunks(records: Iterator[dict[str, Any]], *, rows_per_chunk: int = 200
               ) -> Iterator[str]:
    """A header line, then chunks of rows; a small buffer, flushed every few rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    pending = 0
    for record in records:
        writer.writerow([_cell(record[column]) for column in COLUMNS])
        pending += 1
        if pending >= rows_per_chunk:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()


def ndjson_chunks(records: Iterator[dict[str, Any]], *, rows_per_chunk: int = 200
                  ) -> Iterator[str]:
    lines: list[str] = []
    for record in records:
        lines.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        if len(lines) >= rows_per_chunk:
            yield "".join(lines)
            lines = []
    yield "".join(lines)


def export_chunks(session: Session, spec: ExportFilter, fmt: str, *,
                  batch_size: int = BATCH_SIZE) -> Iterator[str]:
    records = iter_records(session, spec, batch_size=batch_size)
    return csv_chunks(records) if fmt == "csv" else ndjson_chunks(records)
