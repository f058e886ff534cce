"""Exports: CSV and NDJSON through the API, streamed page by page in constant memory."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import event, insert, select

from collector.core.extensions import db
from collector.models import Response, Survey
from collector.responses.exports import ExportFilter, csv_chunks, iter_records
from tests.collector.conftest import START, Stage


def _bulk(app: Flask, site_id: int, count: int) -> None:
    with app.app_context():
        survey = db.session.scalars(select(Survey).where(Survey.site_id == site_id)).one()
        rows = [{"site_id": site_id, "survey_id": survey.id,
                 "survey_version_id": survey.current_version_id, "score": i % 11,
                 "category": "promoter", "comment": f"comment {i} " + "x" * 40, "answers": {},
                 "channel": "in_app", "properties": {}, "verdict": "accepted",
                 "verdict_reasons": [], "created_at": START + timedelta(seconds=i),
                 "updated_at": START}
                for i in range(count)]
        db.session.execute(insert(Response), rows)
        db.session.commit()


def test_csv_export_through_the_api(any_stage: Stage) -> None:
    any_stage.add(10, comment='Great, "really"\nnew line', touchpoint="checkout",
                  user_id="u-1", properties={"plan": "pro"})
    any_stage.add(0, comment="=HYPERLINK(\"http://evil\")")
    answer = any_stage.get("/v1/exports/responses", format="csv")
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    assert "attachment" in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert [r["score"] for r in rows] == ["10", "0"]
    assert rows[0]["comment"] == 'Great, "really"\nnew line'
    assert rows[0]["user_id"] == "u-1" and json.loads(rows[0]["properties"]) == {"plan": "pro"}
    assert rows[0]["survey"] == "nps" and rows[0]["survey_version"] == "1"
    assert rows[1]["comment"].startswith("'=")  # a spreadsheet will not run it


def test_ndjson_export_through_the_api(any_stage: Stage) -> None:
    any_stage.add(9, at=START)
    any_stage.add(3, at=START + timedelta(days=2), verdict="quarantined")
    answer = any_stage.get("/v1/exports/responses", format="ndjson",
                           until=(START + timedelta(days=1)).isoformat())
    assert answer.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in answer.get_data(as_text=True).splitlines()]
    assert [(r["score"], r["verdict"]) for r in lines] == [(9, "accepted")]
    everything = any_stage.get("/v1/exports/responses", format="ndjson").get_data(as_text=True)
    assert len(everything.splitlines()) == 2


def test_the_export_is_a_stream(stage: Stage) -> None:
    stage.add(10)
    answer = stage.client.get("/v1/exports/responses?format=csv",
                              headers=stage.keys.auth("read"))
    try:
        assert answer.is_streamed
        assert next(answer.response).startswith(b"id,survey,survey_version,score")
    finally:
        answer.close()


def test_an_unknown_format_is_refused(stage: Stage) -> None:
    assert stage.get("/v1/exports/responses", format="xlsx").status_code == 422


def test_read_keys_may_export_publishable_keys_may_not(stage: Stage) -> None:
    assert stage.get("/v1/exports/responses", role="read").status_code == 200
    assert stage.get("/v1/exports/responses", role="publishable").status_code == 403


def test_rows_are_yielded_before_the_later_pages_are_read(stage: Stage) -> None:
    _bulk(stage.app, stage.keys.site_id, 250)
    with stage.app.app_context():
        engine = db.engine
        queries: list[str] = []

        def count(*args: object) -> None:
            queries.append("select")

        event.listen(engine, "before_cursor_execute", count)
        try:
            records = iter_records(db.session, ExportFilter(stage.keys.site_id), batch_size=100)
            first = next(records)
            assert first["comment"].startswith("comment 0")
            assert len(queries) == 1  # one page read, two more to come
            rest = list(records)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert len(rest) == 249 and len(queries) == 3


def _peak_memory(app: Flask, site_id: int) -> int:
    with app.app_context():
        tracemalloc.start()
        try:
            for _ in csv_chunks(iter_records(db.session, ExportFilter(site_id), batch_size=200)):
                pass
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
            db.session.close()


def test_memory_stays_flat_as_the_export_grows(stage: Stage) -> None:
    _bulk(stage.app, stage.keys.site_id, 1000)
    small = _peak_memory(stage.app, stage.keys.site_id)
    _bulk(stage.app, stage.keys.site_id, 9000)
    large = _peak_memory(stage.app, stage.keys.site_id)
    # Ten times the rows; a buffering export would need about ten times the memory.
    assert large < small * 1.5


def test_times_are_iso_8601_with_offset(stage: Stage) -> None:
    stage.add(7, at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    line = stage.get("/v1/exports/responses", format="ndjson").get_data(as_text=True)
    assert json.loads(line)["created_at"] == "2026-03-02T09:00:00+00:00"
