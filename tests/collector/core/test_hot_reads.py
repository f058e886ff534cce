"""The hot path's reads on the autocommit pool: no transaction opened, and a connection the
database dropped fails once and is replaced; the session's writes recover the same way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from flask import Flask, session
from flask.sessions import NullSession, SecureCookieSession
from psycopg.pq import TransactionStatus
from sqlalchemy import Connection, DateTime, bindparam, func, literal_column, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import OperationalError

from collector.config import finalize_config
from collector.core.database import read_only_connection
from collector.core.extensions import db
from collector.core.rows import insert_row
from collector.models import Person
from collector.models.base import UTCDateTime
from tests.factories import make_site

NOW = datetime(2026, 6, 1, 12, 0, 0, 123456, tzinfo=UTC)

# Every kind of value the hot reads return: text, JSON, floats, aware datetimes, NULLs, an
# aggregate, a literal, a repeated parameter and a default-valued one (the LIMIT).
STATEMENT = (
    select(Person.id, Person.external_id, Person.properties, Person.value,
           Person.first_seen_at, Person.erased_at, func.count().over().label("n"),
           literal_column("'x'").label("literal"))
    .where(Person.site_id == bindparam("site_id"), Person.first_seen_at <= bindparam("now"),
           Person.updated_at <= bindparam("now"))
    .order_by(Person.id).limit(10)
)


def _people(app: Flask) -> int:
    with app.app_context():
        site_id = make_site(db.session, "prepared").site_id
        for number, value in enumerate((None, 2.5, 1e9)):
            db.session.add(Person(site_id=site_id, external_id=f"p-{number}",
                                  properties={"plan": "pro", "seats": number, "tags": ["a"]},
                                  value=value, first_seen_at=NOW - timedelta(days=number),
                                  updated_at=NOW, erased_at=NOW if number == 2 else None))
        db.session.commit()
        return site_id


def test_hot_reads_use_an_autocommit_pool_except_for_an_in_memory_database(
        tmp_path: object) -> None:
    on_file = {"DATABASE_URL": "sqlite:////tmp/somewhere.db", "PORT": 5000,
               "SECRET_KEY": "x"}
    finalize_config(on_file, str(tmp_path))
    assert on_file["SQLALCHEMY_ENGINES"]["reads"]["isolation_level"] == "AUTOCOMMIT"
    for in_memory in ("sqlite://", "sqlite:///:memory:", "sqlite:///file:x?mode=memory"):
        config = {"DATABASE_URL": in_memory, "PORT": 5000, "SECRET_KEY": "x"}
        finalize_config(config, str(tmp_path))
        assert "reads" not in config["SQLALCHEMY_ENGINES"], in_memory


def _rows(reader: Connection, params: dict[str, object]) -> list[tuple[object, ...]]:
    return [tuple(row) for row in reader.execute(STATEMENT, params)]


def _driver_in_transaction(reader: Connection) -> bool:
    driver = reader.connection.driver_connection
    if reader.dialect.name == "sqlite":
        return bool(driver.in_transaction)  # type: ignore[union-attr]
    return driver.info.transaction_status != TransactionStatus.IDLE  # type: ignore[union-attr]


def test_a_page_view_that_only_reads_opens_no_transaction(any_app: Flask) -> None:
    site_id = _people(any_app)
    with any_app.test_request_context():
        with read_only_connection() as reader:
            assert reader is not None
            assert len(_rows(reader, {"site_id": site_id, "now": NOW})) == 3
            assert not _driver_in_transaction(reader)
        assert not db.session.in_transaction()


def test_a_read_on_a_connection_the_database_dropped_fails_once_then_reconnects(
        pg_app: Flask) -> None:
    # A PostgreSQL restart: the read answers SQLAlchemy's OperationalError (a 503 with
    # Retry-After for the widget), and the pool forgets the dead connection.
    site_id = _people(pg_app)
    params = {"site_id": site_id, "now": NOW}
    with pg_app.test_request_context():
        with read_only_connection() as reader:
            assert reader is not None
            victim = reader.connection.driver_connection.info.backend_pid  # type: ignore[union-attr]
        with db.engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": victim})
            admin.commit()
        with pytest.raises(OperationalError) as raised, read_only_connection() as reader:
            assert reader is not None
            _rows(reader, params)
        assert raised.value.connection_invalidated
        with read_only_connection() as reader:
            assert reader is not None
            assert reader.connection.driver_connection.info.backend_pid != victim  # type: ignore[union-attr]
            assert len(_rows(reader, params)) == 3


def test_a_write_on_a_connection_the_database_dropped_fails_and_the_next_transaction_works(
        pg_app: Flask) -> None:
    site_id = _people(pg_app)
    row = {"site_id": site_id, "properties": {}, "first_seen_at": NOW, "updated_at": NOW}
    with pg_app.app_context():
        connection = db.session.connection()
        victim = connection.connection.driver_connection.info.backend_pid  # type: ignore[union-attr]
        with db.engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": victim})
            admin.commit()
        with pytest.raises(OperationalError) as raised:
            insert_row(db.session, Person, **row, external_id="lost")
        assert raised.value.connection_invalidated
        db.session.rollback()
        assert insert_row(db.session, Person, **row, external_id="kept").id
        db.session.commit()
        stored = db.session.scalars(select(Person.external_id).where(
            Person.site_id == site_id, Person.external_id.in_(("lost", "kept")))).all()
        assert stored == ["kept"]


def test_api_calls_never_open_or_set_the_console_cookie(app: Flask) -> None:
    client = app.test_client()
    answer = client.get("/v1/surveys")
    assert answer.status_code == 401
    assert "Set-Cookie" not in answer.headers
    with app.test_request_context("/v1/surveys"):
        assert type(session._get_current_object()) is NullSession  # type: ignore[attr-defined]
    with app.test_request_context("/console/"):
        assert type(session._get_current_object()) is SecureCookieSession  # type: ignore[attr-defined]


@pytest.mark.parametrize("moment", [
    datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC),  # no microseconds: still written with six
    datetime(2026, 6, 1, 12, 0, 0, 7, tzinfo=UTC),
    datetime(2026, 6, 1, 14, 30, 0, 123456, tzinfo=timezone(timedelta(hours=2, minutes=30))),
    datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC),
])
def test_sqlite_times_are_written_and_read_as_sqlalchemy_would(moment: datetime) -> None:
    # UTCDateTime's one-call SQLite processors against SQLAlchemy's own DateTime, on the
    # text they write (what indexes compare) and the value read back.
    dialect = sqlite.dialect()
    ours = UTCDateTime().dialect_impl(dialect)
    theirs = DateTime().dialect_impl(dialect)
    written = ours.bind_processor(dialect)(moment)
    assert written == theirs.bind_processor(dialect)(moment.astimezone(UTC).replace(tzinfo=None))
    read = ours.result_processor(dialect, None)(written)
    assert read == moment and read.tzinfo is UTC
    # Text SQLite wrote itself (CURRENT_TIMESTAMP) has no fraction of a second.
    assert ours.result_processor(dialect, None)("2026-06-01 12:00:00") == \
        datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="naive"):
        ours.bind_processor(dialect)(moment.replace(tzinfo=None))
