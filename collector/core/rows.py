"""Rows written: one row inserted the quick way (a Core insert built once, the object kept by
the session), and the count of rows an UPDATE or DELETE changed.

Why: the session's flush costs more than the insert itself. Measured as whole requests
(docs/decisions.md, "The plumbing, re-measured after the regroup"), ``session.add`` and
``flush`` instead of this made a submit 8 % dearer on SQLite (paired CPU 1.080 and 1.085).
The hot paths insert with one Core statement per table, built once, and get back an ordinary
persistent object: later changes to it flush as usual, and reading it costs no query.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Result
from sqlalchemy.orm import Session, make_transient_to_detached

from collector.models.base import Base

M = TypeVar("M", bound=Base)
# Per table: the insert returning the id, and the columns a caller may leave out (nullable:
# None) or must give.
_PLANS: dict[Any, tuple[Any, frozenset[str], frozenset[str]]] = {}


def _plan(table: Any) -> tuple[Any, frozenset[str], frozenset[str]]:
    if table not in _PLANS:
        columns = [column for column in table.columns if not column.primary_key]
        _PLANS[table] = (table.insert().returning(table.c.id),
                         frozenset(c.key for c in columns if c.nullable),
                         frozenset(c.key for c in columns if not c.nullable))
    return _PLANS[table]


def insert_row(session: Session, model: type[M], **values: Any) -> M:
    """Insert ``values`` now, in the session's transaction, and return the row as a persistent
    ``model``. Nullable columns left out are NULL; every other column must be given (a
    default applied by the database would leave the object's attribute unloaded, costing a
    query when read). Constraint errors raise here, not at commit."""
    table = model.__table__
    statement, nullable, required = _plan(table)
    missing = required - values.keys()
    if missing:
        raise ValueError(f"insert_row({model.__name__}) needs {', '.join(sorted(missing))}")
    values = {**dict.fromkeys(nullable - values.keys()), **values}
    new_id = session.connection().execute(statement, values).scalar_one()
    row = model(id=new_id, **values)
    make_transient_to_detached(row)
    session.add(row)
    return row


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed. ``Session.execute`` is typed as returning a
    plain ``Result``; for those statements it is a ``CursorResult``, which counts them."""
    return int(cast("CursorResult[Any]", result).rowcount or 0)
