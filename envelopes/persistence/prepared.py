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
        values = {**compiled.fixed, **params}
        for name, convert in compiled.converts:
            values[name] = convert(values[name])
        arguments: Sequence[Any] | Mapping[str, Any] = (
            values if compiled.order is None else tuple(values[name] for name in compiled.order)
        )
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
