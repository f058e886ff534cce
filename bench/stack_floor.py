"""The floor: the least a server-side eligibility check can do, served like the collector.

hello-world (``hello_world.py``) touches nothing. A decision made on the server, the same in
every process and on every device, cannot do less than this app does for each request:

- read the JSON body (as hello-world does) and answer a small JSON object;
- read the visitor's row from the shared database: one indexed look-up on ``people`` by
  (site, user id), on a per-thread DB-API connection with no ORM or SQLAlchemy in the way;
- count the visitor in one rate-limit counter kept where the collector keeps them: in this
  process on SQLite, one ``INCR`` round trip to Redis when ``TENPOINT_REDIS_URL`` is set.

An answer (``POST /v1/responses``) must at least be stored before it is acknowledged: the
same counter, then one row inserted and committed (``floor_answers``, made by ``prepare``),
with the collector's SQLite settings (WAL, ``synchronous=NORMAL``).

No rules, no authentication, no screening, no response headers beyond Flask's. Its
throughput against hello-world, measured side by side, is the ceiling any implementation of
the check (or of the submit) could reach on this stack: Python, Flask, gunicorn, and the
database and Redis sharing the machine's cores. ``http_throughput.py`` prints it next to
the collector's.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import Counter
from typing import Any

from flask import Flask, jsonify, request
from sqlalchemy.engine import make_url

from collector.core.database import sqlite_pragmas

app = Flask(__name__)
_DATABASE_URL = os.environ.get("TENPOINT_DATABASE_URL", "")
_REDIS_URL = os.environ.get("TENPOINT_REDIS_URL")
_LOOKUP = "SELECT id, first_seen_at FROM people WHERE site_id = {0} AND external_id = {0}"
_STORE = "INSERT INTO floor_answers (site_id, body) VALUES ({0}, {0})"
_local = threading.local()
_counts: Counter[str] = Counter()
_counts_lock = threading.Lock()


def _connect(database_url: str) -> tuple[Any, str]:
    """An autocommit connection and its driver's parameter marker."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(str(url.database), isolation_level=None,
                                     check_same_thread=False)
        sqlite_pragmas(connection)  # the collector's own settings (WAL, synchronous=NORMAL)
        return connection, "?"
    import psycopg

    return psycopg.connect(url.set(drivername="postgresql").render_as_string(False),
                           autocommit=True, prepare_threshold=0), "%s"


def prepare(database_url: str) -> None:
    """Create the table the floor's answers go to (before its workers start)."""
    connection, _ = _connect(database_url)
    key = "INTEGER" if make_url(database_url).get_backend_name() == "sqlite" else "BIGSERIAL"
    try:
        connection.execute(f"CREATE TABLE IF NOT EXISTS floor_answers "
                           f"(id {key} PRIMARY KEY, site_id INTEGER, body TEXT)")
    finally:
        connection.close()


def _connection() -> tuple[Any, str]:
    """This thread's connection and its parameter marker."""
    found = getattr(_local, "connection", None)
    if found is None:
        found = _local.connection = _connect(_DATABASE_URL)
    return found


def _redis() -> Any:
    client = getattr(_local, "redis", None)
    if client is None:
        from collector.core.redis_urls import connect  # any URL the collector accepts

        client = _local.redis = connect(str(_REDIS_URL), timeout=1.0)
    return client


def _count(key: str) -> int:
    if _REDIS_URL:
        return int(_redis().incr(key))
    with _counts_lock:
        _counts[key] += 1
        return _counts[key]


@app.post("/v1/responses")
def submit() -> object:
    body = request.get_data()
    request.get_json(force=True, silent=True)
    _count(f"floor:{request.headers.get('X-Forwarded-For', '')}")
    connection, marker = _connection()
    connection.execute(_STORE.format(marker), (1, body.decode()))
    return jsonify(status="accepted"), 201


@app.post("/v1/<path:_rest>")
def check(_rest: str) -> object:
    body = request.get_json(force=True, silent=True) or {}
    _count(f"floor:{request.headers.get('X-Forwarded-For', '')}")
    connection, marker = _connection()
    row = connection.execute(_LOOKUP.format(marker), (1, str(body.get("user_id", "")))).fetchone()
    return jsonify(eligible=False, reason="recently_surveyed" if row else "eligible")


@app.get("/healthz")
def healthz() -> object:
    return jsonify(status="ok")
