"""Engines and sessions. Nothing is created at import time: the composition root calls `make_engine(url)`.

SQLite (the embedded default) is set up so that writers never interleave: WAL (readers do not block the
writer), a busy timeout (a writer waits for the lock instead of failing), foreign keys enforced, and every
transaction opened with `BEGIN IMMEDIATE`, which takes the database's write lock at once. That is the
SQLAlchemy-documented pysqlite recipe: the driver's own BEGIN handling is switched off on connect and
SQLAlchemy emits ours when a transaction begins. A transaction that only reads may ask for a plain (deferred)
`BEGIN` with the connection execution option `READ_ONLY` (a consistent WAL snapshot that blocks nobody).

Within one process, writers queue on a lock of the engine before they ask SQLite for its write lock. SQLite's
own busy handler polls with growing sleeps (up to 100 ms at a time), so threads of one server left to it wait
far longer than the lock is held, and out of turn; the in-process queue hands the lock over at once. Other
processes (a second server, the CLI) still meet at SQLite's lock and its busy timeout.

An error never carries the statement's parameters (`hide_parameters`): they are personal data (a motivation,
a reason, a login name), and an error's text ends up in logs.

PostgreSQL runs READ COMMITTED: the repositories take row locks (`SELECT … FOR NO KEY UPDATE`) on what they
are about to change, and every statement after a lock sees what the previous holder committed.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, InvalidatePoolError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_URL = "sqlite:///mandaat.db"
BUSY_TIMEOUT_MS = 30_000
READ_ONLY = "mandaat_read_only"  # a connection execution option: this transaction will not write
_WRITING = "mandaat_writer_lock"  # in a connection's info while it holds its engine's writer lock
_IDLE_SINCE = "mandaat_idle_since"  # in a pooled connection's info: when it was given back
IDLE_BEFORE_PING_S = 1.0


def make_engine(url: str = DEFAULT_URL, *, foreign_keys: bool = True, one_connection: bool = False) -> Engine:
    """An engine for `sqlite:///path` or `postgresql+psycopg://…`. `foreign_keys=False` is for migrations
    only (SQLite's batch mode copies tables, which enforced foreign keys would refuse). `one_connection`: a
    SQLite engine whose pool holds a single connection, for the writers of a process (see `Databases`)."""
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        pool: dict[str, Any] = {}
        if one_connection:  # a writer waits for it as long as SQLite's own busy timeout would let it
            pool = {"pool_size": 1, "max_overflow": 0, "pool_timeout": BUSY_TIMEOUT_MS / 1000}
        engine = create_engine(
            url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, hide_parameters=True, **pool
        )
        _serialize_sqlite_writers(engine, foreign_keys=foreign_keys)
        return engine
    if backend == "postgresql":
        engine = create_engine(url, isolation_level="READ COMMITTED", hide_parameters=True)
        _ping_after_idle(engine)
        return engine
    raise ValueError(f"unsupported database {backend!r}: use sqlite:///path or postgresql+psycopg://…")


@dataclass(frozen=True)
class Databases:
    """The engines of one process: `reads` for what only reads, `writes` for the units of work that write.

    On PostgreSQL they are one engine. On SQLite, whose writers take turns anyway, the writers of a process
    share one connection: SQLite drops a connection's page cache whenever another connection has written, so
    writers that took turns on a pool of connections each read their pages from the file again (some fifty
    reads a decision, measured with strace); on its own connection the cache of the last decision is the
    database as it is. Readers keep a pool of their own and never wait for the writer."""

    reads: Engine
    writes: Engine

    def dispose(self) -> None:
        self.reads.dispose()
        if self.writes is not self.reads:
            self.writes.dispose()


def make_databases(url: str = DEFAULT_URL) -> Databases:
    reads = make_engine(url)
    parsed = make_url(url)
    if reads.dialect.name != "sqlite" or parsed.database in (None, "", ":memory:"):
        return Databases(reads, reads)  # an in-memory SQLite database is one connection anyway
    return Databases(reads, make_engine(url, one_connection=True))


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for `SqlUnitOfWork`. Objects stay readable after commit (they are plain domain objects)."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


def _begin(connection: Connection, statement: str) -> None:
    """BEGIN on the driver's connection itself: through SQLAlchemy's execution it costs more than SQLite takes
    to run it, twice a request. A driver error (the database is locked, say) is raised as SQLAlchemy's."""
    driver = connection.connection.driver_connection
    assert driver is not None, "the connection is open"
    try:
        driver.execute(statement)
    except sqlite3.Error as error:
        raise DBAPIError.instance(statement, None, error, sqlite3.Error) from error


def _ping_after_idle(engine: Engine) -> None:
    """Check a pooled connection before it is handed out, when it has lain unused for `IDLE_BEFORE_PING_S`:
    a server restart, a failover or an idle timeout may have closed it meanwhile. A dead one is replaced, with
    every other connection of the pool that is as old, before anybody uses it. (SQLAlchemy's `pool_pre_ping`
    does this before every use: a round trip per unit of work, while under load the connections are seconds
    old at most.)"""

    @event.listens_for(engine, "checkin")
    def on_checkin(dbapi_connection: Any, connection_record: Any) -> None:
        connection_record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection: Any, connection_record: Any, proxy: Any) -> None:
        idle_since = connection_record.info.pop(_IDLE_SINCE, None)
        if idle_since is None or time.monotonic() - idle_since < IDLE_BEFORE_PING_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
            dbapi_connection.rollback()  # the ping's SELECT opened a transaction: leave none behind
        except engine.dialect.loaded_dbapi.Error as error:
            raise InvalidatePoolError(f"a pooled connection is gone: {error}") from error


def _serialize_sqlite_writers(engine: Engine, *, foreign_keys: bool) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver emits no BEGIN of its own; see on_begin
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
            # FULL: a commit is on disk before the caseworker sees the answer, even across a power loss.
            # NORMAL survives a crash of the process only: its last commits could vanish, and a retry would
            # then be decided anew.
            cursor.execute("PRAGMA synchronous=FULL")
        finally:
            cursor.close()

    writers = threading.Lock()  # one per engine, that is per database file and process

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(READ_ONLY, False):
            _begin(connection, "BEGIN")
            return
        info = connection.info  # the pooled connection's: it outlives this Connection
        if not info.get(_WRITING):  # a connection keeps the lock until it goes back to the pool
            if not writers.acquire(timeout=BUSY_TIMEOUT_MS / 1000):
                raise OperationalError("BEGIN IMMEDIATE", None, TimeoutError("database is locked"))
            info[_WRITING] = True
        try:
            _begin(connection, "BEGIN IMMEDIATE")
        except BaseException:
            release(info)
            raise

    def release(info: dict[Any, Any]) -> None:
        if info.pop(_WRITING, False):
            writers.release()

    # The lock is handed on once the connection is back in the pool (a Session gives its connection back
    # right after COMMIT or ROLLBACK), so the next writer's BEGIN IMMEDIATE never meets SQLite's lock.
    @event.listens_for(engine, "checkin")
    def on_checkin(dbapi_connection: Any, connection_record: Any) -> None:
        release(connection_record.info)

    @event.listens_for(engine, "invalidate")
    def on_invalidate(dbapi_connection: Any, connection_record: Any, exception: Any) -> None:
        release(connection_record.info)
