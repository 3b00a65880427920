"""The statements of the decision path, run on the driver's cursor of the transaction's connection.

Each is written once as a SQLAlchemy Core statement and compiled once per dialect. `Connection.execute`
would then still cost 15 µs (SQLite) to 60 µs (psycopg) of Python per statement for its execution context,
events and result objects, and a decision runs a dozen statements while it holds its envelope's lock. So
these go straight to the DBAPI cursor, with their parameters and results converted by the same SQLAlchemy
type processors that `Connection.execute` applies: what is written and read is the same either way
(tests/integration/test_prepared.py runs both and compares).

They run inside the transaction the unit of work began through SQLAlchemy (`BEGIN IMMEDIATE` on SQLite, the
driver's implicit BEGIN on PostgreSQL); a driver error is raised as SQLAlchemy's (an `IntegrityError` is an
`IntegrityError`; its parameters hidden, as the engines hide them), and a connection the error shows to be
gone is invalidated, as `Connection.execute` does.
"""

from __future__ import annotations

import functools
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, Engine, Select, exc
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    order: tuple[str, ...] | None  # parameter names in order for a positional paramstyle (SQLite's "?")
    fixed: Mapping[str, Any]  # parameters whose values are part of the statement (literals, LIMIT 1)
    converts: tuple[tuple[str, Processor], ...]  # parameter name -> its type's bind processor
    row: Any  # the named tuple type of a result row (None for a statement without rows)
    results: tuple[tuple[int, Processor], ...]  # column index -> its type's result processor

    def arguments(self, params: Mapping[str, Any]) -> Any:
        """The parameters as the driver takes them: converted, and in order for a positional paramstyle."""
        values = {**self.fixed, **params}
        for name, convert in self.converts:
            values[name] = convert(values[name])
        return values if self.order is None else tuple(values[name] for name in self.order)

    def rows(self, fetched: Sequence[Any]) -> list[Any]:
        """The driver's rows as named tuples, each value converted by its column's type."""
        make, results = self.row._make, self.results
        if not results:
            return [make(row) for row in fetched]
        rows = []
        for row in fetched:
            values = list(row)
            for index, process in results:
                values[index] = process(values[index])
            rows.append(make(values))
        return rows


class Prepared:
    """One statement, compiled on first use for each dialect it meets."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, str], _Compiled] = {}

    def rows(self, connection: Connection, params: Mapping[str, Any] | None = None) -> list[Any]:
        """The result rows, each a named tuple (`row.column`), in the transaction of `connection`."""
        return self._rows(connection.connection, connection.dialect, _renewing(connection), params)

    def rows_on(
        self, pooled: PoolProxiedConnection, engine: Engine, params: Mapping[str, Any] | None = None
    ) -> list[Any]:
        """The same on a connection of `engine` taken from its pool as it is (`Engine.raw_connection()`), for
        a read of one statement that needs no transaction of SQLAlchemy's around it."""

        def gone(error: BaseException) -> None:
            pooled.invalidate(error)
            engine.dispose()

        return self._rows(pooled, engine.dialect, gone, params)

    def _rows(
        self,
        pooled: PoolProxiedConnection,
        dialect: Dialect,
        gone: Callable[[BaseException], None],
        params: Mapping[str, Any] | None,
    ) -> list[Any]:
        compiled = self._for(dialect)
        cursor = self._execute(pooled, dialect, gone, compiled, params or {})
        try:
            fetched = cursor.fetchall()
        finally:
            cursor.close()
        return compiled.rows(fetched)

    def run(self, connection: Connection, params: Mapping[str, Any] | None = None) -> int:
        """Run a statement that returns no rows; the number of rows it changed."""
        dialect = connection.dialect
        compiled = self._for(dialect)
        cursor = self._execute(connection.connection, dialect, _renewing(connection), compiled, params or {})
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def _execute(
        self,
        pooled: PoolProxiedConnection,
        dialect: Dialect,
        gone: Callable[[BaseException], None],
        compiled: _Compiled,
        params: Mapping[str, Any],
    ) -> Any:
        arguments = compiled.arguments(params)
        dbapi_connection = pooled.dbapi_connection
        assert dbapi_connection is not None, "the connection is open"
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(compiled.sql, arguments)
        except dialect.loaded_dbapi.Error as error:
            cursor.close()
            raise _driver_error(error, compiled.sql, arguments, dialect, dbapi_connection, gone) from error
        return cursor

    def _for(self, dialect: Dialect) -> _Compiled:
        """Compiled for this dialect and driver: the type processors are the driver's."""
        key = (dialect.name, dialect.driver)
        compiled = self._compiled.get(key)
        if compiled is None:  # two threads may both compile it: the same result, one is kept
            compiled = self._compiled[key] = _compile(self.statement, dialect)
        return compiled


