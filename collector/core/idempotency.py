"""Write endpoints: one transaction per request, replayed when the ``Idempotency-Key`` repeats.

A view wrapped by ``write_endpoint`` never commits; the wrapper commits its writes together
with the idempotency record, so a retry after a lost answer replays the stored result and a
concurrent duplicate loses on the unique constraint and replays the winner's.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Response, g, request
from sqlalchemy import Table, bindparam, select
from sqlalchemy.exc import IntegrityError

from collector.core.clock import now
from collector.core.database import session_started
from collector.core.errors import APIError
from collector.core.extensions import db
from collector.core.rows import insert_row
from collector.models import IdempotencyRecord

F = TypeVar("F", bound=Callable[..., Any])
MAX_KEY_LENGTH = 255


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key") or request.args.get("idempotency_key")
    if key is None:
        return None
    if not key or len(key) > MAX_KEY_LENGTH:
        raise APIError(400, "invalid_idempotency_key",
                       f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters.",
                       field="Idempotency-Key")
    return key


def _request_fingerprint() -> str:
    """The body as data, not bytes: the same JSON with its keys reordered or spaced otherwise
    is the same request. The key's role is part of it, so a publishable key that repeats a
    server's ``Idempotency-Key`` gets a 409, never the server's answer (which names a person)."""
    raw = request.get_data(cache=True)
    try:
        body = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":"))
    except ValueError:  # not JSON (a form, or a body the parser refuses anyway): its bytes
        body = raw.decode("latin-1")
    role = getattr(g.get("key"), "role", "")
    return hashlib.sha256(f"{role}\n{body}".encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class StoredAnswer:
    request_hash: str
    status_code: int
    body: Any


_RECORDS = cast(Table, IdempotencyRecord.__table__)
# Built once, and read without the ORM: every submit from the widget asks it.
_FIND = select(_RECORDS.c.request_hash, _RECORDS.c.status_code, _RECORDS.c.body).where(
    _RECORDS.c.site_id == bindparam("site_id"),
    _RECORDS.c.endpoint == bindparam("endpoint"),
    _RECORDS.c.key == bindparam("key"),
)


def _find(site_id: int, endpoint: str, key: str) -> StoredAnswer | None:
    row = db.session.connection().execute(
        _FIND, {"site_id": site_id, "endpoint": endpoint, "key": key}).first()
    return StoredAnswer(*row) if row is not None else None


def _replay(record: StoredAnswer, fingerprint: str) -> Response:
    if record.request_hash != fingerprint:
        raise APIError(409, "idempotency_key_reused",
                       "This Idempotency-Key was used with a different request body.",
                       field="Idempotency-Key")
    response = Response(status=record.status_code, mimetype="application/json")
    response.set_data(_json_dumps(record.body))
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _json_dumps(body: Any) -> str:
    return json.dumps(body, separators=(",", ":"))


def write_endpoint(name: str) -> Callable[[F], F]:
    """Wrap a view in one idempotent transaction.

    Place it below ``require_key`` (``g.key`` names the site) and above flask-smorest's
    ``arguments``/``response`` decorators, so it sees the finished response.
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = _idempotency_key()
            fingerprint = _request_fingerprint() if key else ""
            if key is not None:
                earlier = _find(g.key.site_id, name, key)
                if earlier is not None:
                    return _replay(earlier, fingerprint)
            return _run_and_commit(view, name, key, fingerprint, args, kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def _commit_if_written() -> None:
    # A request that only read (a returning visitor's page view reads through its own
    # autocommit connection) has no transaction to end: committing would start one first.
    # Any write begins one (a statement, ``add`` or ``delete``), so this misses none.
    if session_started() and db.session.in_transaction():
        db.session.commit()


def _run_and_commit(view: Callable[..., Any], name: str, key: str | None, fingerprint: str,
                    args: Any, kwargs: Any) -> Any:
    try:
        response = view(*args, **kwargs)
    except BaseException:
        db.session.rollback()
        raise
    flask_response = response if isinstance(response, Response) else None
    if key is None or flask_response is None or flask_response.status_code >= 500:
        _commit_if_written()
        return response
    site_id = g.key.site_id
    # No second look-up here: a concurrent twice-sent request that finished first
    # makes this commit fail on the unique index, and the winner is replayed below.
    try:
        insert_row(db.session, IdempotencyRecord, site_id=site_id, endpoint=name, key=key,
                   request_hash=fingerprint, status_code=flask_response.status_code,
                   body=flask_response.get_json(silent=True) or {}, created_at=now())
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        winner = _find(site_id, name, key)
        if winner is None:
            raise
        return _replay(winner, fingerprint)
    return response
