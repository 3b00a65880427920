"""Upgrade and downgrade a database from code (`mandaat db upgrade` calls `upgrade(url)`).

The Alembic configuration is built here rather than read from an alembic.ini, so this works from an installed
package: the scripts are found next to this module.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from envelopes.persistence.database import make_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    _run(url, lambda config: command.upgrade(config, revision))


def downgrade(url: str, revision: str) -> None:
    """E.g. `downgrade(url, "base")`, which drops every table."""
    _run(url, lambda config: command.downgrade(config, revision))


def current_revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def _run(url: str, act: Callable[[Config], None]) -> None:
    engine = make_engine(url, foreign_keys=False)
    try:
        with engine.connect() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            act(config)
            connection.commit()
    finally:
        engine.dispose()
