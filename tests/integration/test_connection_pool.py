"""PostgreSQL connections that died while they lay in the pool (a restart, a failover, an idle timeout) are
found and replaced before anybody uses them, once they have been idle for `IDLE_BEFORE_PING_S`; a connection
handed straight back out under load is not pinged (that round trip is what the check saves)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from envelopes.persistence import database

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres_url(postgres_server_url: str) -> str:
    return postgres_server_url


def _backend_of(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(admin: Engine, pid: int) -> None:
    with admin.connect() as connection:
        assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()


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
