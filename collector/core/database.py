"""Engine set-up and Alembic migrations, for SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from flask import Flask, g
from flask_sqlalchemy_lite._extension import _close_async_sessions
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.engine import make_url

from collector.core import sqlite_writers
from collector.core.extensions import db

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def sqlite_pragmas(dbapi_connection: object, _record: object = None) -> None:
    # WAL lets readers and one writer share the file across gunicorn workers; the busy
    # timeout makes a second writer wait instead of failing at once.
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", sqlite_pragmas)
        sqlite_writers.install(engine)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Bring the database at ``url`` to the newest schema."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), "head")


def refresh_statistics(engine: Engine) -> None:
    """PostgreSQL: ``ANALYZE`` after a bulk load. Until a table is analyzed the planner costs
    it as nearly empty and may read a page view's person through the wrong index (measured:
    every person of the site filtered, 300 µs of server CPU per page view instead of 80;
    docs/deployment.md). Autovacuum would get there within a minute; an import need not wait.
    SQLite plans without statistics: nothing to do."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))


def database_answers() -> bool:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        return False
    return True


@contextmanager
def read_only_connection() -> Iterator[Connection | None]:
    """A connection of the autocommit pool for a request's hot reads, or ``None`` where there
    is none (an in-memory database): the caller then reads through its session.

    Why a pool of its own: a read in autocommit is one round trip on PostgreSQL, where the
    session's connection would add ``BEGIN`` and ``COMMIT``; and a page view that only reads
    never opens a transaction at all, so it has nothing to commit or roll back. Each read is
    its own snapshot, as it was under READ COMMITTED; the writes that follow still happen in
    the session's one transaction (docs/architecture.md).
    """
    engine = db.engines.get("reads")
    if engine is None:
        yield None
        return
    with engine.connect() as connection:
        yield connection


# flask-sqlalchemy-lite's own name for the sessions it opened in this app context.
_OPEN_SESSIONS = "_sqlalchemy_sessions"


def session_started() -> bool:
    """Whether this app context has created its ``db.session`` yet (asking ``db.session``
    itself would create one)."""
    return "default" in (g.get(_OPEN_SESSIONS) or {})


def init_app(app: Flask) -> None:
    db.init_app(app)
    # No async engines here: drop the extension's async teardown, which Flask would run
    # through asgiref on every request (slow, and illegal inside a running event loop).
    app.teardown_appcontext_funcs[:] = [
        func for func in app.teardown_appcontext_funcs
        if func is not _close_async_sessions
    ]
    with app.app_context():
        for engine in db.engines.values():
            configure_engine(engine)

