"""The pools of a process. PostgreSQL connections that died while they lay in the pool (a restart, a failover,
an idle timeout) are found and replaced before anybody uses them, once they have been idle for
`IDLE_BEFORE_PING_S`; a connection handed straight back out under load is not pinged (that round trip is what
the check saves). On SQLite the writers share one connection; readers have a pool of their own."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from envelopes.persistence import database
from envelopes.persistence.database import make_session_factory
from envelopes.persistence.migrate import upgrade
from envelopes.persistence.unit_of_work import SqlUnitOfWork


@pytest.fixture
def postgres_url(postgres_server_url: str) -> str:
    return postgres_server_url


def _backend_of(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(admin: Engine, pid: int) -> None:
    with admin.connect() as connection:
        assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()


@pytest.mark.postgres
def test_a_connection_that_died_while_idle_is_replaced_before_use(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, admin = database.make_engine(postgres_url), database.make_engine(postgres_url)
    try:
        monkeypatch.setattr(database, "IDLE_BEFORE_PING_S", 0.0)  # every checkout counts as after a pause
        dead = _backend_of(engine)  # the pool keeps this connection
        _terminate(admin, dead)

        assert _backend_of(engine) != dead  # checked, found dead, replaced: the caller never noticed
    finally:
        engine.dispose()
        admin.dispose()


@pytest.mark.postgres
def test_a_connection_used_again_at_once_is_not_checked(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other side of the trade: within the idle time nothing is checked, so a connection killed in that
    moment fails its next statement (and the pool is renewed)."""
    engine, admin = database.make_engine(postgres_url), database.make_engine(postgres_url)
    try:
        monkeypatch.setattr(database, "IDLE_BEFORE_PING_S", 3600.0)
        dead = _backend_of(engine)
        _terminate(admin, dead)

        with pytest.raises(OperationalError):
            _backend_of(engine)
        assert _backend_of(engine) != dead  # the next one is a new connection
    finally:
        engine.dispose()
        admin.dispose()


def test_on_sqlite_the_writers_of_a_process_share_one_connection_and_readers_do_not_wait(
    tmp_path: Path,
) -> None:
    """SQLite forgets a connection's page cache whenever another connection wrote: the writers, who take
    turns anyway, get one connection of their own, whose cache stays the database as it is; readers keep a
    pool and read while a writer holds the write lock."""
    url = f"sqlite:///{tmp_path / 'mandaat.db'}"
    upgrade(url)
    databases = database.make_databases(url)
    try:
        assert databases.reads is not databases.writes
        writers, readers = make_session_factory(databases.writes), make_session_factory(databases.reads)
        seen = set()
        for _ in range(3):
            with SqlUnitOfWork(writers) as uow:
                assert uow.users.count() == 0
                seen.add(id(uow._tracker.connection().connection.dbapi_connection))
        assert len(seen) == 1
        with SqlUnitOfWork(writers) as writer:
            writer.users.count()  # BEGIN IMMEDIATE: the database's write lock is held
            with SqlUnitOfWork(readers, read_only=True) as reader:
                assert reader.users.count() == 0  # at once: no wait for the writer
    finally:
        databases.dispose()


@pytest.mark.postgres
def test_on_postgresql_reads_and_writes_share_one_engine(postgres_url: str) -> None:
    databases = database.make_databases(postgres_url)
    try:
        assert databases.reads is databases.writes
    finally:
        databases.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("empty_database_url", ["postgresql"], indirect=True)
def test_when_the_database_drops_every_connection_one_decision_path_read_fails_not_one_each(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A restart or a failover under load: the first statement on a dead connection fails (and says the
    connection was invalidated); the pool is renewed with it, as SQLAlchemy's own execution does, so the
    next units of work get new connections instead of failing one by one on the other dead ones."""
    monkeypatch.setattr(database, "IDLE_BEFORE_PING_S", 3600.0)  # no ping: the connections look fresh
    engine, admin = database.make_engine(database_url), database.make_engine(database_url)
    try:
        sessions = make_session_factory(engine)
        held = [engine.connect() for _ in range(5)]
        backends = [int(c.execute(text("SELECT pg_backend_pid()")).scalar_one()) for c in held]
        for connection in held:
            connection.close()  # five idle connections in the pool
        for pid in backends:
            _terminate(admin, pid)
        failures = []
        for _ in range(6):
            try:
                with SqlUnitOfWork(sessions) as uow:
                    uow.users.get("nobody")  # a prepared statement, on the driver's cursor
            except OperationalError as error:
                failures.append(error.connection_invalidated)
        assert failures == [True]
    finally:
        engine.dispose()
        admin.dispose()
