"""Alembic's entry point. Run through `envelopes.persistence.migrate`, which passes an open connection (or,
for `alembic upgrade --sql`, a URL) — there is no alembic.ini on disk.

Batch mode on SQLite (`render_as_batch`): SQLite cannot alter most of a table in place, so a change is made by
copying the table. The recipe in `database.py` makes SQLite DDL transactional, so a whole upgrade is one
transaction on both databases: it applies completely or not at all.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from envelopes.persistence.tables import metadata


def _configure(**options: object) -> None:
    context.configure(
        target_metadata=metadata,
        compare_type=True,
        transaction_per_migration=False,
        **options,  # type: ignore[arg-type]
    )


def run_offline() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    _configure(url=url, literal_binds=True, render_as_batch=str(url).startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def run_online(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    _configure(connection=connection, render_as_batch=sqlite, transactional_ddl=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online(context.config.attributes["connection"])
