"""Hot statements compiled once per dialect, run straight on the DB-API cursor.

Why: on the widget's per-page-view path, SQLAlchemy's own work around one indexed SELECT
(cache-key generation, bind processing, the execution context, the result object) cost
several times what the database did. Measured on SQLite with the returning visitor's history
statement: 96 µs through ``Connection.execute``, 45 µs through ``exec_driver_sql``, 11 µs
on the cursor (docs/decisions.md, "Hot statements on the DB-API cursor"). The statement is
still built with SQLAlchemy, so it is the same SQL, types and dialects as everywhere else;
only executing it skips the machinery, and type conversion uses the types' own processors.

Writes too (the inserts of a first-time visitor and of an answer): through
``exec_driver_sql`` they still cost about 36 µs each in SQLAlchemy's execution context, more
than SQLite's own work (docs/decisions.md, same section). SQLite's writers' lock
(collector/core/sqlite_writers.py) is taken by the connection's own cursor, so it sees them too.

What is kept: the statement runs on the connection (and so in the transaction) SQLAlchemy
gave the caller. A failure reaches the caller as SQLAlchemy raises it (``IntegrityError``,
``OperationalError``…); when the database is gone (a dropped connection, a restarted
server), the connection is invalidated first, as SQLAlchemy does for any statement.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any] | None
_T = TypeVar("_T")


@dataclass
class _Plan:
    sql: str
    # Positional drivers (qmark: sqlite3): parameter names in order; None for named ones.
    order: tuple[str, ...] | None
    defaults: Mapping[str, Any]
    binds: Mapping[str, Processor]
    # From the first cursor's description: some drivers' processors depend on the type
    # the database reports (psycopg's numerics). Empty when no column needs converting.
    results: tuple[Processor, ...] | None = None


@dataclass(frozen=True)
class PooledReader:
    """A pooled DB-API connection used without a SQLAlchemy ``Connection`` around it (the
    hot path's autocommit reads, collector/core/database.py): checking one out is half the cost.
    ``Prepared.rows`` reads on it; a failure invalidates it as SQLAlchemy would."""

    dialect: Dialect
    connection: PoolProxiedConnection


class Prepared:
    """``Prepared(select(...)).rows(connection, {"name": value})`` -> list of tuples, with
    values converted as SQLAlchemy would convert them; ``Prepared(insert(...),
    columns=[...]).write(connection, {...})`` for an insert of exactly those columns."""

    def __init__(self, statement: Executable, *, columns: Sequence[str] | None = None) -> None:
        self.statement = statement
        self.columns = list(columns) if columns is not None else None
        self._plans: dict[str, _Plan] = {}

    def _plan(self, dialect: Dialect) -> _Plan:
        plan = self._plans.get(dialect.name)
        if plan is None:
            compiled = cast(SQLCompiler, cast(ClauseElement, self.statement).compile(
                dialect=dialect, column_keys=self.columns))
            if getattr(compiled, "insert_prefetch", None):
                # A Python-side default SQLAlchemy would compute at execution: not done here.
                raise ValueError("a prepared insert must name every column with a default: "
                                 f"{[c.key for c in compiled.insert_prefetch]}")
            binds = {name: bind.type.dialect_impl(dialect).bind_processor(dialect)
                     for name, bind in compiled.binds.items()}
            defaults = {name: bind.value for name, bind in compiled.binds.items()
                        if not bind.required}
            order = tuple(compiled.positiontup) if compiled.positional and \
                compiled.positiontup is not None else None
            plan = _Plan(compiled.string, order, defaults, binds)
            self._plans[dialect.name] = plan
        return plan

    def _result_processors(self, dialect: Dialect,
                           description: Sequence[Sequence[Any]]) -> tuple[Processor, ...]:
        columns = self.statement.selected_columns  # type: ignore[attr-defined]
        processors = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, described[1])
            for column, described in zip(columns, description, strict=True))
        return processors if any(processors) else ()

    @staticmethod
    def _arguments(plan: _Plan, params: Mapping[str, Any]) -> Any:
        values = {**plan.defaults, **params}
        for name, process in plan.binds.items():
            if process is not None:
                values[name] = process(values[name])
        return values if plan.order is None else tuple(values[name] for name in plan.order)

    @staticmethod
    def _on_cursor(connection: Connection | PooledReader, sql: str, arguments: Any,
                   read: Callable[[Any], _T]) -> _T:
        """Execute on a cursor of the connection's DB-API connection and ``read`` it. A
        failure is raised as SQLAlchemy raises it; when the database is gone the connection
        is invalidated first, so its pool connects afresh (and a session's transaction must
        be rolled back, as after any disconnect)."""
        pooled = connection.connection
        driver: Any = pooled.driver_connection
        try:
            cursor = driver.cursor()
            try:
                cursor.execute(sql, arguments)
                return read(cursor)
            finally:
                cursor.close()
        except connection.dialect.loaded_dbapi.Error as error:
            dialect = connection.dialect
            gone = dialect.is_disconnect(error, pooled.dbapi_connection, None)
            if gone and isinstance(connection, Connection):
                connection.invalidate(error)
            elif gone:
                pooled.invalidate(error)
            raise DBAPIError.instance(sql, arguments, error, dialect.loaded_dbapi.Error,
                                      connection_invalidated=gone, dialect=dialect) from error

    def write(self, connection: Connection, params: Mapping[str, Any]) -> Any:
        """Run an insert, update or delete in the connection's transaction; the first value
        of its ``RETURNING`` row if it has one (unconverted: the driver's own types, which
        is what ids need), else ``None``."""
        plan = self._plan(connection.dialect)
        row = self._on_cursor(connection, plan.sql, self._arguments(plan, params),
                              lambda cursor: cursor.fetchone() if cursor.description else None)
        return row[0] if row else None

    def rows(self, connection: Connection | PooledReader,
             params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        plan = self._plan(connection.dialect)
        # The description only on the first run: psycopg builds it anew on every access.
        raw, description = self._on_cursor(
            connection, plan.sql, self._arguments(plan, params),
            lambda cursor: (cursor.fetchall(), cursor.description if plan.results is None
                            else None))
        if plan.results is None:
            # A statement that selects nothing has no description: nothing to convert.
            plan.results = self._result_processors(connection.dialect, description or ())
        if not plan.results:
            return raw  # both drivers fetch plain tuples
        return [tuple(value if process is None or value is None else process(value)
                      for process, value in zip(plan.results, row, strict=True))
                for row in raw]