def _renewing(connection: Connection) -> Callable[[BaseException], None]:
    """What to do when the database is gone: what `Connection.execute` does — drop this connection and
    renew the pool, so that the others, as old, are not handed out to fail one request each."""

    def gone(error: BaseException) -> None:
        connection.invalidate(error)
        connection.engine.dispose()

    return gone


def _driver_error(
    error: Any,  # the driver's own Error (its class is the loaded DBAPI's)
    statement: str,
    arguments: Any,
    dialect: Dialect,
    dbapi_connection: Any,
    gone: Callable[[BaseException], None],
) -> exc.StatementError:
    """The driver's error as SQLAlchemy's (an `IntegrityError` is an `IntegrityError`); a lost connection
    is dropped with its pool, and the error says so."""
    lost = bool(dialect.is_disconnect(error, dbapi_connection, None))
    if lost:
        gone(error)
    wrapped = exc.DBAPIError.instance(
        statement,
        arguments,
        error,
        dialect.loaded_dbapi.Error,
        hide_parameters=True,  # as the engines do: the parameters are personal data
        connection_invalidated=lost,
        dialect=dialect,
    )
    assert isinstance(wrapped, exc.StatementError)
    return wrapped


def _pipelines(dialect: Dialect) -> bool:
    """Whether this driver can send statements in one round trip (psycopg 3 on libpq >= 14)."""
    return dialect.name == "postgresql" and dialect.driver == "psycopg" and _psycopg_pipelines()


@functools.cache
def _psycopg_pipelines() -> bool:
    import psycopg

    return bool(psycopg.Pipeline.is_supported())


def _row_type(names: list[str]) -> Any:
    """A named tuple type for result rows: `row.column`, as the mapping reads SQLAlchemy's rows."""
    return namedtuple("Row", names)


def _compile(statement: ClauseElement, dialect: Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    names = compiled.bind_names
    fixed, converts = {}, []
    for bind in compiled.binds.values():
        name = names[bind]
        if bind.expanding:
            raise ValueError(f"{name}: a prepared statement takes no expanding (IN list) parameters")
        if not bind.required:
            fixed[name] = bind.effective_value
        convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if convert is not None:
            converts.append((name, convert))
    row: Any = None
    results = []
    if isinstance(statement, Select):
        columns = list(statement.selected_columns)
        row = _row_type([str(column.key) for column in columns])
        for index, column in enumerate(columns):
            process = column.type.dialect_impl(dialect).result_processor(dialect, None)
            if process is not None:
                results.append((index, process))
    order = tuple(compiled.positiontup) if compiled.positional and compiled.positiontup else None
    return _Compiled(compiled.string, order, fixed, tuple(converts), row, tuple(results))


Write = tuple[Prepared, Mapping[str, Any]]


def write_then(
    connection: Connection,
    writes: Sequence[Write],
    *,
    read: Write | None = None,
    commit: bool = False,
) -> list[Any] | None:
    """Run `writes` in order, then the query `read` (its rows are returned), on the transaction of
    `connection`. On PostgreSQL they go out together in one round trip (psycopg's pipeline mode), with the
    COMMIT too when `commit` is set (the caller's `Session.commit()` then finds nothing left to commit): a
    decision sends its inserts with the log head's lock, and its log entry with the commit, instead of
    waiting for the database after each while it holds its envelope's lock. Elsewhere they run one after the
    other (and the caller commits). The first error is raised as SQLAlchemy's; nothing after it has run."""
    dialect = connection.dialect
    pooled = connection.connection
    dbapi_connection = pooled.dbapi_connection
    assert dbapi_connection is not None, "the unit of work's connection is open"
    if not writes or not _pipelines(dialect):
        for statement, params in writes:
            statement.run(connection, params)
        return None if read is None else read[0].rows(connection, read[1])
    sent: list[str] = []
    fetched: list[Any] | None = None
    try:
        with dbapi_connection.pipeline(), closing(dbapi_connection.cursor()) as cursor:
            for statement, params in writes:
                compiled = statement._for(dialect)
                sent.append(compiled.sql)
                cursor.execute(compiled.sql, compiled.arguments(params))
            if read is not None:
                reading_compiled = read[0]._for(dialect)
                sent.append(reading_compiled.sql)
                with closing(dbapi_connection.cursor()) as reading:
                    reading.execute(reading_compiled.sql, reading_compiled.arguments(read[1]))
                    fetched = reading_compiled.rows(reading.fetchall())  # waits for the answers, in order
            if commit:
                sent.append("COMMIT")
                dbapi_connection.commit()
    except dialect.loaded_dbapi.Error as error:
        statements = "; ".join(sent)  # in one round trip: the error names the one that failed
        raise _driver_error(
            error, statements, None, dialect, dbapi_connection, _renewing(connection)
        ) from error
    return fetched
