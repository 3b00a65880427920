"""The statements of the decision path, run on the driver's cursor of the transaction's connection.

Each is written once as a SQLAlchemy Core statement and compiled once per dialect. `Connection.execute`
would then still cost 15 µs (SQLite) to 60 µs (psycopg) of Python per statement for its execution context,
events and result objects, and a decision runs a dozen statements while it holds its envelope's lock. So
these go straight to the DBAPI cursor, with their parameters and results converted by the same SQLAlchemy
type processors that `Connection.execute` applies: what is written and read is the same either way
(tests/integration/test_prepared.py runs both and compares).

They run inside the transaction the unit of work began through SQLAlchemy (`BEGIN IMMEDIATE` on SQLite, the
driver's implicit BEGIN on PostgreSQL); a driver error is raised as SQLAlchemy's (an `IntegrityError` is an
`IntegrityError`), and a connection the error shows to be gone is invalidated, as `Connection.execute` does.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, Select, exc
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


class Prepared:
    """One statement, compiled on first use for each dialect it meets."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def rows(self, connection: Connection, params: Mapping[str, Any] | None = None) -> list[Any]:
        """The result rows, each a named tuple (`row.column`), in the transaction of `connection`."""
        return self._rows(connection.connection, connection.dialect, connection.invalidate, params)

    def rows_on(
        self, pooled: PoolProxiedConnection, dialect: Dialect, params: Mapping[str, Any] | None = None
    ) -> list[Any]:
        """The same on a connection taken from the pool as it is (`Engine.raw_connection()`), for a read of
        one statement that needs no transaction of SQLAlchemy's around it."""
        return self._rows(pooled, dialect, pooled.invalidate, params)

    def _rows(
        self,
        pooled: PoolProxiedConnection,
        dialect: Dialect,
        invalidate: Callable[[BaseException], None],
        params: Mapping[str, Any] | None,
    ) -> list[Any]:
        compiled = self._for(dialect)
        cursor = self._execute(pooled, dialect, invalidate, compiled, params or {})
        try:
            fetched = cursor.fetchall()
        finally:
            cursor.close()
        return self._rows_of(fetched, dialect)

    def _rows_of(self, fetched: Sequence[Any], dialect: Dialect) -> list[Any]:
        compiled = self._for(dialect)
        make, results = compiled.row._make, compiled.results
        if not results:
            return [make(row) for row in fetched]
        rows = []
        for row in fetched:
            values = list(row)
            for index, process in results:
                values[index] = process(values[index])
            rows.append(make(values))
        return rows

    def run(self, connection: Connection, params: Mapping[str, Any] | None = None) -> int:
        """Run a statement that returns no rows; the number of rows it changed."""
        dialect = connection.dialect
        compiled = self._for(dialect)
        cursor = self._execute(connection.connection, dialect, connection.invalidate, compiled, params or {})
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def _execute(
        self,
        pooled: PoolProxiedConnection,
        dialect: Dialect,
        invalidate: Callable[[BaseException], None],
        compiled: _Compiled,
        params: Mapping[str, Any],
    ) -> Any:
        _, arguments = self._arguments(dialect, params)
        dbapi_connection = pooled.dbapi_connection
        assert dbapi_connection is not None, "the connection is open"
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(compiled.sql, arguments)
        except dialect.loaded_dbapi.Error as error:
            cursor.close()
            if dialect.is_disconnect(error, dbapi_connection, cursor):
                invalidate(error)
            raise exc.DBAPIError.instance(
                compiled.sql, arguments, error, dialect.loaded_dbapi.Error, dialect=dialect
            ) from error
        return cursor

    def _arguments(self, dialect: Dialect, params: Mapping[str, Any]) -> tuple[str, Any]:
        compiled = self._for(dialect)
        values = {**compiled.fixed, **params}
        for name, convert in compiled.converts:
            values[name] = convert(values[name])
        if compiled.order is None:
            return compiled.sql, values
        return compiled.sql, tuple(values[name] for name in compiled.order)

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = _compile(self.statement, dialect)
        return compiled


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
    if dialect.name != "postgresql" or not writes:
        for statement, params in writes:
            statement.run(connection, params)
        return None if read is None else read[0].rows(connection, read[1])
    sent: list[str] = []
    reading = None
    try:
        with dbapi_connection.pipeline():
            cursor = dbapi_connection.cursor()
            for statement, params in writes:
                sql, arguments = statement._arguments(dialect, params)
                sent.append(sql)
                cursor.execute(sql, arguments)
            if read is not None:
                sql, arguments = read[0]._arguments(dialect, read[1])
                sent.append(sql)
                reading = dbapi_connection.cursor()
                reading.execute(sql, arguments)
            if commit:
                sent.append("COMMIT")
                dbapi_connection.commit()
    except dialect.loaded_dbapi.Error as error:
        if dialect.is_disconnect(error, dbapi_connection, None):
            connection.invalidate(error)
        statements = "; ".join(sent)  # in one round trip: the error names the one that failed
        raise exc.DBAPIError.instance(
            statements, None, error, dialect.loaded_dbapi.Error, dialect=dialect
        ) from error
    if read is None or reading is None:
        return None
    return read[0]._rows_of(reading.fetchall(), dialect)
