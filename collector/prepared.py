"""Hot statements compiled once per dialect: reads run straight on the DB-API cursor, writes
through ``exec_driver_sql``.

Why: on the widget's per-page-view path, SQLAlchemy's own work around one indexed SELECT
(cache-key generation, bind processing, the execution context, the result object) cost
several times what the database did. Measured on SQLite with the returning visitor's history
statement: 96 µs through ``Connection.execute``, 45 µs through ``exec_driver_sql``, 11 µs
on the cursor (docs/benchmarks.md, "Fourth speed pass"). The statement is still built with
SQLAlchemy, so it is the same SQL, types and dialects as everywhere else; only executing it
skips the machinery, and type conversion uses the types' own processors.

Writes go through ``exec_driver_sql`` (half the cost of ``execute`` for the person and
contact inserts of a first-time visitor) so that the engine's events still see them: on
SQLite the writers' lock (collector/sqlite_writers.py) is taken by such an event.

What is kept: the statement runs on the connection (and so in the transaction) SQLAlchemy
gave the caller. When the driver fails (a dropped connection, a restarted database), the
statement is run once more through ``exec_driver_sql``, so the failure reaches the caller as
SQLAlchemy raises it, and SQLAlchemy invalidates the broken connection as for any statement;
an error of the statement itself is wrapped the way SQLAlchemy wraps it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, CursorResult
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import Executable

Processor = Callable[[Any], Any] | None


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
    hot path's autocommit reads, collector/database.py): checking one out is half the cost.
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
            compiled = self.statement.compile(dialect=dialect, column_keys=self.columns)
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
    def _disconnected(reader: PooledReader, sql: str, arguments: Any,
                      error: Exception) -> DBAPIError:
        """What SQLAlchemy raises for a failed statement, having invalidated the pooled
        connection if the database is gone (so the pool connects afresh next time)."""
        dialect = reader.dialect
        gone = dialect.is_disconnect(error, reader.connection.dbapi_connection, None)
        if gone:
            reader.connection.invalidate(error)
        return DBAPIError.instance(sql, arguments, error, dialect.loaded_dbapi.Error,
                                   connection_invalidated=gone, dialect=dialect)

    @staticmethod
    def _arguments(plan: _Plan, params: Mapping[str, Any]) -> Any:
        values = {**plan.defaults, **params}
        for name, process in plan.binds.items():
            if process is not None:
                values[name] = process(values[name])
        return values if plan.order is None else tuple(values[name] for name in plan.order)

    def write(self, connection: Connection, params: Mapping[str, Any]) -> CursorResult[Any]:
        """Run an insert, update or delete; its ``RETURNING`` rows come back unconverted (the
        driver's own types), which is what ids and counts need."""
        plan = self._plan(connection.dialect)
        return connection.exec_driver_sql(plan.sql, self._arguments(plan, params))

    def rows(self, connection: Connection | PooledReader,
             params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        plan = self._plan(connection.dialect)
        arguments = self._arguments(plan, params)
        driver = connection.connection.driver_connection
        try:
            cursor = driver.cursor()  # type: ignore[union-attr]
            try:
                cursor.execute(plan.sql, arguments)
                raw = cursor.fetchall()
                # Only read on the first run: psycopg builds it anew on every access.
                description = cursor.description if plan.results is None else ()
            finally:
                cursor.close()
        except connection.dialect.loaded_dbapi.Error as error:
            dbapi = connection.dialect.loaded_dbapi
            if not isinstance(error, (dbapi.OperationalError, dbapi.InterfaceError)):
                # A statement's own fault (in a PostgreSQL transaction, now aborted: running
                # it again would only report that): raised as SQLAlchemy would raise it.
                raise DBAPIError.instance(plan.sql, arguments, error, dbapi.Error,
                                          dialect=connection.dialect) from error
            if isinstance(connection, PooledReader):
                raise self._disconnected(connection, plan.sql, arguments, error) from error
            # Perhaps a dead link: once more through SQLAlchemy, which raises its own
            # exception and invalidates the connection if it is gone.
            result = connection.exec_driver_sql(plan.sql, arguments)
            description = result.cursor.description
            raw = [tuple(row) for row in result]
        if plan.results is None:
            plan.results = self._result_processors(connection.dialect, description)
        if not plan.results:
            return raw  # both drivers fetch plain tuples
        return [tuple(value if process is None or value is None else process(value)
                      for process, value in zip(plan.results, row, strict=True))
                for row in raw]
