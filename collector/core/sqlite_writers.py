"""SQLite: one writer at a time, queued by the kernel instead of SQLite's sleeping busy handler.

Why: SQLite lets one connection write at a time. A second writer that finds the database
locked is parked by SQLite's busy handler, which sleeps 1, 2, 5, 10 … up to 100 ms between
tries whatever happens meanwhile, so under gunicorn (threads and workers writing at once) an
unlucky write waits long after the lock came free. Here each connection takes an exclusive
``flock`` on a file next to the database just before its first write statement of a
transaction, and lets it go right after the commit or rollback. The kernel hands the lock to
the next waiter the moment it is free, across threads and processes alike; SQLite's own lock
is then always free when asked for, and its busy timeout stays as the safety net for writers
that do not take part (another program opening the file). Measured under gunicorn with 16
connections (docs/decisions.md, "The SQLite writers' lock, re-measured", 2026-12-04): the same
throughput, and a p99 of 126 to 130 ms instead of 358 to 404 ms for submits, 69 to 94 ms
instead of 133 to 140 ms for first-time eligibility checks; the median write waits longer.

Reads take no lock: WAL lets them run beside the writer.
"""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
from typing import Any

from sqlalchemy import Engine, event

# The first word of the statements that make pysqlite open a write transaction.
WRITE_VERBS = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "WITH", "CREATE", "DROP",
                         "ALTER"})


_FIRST_WORD = re.compile(r"\s*(\w+)")


def _writes(statement: str) -> bool:
    # Only the first word is read, not a copy of the statement (a hot read's is 1.5 kB).
    first = _FIRST_WORD.match(statement)
    return first is not None and first.group(1).upper() in WRITE_VERBS


class _LockingCursor(sqlite3.Cursor):
    """Takes its connection's writers' lock before a write statement: every statement runs on
    a cursor, whatever sends it (SQLAlchemy, Alembic, a raw DB-API call)."""

    connection: WriterLockedConnection

    def execute(self, sql: str, parameters: Any = (), /) -> _LockingCursor:
        if _writes(sql):
            self.connection.hold_writer_lock()
        return super().execute(sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> _LockingCursor:
        if _writes(sql):
            self.connection.hold_writer_lock()
        return super().executemany(sql, seq_of_parameters)


class WriterLockedConnection(sqlite3.Connection):
    """A sqlite3 connection that holds the writers' lock from its first write to the end of
    the transaction. ``lock_path`` is set on a subclass per database (``for_database``)."""

    lock_path = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock_fd: int | None = None
        self._lock_pid = 0
        self._holding = False

    def hold_writer_lock(self) -> None:
        if self._holding:
            return
        if self._lock_fd is None or self._lock_pid != os.getpid():
            # A descriptor inherited through fork shares its lock with the parent: reopen.
            self._lock_fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            self._lock_pid = os.getpid()
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)  # waits without holding the GIL
        self._holding = True

    def cursor(self, factory: Any = _LockingCursor) -> Any:
        return super().cursor(factory)

    def release_writer_lock(self) -> None:
        if self._holding and self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            self._holding = False

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.release_writer_lock()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.release_writer_lock()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.release_writer_lock()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None


def for_database(path: str) -> type[WriterLockedConnection]:
    return type("WriterLockedConnection", (WriterLockedConnection,),
                {"lock_path": f"{path}-writers.lock"})


def install(engine: Engine) -> None:
    """Route the engine's file-backed SQLite connections through the writers' lock."""
    path = engine.url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    factory = for_database(os.path.abspath(path))

    @event.listens_for(engine, "do_connect")
    def _use_locking_connection(_dialect: Any, _record: Any, _cargs: Any,
                                cparams: dict[str, Any]) -> None:
        cparams.setdefault("factory", factory)

