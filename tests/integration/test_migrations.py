"""Migrations: upgrade an empty database, find exactly the schema the code declares, downgrade to nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select

from envelopes.domain.log import Anchor
from envelopes.persistence import tables
from envelopes.persistence.database import make_engine
from envelopes.persistence.migrate import alembic_config, current_revision, downgrade, upgrade

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def schema_differences(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, tables.metadata))
    finally:
        engine.dispose()


def test_upgrade_from_empty_then_downgrade_to_base(
    empty_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no alembic.ini anywhere near: the configuration is built in code
    assert table_names(empty_database_url) == set()
    assert current_revision(empty_database_url) is None

    upgrade(empty_database_url)

    assert current_revision(empty_database_url) == HEAD
    assert table_names(empty_database_url) == set(tables.metadata.tables) | {"alembic_version"}
    assert schema_differences(empty_database_url) == []
    upgrade(empty_database_url)  # already at head: nothing to do
    assert current_revision(empty_database_url) == HEAD

    downgrade(empty_database_url, "base")

    assert current_revision(empty_database_url) is None
    assert table_names(empty_database_url) == {"alembic_version"}


def test_the_migrated_log_starts_with_the_empty_anchor_and_survives_a_round_trip(
    empty_database_url: str,
) -> None:
    upgrade(empty_database_url)
    downgrade(empty_database_url, "base")
    upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(tables.log_anchor)).all()
    finally:
        engine.dispose()
    empty = Anchor.empty()
    assert [tuple(row) for row in rows] == [(1, empty.sequence, empty.hash)]


def test_there_is_one_head_and_one_initial_revision() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    assert len(scripts.get_heads()) == 1
    assert [revision.down_revision for revision in scripts.walk_revisions()][-1] is None
