"""Rate counters shared by the worker processes of one collector, without Redis.

Process memory gave each gunicorn worker its own count, so ``ip=30/minute`` let one address
send 30 per worker (issue 22: 60 with 2 workers). These counters keep the same GCRA numbers
(collector/protection/gcra.py) in a small SQLite file on the collector's machine, which every
worker opens: one ``BEGIN IMMEDIATE`` transaction per request counts all of its hits, so the
workers take turns and share one count. The file holds one row per counter (name, TAT); rows
whose TAT has passed are swept. WAL and ``synchronous=OFF``: losing the file in a crash costs
nothing but a fresh allowance, so there is no fsync on the hot path.

Collectors on several machines still count per machine; only Redis shares a count between
machines (docs/protection.md, "Limits across workers").
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable

from collector.protection.gcra import Hit, Verdict, gcra

SWEEP_SECONDS = 10.0
BUSY_TIMEOUT_SECONDS = 2.0


class SharedFileCounters:
    """GCRA counters in a SQLite file; the same ``hit_all`` as ``MemoryCounters``."""

    def __init__(self, path: str, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        self._local = threading.local()
        self._next_sweep = 0.0

    def _connection(self) -> sqlite3.Connection:
        # One connection per thread and per process: a forked worker opens its own.
        found: tuple[int, sqlite3.Connection] | None = getattr(self._local, "connection", None)
        if found is not None and found[0] == os.getpid():
            return found[1]
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS,
                                     isolation_level=None, check_same_thread=True)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("CREATE TABLE IF NOT EXISTS counters "
                           "(name TEXT PRIMARY KEY, tat REAL NOT NULL) WITHOUT ROWID")
        self._local.connection = (os.getpid(), connection)
        return connection

    def hit_all(self, hits: list[Hit]) -> list[Verdict]:
        """Count ``hits`` in order up to and including the first refused one, atomically
        across every process using the file."""
        verdicts: list[Verdict] = []
        if not hits:
            return verdicts
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            now = self._clock()
            if now >= self._next_sweep:
                self._next_sweep = now + SWEEP_SECONDS
                connection.execute("DELETE FROM counters WHERE tat <= ?", (now,))
            for amount, period, name in hits:
                row = connection.execute("SELECT tat FROM counters WHERE name = ?",
                                         (name,)).fetchone()
                verdict, tat = gcra(row[0] if row else None, now, amount, period)
                verdicts.append(verdict)
                if not verdict.allowed:
                    break
                connection.execute("INSERT INTO counters (name, tat) VALUES (?, ?) "
                                   "ON CONFLICT (name) DO UPDATE SET tat = excluded.tat",
                                   (name, tat))
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
        return verdicts
