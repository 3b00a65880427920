"""The sign-in throttle's counts: one row per login name and per client address (keyed hashes), counted and
locked in the transaction that lets a try be checked, so that parallel tries cannot all pass the limit.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08

Written by hand from `envelopes/persistence/auth_tables.py`, with plain types.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_tries",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("last_try_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("tries >= 0", name=op.f("ck_sign_in_tries_tries")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sign_in_tries")),
    )
    op.create_index("ix_sign_in_tries_last_try_at", "sign_in_tries", ["last_try_at"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_tries_last_try_at", table_name="sign_in_tries")
    op.drop_table("sign_in_tries")
