"""Every read of a client dossier in the access log (GDPR accountability), and signed-in browser sessions kept
on the server, so that signing out ends a session for good.

- `access_log`: a new event, `dossier.read`, with the dossier's internal id (`dossier_id`) and why it was
  read (`purpose`); an index to find the reads of one dossier.
- `web_sessions`: one row per signed-in browser session (a keyed hash of its id); signing out deletes it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24

Written by hand from `envelopes/persistence/auth_tables.py`, with plain types. SQLite changes a CHECK
constraint only by copying the table: batch mode does that (PostgreSQL gets plain ALTER statements).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

MOMENT = sa.DateTime(timezone=True)
EVENTS = ("login.succeeded", "login.failed", "login.throttled", "access.refused", "password.set")
READ = "dossier.read"


def _events(events: tuple[str, ...]) -> str:
    return "event IN (" + ", ".join(f"'{event}'" for event in events) + ")"


def upgrade() -> None:
    with op.batch_alter_table("access_log") as batch:
        batch.add_column(sa.Column("dossier_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("purpose", sa.String(length=200), nullable=True))
        batch.drop_constraint(op.f("ck_access_log_event"), type_="check")
        batch.create_check_constraint(op.f("ck_access_log_event"), _events((*EVENTS, READ)))
        batch.create_index("ix_access_log_dossier_id_at", ["dossier_id", "at"])
    op.create_table(
        "web_sessions",
        sa.Column("session_key", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("started_at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_web_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("session_key", name=op.f("pk_web_sessions")),
    )
    op.create_index("ix_web_sessions_started_at", "web_sessions", ["started_at"])


def downgrade() -> None:
    op.drop_index("ix_web_sessions_started_at", table_name="web_sessions")
    op.drop_table("web_sessions")
    op.execute(sa.text("DELETE FROM access_log WHERE event = :read").bindparams(read=READ))
    with op.batch_alter_table("access_log") as batch:
        batch.drop_index("ix_access_log_dossier_id_at")
        batch.drop_constraint(op.f("ck_access_log_event"), type_="check")
        batch.create_check_constraint(op.f("ck_access_log_event"), _events(EVENTS))
        batch.drop_column("purpose")
        batch.drop_column("dossier_id")
