"""Real databases for the integration tests: every test gets its own, on SQLite and on PostgreSQL.

SQLite: a file in the test's tmp folder. PostgreSQL: a uniquely named schema in the `test` database, put first
on the `search_path` of every connection (through the URL), dropped afterwards. When PostgreSQL is not
reachable the PostgreSQL variants are skipped with the reason — except in CI (`CI=true`), where they fail.
Set MANDAAT_TEST_POSTGRES_URL to use another server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from envelopes.persistence.database import make_engine, make_session_factory
from envelopes.persistence.migrate import upgrade
from envelopes.persistence.unit_of_work import SqlUnitOfWork

POSTGRES_URLS = (
    [os.environ["MANDAAT_TEST_POSTGRES_URL"]]
    if os.environ.get("MANDAAT_TEST_POSTGRES_URL")
    else [
        "postgresql+psycopg://postgres@127.0.0.1:5432/test",
        "postgresql+psycopg://root@127.0.0.1:5432/test",
    ]
)

UowFactory = Callable[[], SqlUnitOfWork]


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as a libpq connection string for psycopg."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The first PostgreSQL URL that answers; skip (or, in CI, fail) when none does."""
    problems = []
    for url in POSTGRES_URLS:
        try:
            with psycopg.connect(_libpq(url), connect_timeout=3) as connection:
                connection.execute("SELECT 1")
            return url
        except psycopg.Error as error:
            problems.append(f"{make_url(url).render_as_string(hide_password=True)}: {error}".strip())
    message = "PostgreSQL not reachable at " + "; ".join(problems)
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'mandaat.db'}"
        return
    server = request.getfixturevalue("postgres_server_url")
    schema = f"test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(_libpq(server), autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield (
            make_url(server)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with psycopg.connect(_libpq(server), autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def database_url(empty_database_url: str) -> str:
    """A URL to a database of its own, migrated to the newest revision."""
    upgrade(empty_database_url)
    return empty_database_url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def new_uow(session_factory: sessionmaker[Session]) -> UowFactory:
    """A fresh unit of work per call (one per transaction, as the use cases take them)."""
    return lambda: SqlUnitOfWork(session_factory)
