"""Who resubmitted an aid request: nobody decides on aid they asked for, also after a return.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("aid_requests") as batch:
        batch.add_column(sa.Column("resubmitted_by", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("aid_requests") as batch:
        batch.drop_column("resubmitted_by")
