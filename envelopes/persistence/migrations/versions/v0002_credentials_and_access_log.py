"""Sign-in and access: password credentials, the access log, the instance's own secrets.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Written by hand from `envelopes/persistence/auth_tables.py`, with plain types (a migration must not change
when the application's code does).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# The tables are declared on the shared MetaData by their own module: import it, so that everything that
# compares the database with `tables.metadata` (autogenerate, the migration tests) sees them too.
import envelopes.persistence.auth_tables  # noqa: F401

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MOMENT = sa.DateTime(timezone=True)
EVENTS = ("login.succeeded", "login.failed", "login.throttled", "access.refused", "password.set")


def upgrade() -> None:
    op.create_table(
        "credentials",
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("token_version", sa.Integer(), nullable=False),
        sa.Column("changed_at", MOMENT, nullable=False),
        sa.CheckConstraint("token_version >= 1", name=op.f("ck_credentials_token_version")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_credentials_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_credentials")),
    )
    op.create_table(
        "access_log",
        sa.Column(
            "number",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", MOMENT, nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=True),
        sa.Column("account_key", sa.String(length=64), nullable=True),
        sa.Column("client_key", sa.String(length=64), nullable=True),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("route", sa.String(length=200), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("detail", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "event IN (" + ", ".join(f"'{event}'" for event in EVENTS) + ")",
            name=op.f("ck_access_log_event"),
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_access_log")),
    )
    op.create_index("ix_access_log_account_key_at", "access_log", ["account_key", "at"])
    op.create_index("ix_access_log_client_key_at", "access_log", ["client_key", "at"])
    op.create_table(
        "instance_secrets",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_instance_secrets")),
    )


def downgrade() -> None:
    for table in ["instance_secrets", "access_log", "credentials"]:
        op.drop_table(table)
