"""Inserting one row the quick way: a Core insert built once, the object kept by the session.

Why: the session's unit of work costs about 0.1 ms per flushed object, as much as the
widget's whole budget for a write (docs/benchmarks.md, "Speed work"). The hot paths insert
with a Core statement compiled once per table and get back an ordinary persistent object:
later changes to it flush as usual, and reading it costs no query.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.orm import Session, make_transient_to_detached

from collector.models.base import Base

M = TypeVar("M", bound=Base)
_STATEMENTS: dict[Any, Any] = {}


def insert_row(session: Session, model: type[M], **values: Any) -> M:
    """Insert ``values`` (every column but the id) now, in the session's transaction, and
    return the row as a persistent ``model``. Constraint errors raise here, not at commit."""
    table = model.__table__  # type: ignore[attr-defined]
    statement = _STATEMENTS.get(table)
    if statement is None:
        statement = _STATEMENTS[table] = table.insert().returning(table.c.id)
    new_id = session.connection().execute(statement, values).scalar_one()
    row = model(id=new_id, **values)
    make_transient_to_detached(row)
    session.add(row)
    return row
