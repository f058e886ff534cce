"""SQLite writers queue on a kernel lock held from their first write to their commit."""

from __future__ import annotations

import fcntl
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from collector.core.extensions import db
from collector.models import Person
from tests.factories import make_site


def _lock_file(app: Flask) -> Path:
    with app.app_context():
        database = make_url(app.config["DATABASE_URL"]).database
    assert database
    return Path(f"{os.path.abspath(database)}-writers.lock")


def _lock_is_free(path: Path) -> bool:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


def test_the_lock_is_held_from_the_first_write_until_the_commit(app: Flask) -> None:
    lock = _lock_file(app)
    with app.app_context(), db.engine.connect() as connection:
        connection.execute(text("SELECT count(*) FROM people"))
        assert _lock_is_free(lock), "a read must not take the writers' lock"
        connection.execute(text("UPDATE sites SET name = name"))
        assert not _lock_is_free(lock)
        connection.commit()
        assert _lock_is_free(lock)
        connection.execute(text("UPDATE sites SET name = name"))
        assert not _lock_is_free(lock)
        connection.rollback()
        assert _lock_is_free(lock)


def test_a_write_sent_straight_to_the_driver_takes_the_lock_too(app: Flask) -> None:
    # The lock lives on the DB-API cursor, so a write that bypasses SQLAlchemy's events (a
    # raw driver call, a library holding the connection) still queues behind other writers.
    lock = _lock_file(app)
    with app.app_context():
        site_id = make_site(db.session, "locked").site_id
        db.session.commit()
        assert _lock_is_free(lock)
        driver = db.session.connection().connection.driver_connection
        cursor = driver.cursor()  # type: ignore[union-attr]
        cursor.execute("INSERT INTO people (site_id, external_id, properties, first_seen_at,"
                       " updated_at) VALUES (?, 'p-1', '{}', '2026-06-01 00:00:00.000000',"
                       " '2026-06-01 00:00:00.000000')", (site_id,))
        cursor.close()
        assert not _lock_is_free(lock)
        db.session.commit()
        assert _lock_is_free(lock)
        assert db.session.scalar(select(func.count()).select_from(Person)) == 1


def test_concurrent_writers_from_many_threads_all_land(app: Flask, site) -> None:
    """16 threads x 25 transactions, each inserting a person: none fails with 'database is
    locked', none is lost."""

    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            with app.app_context():
                for n in range(25):
                    now = datetime.now(UTC)
                    db.session.add(Person(site_id=site.site_id, external_id=f"w{worker}-{n}",
                                          properties={}, first_seen_at=now, updated_at=now))
                    db.session.commit()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Person).where(
            Person.external_id.like("w%")))
    assert stored == 16 * 25


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_in_memory_databases_take_no_lock_file(url: str) -> None:
    from sqlalchemy import create_engine

    from collector.core import sqlite_writers

    engine = create_engine(url)
    sqlite_writers.install(engine)  # nothing to guard: one connection, no file
    with engine.connect() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
        connection.commit()
