"""Running totals on the ledger: each entry says where it stands in its envelope's ledger (`position`: 1, 2,
3, …) and what the envelope's balance is after it (`allocated_after` … `held_after`: the sums of every entry
up to it). A decision then reads its envelope's balance from the newest entry instead of summing all of them,
which grew with every decision of the year.

- `position` is unique per envelope (it replaces the index on envelope and insertion number): two writers that
  both started from the same newest entry cannot both append after it.
- CHECK `never_overspent`: no entry leaves its envelope below zero — the no-overspend rule, now also the
  database's own. Committed and held amounts never go below zero either.

Existing entries are numbered and summed in the order they were written (`number`). A database whose ledger
ever went below zero stops this migration with the CHECK's error: that must be looked into, not papered over.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

CENTS = sa.BigInteger()
TOTALS = (
    "allocated_after",
    "adjusted_after",
    "transferred_in_after",
    "transferred_out_after",
    "committed_after",
    "held_after",
)
AVAILABLE_AFTER = (
    "allocated_after + adjusted_after + transferred_in_after - transferred_out_after"
    " - committed_after - held_after"
)
# What an entry adds to each running total, by kind (and, for a release, by what it releases).
FUNDING = {"allocation": "allocated_after", "adjustment": "adjusted_after"}
FUNDING |= {"transfer_in": "transferred_in_after", "transfer_out": "transferred_out_after"}
SPENDING = {"commitment": "committed_after", "hold": "held_after"}


def upgrade() -> None:
    with op.batch_alter_table("ledger_entries") as batch:
        batch.add_column(sa.Column("position", sa.Integer(), nullable=True))
        for name in TOTALS:
            batch.add_column(sa.Column(name, CENTS, nullable=True))
    _fill_running_totals()
    with op.batch_alter_table("ledger_entries") as batch:
        batch.alter_column("position", existing_type=sa.Integer(), nullable=False)
        for name in TOTALS:
            batch.alter_column(name, existing_type=CENTS, nullable=False)
        batch.drop_index("ix_ledger_entries_envelope_id_number")
        batch.create_index("uq_ledger_entries_envelope_id_position", ["envelope_id", "position"], unique=True)
        batch.create_check_constraint(
            op.f("ck_ledger_entries_running_totals"),
            "position > 0 AND committed_after >= 0 AND held_after >= 0",
        )
        batch.create_check_constraint(op.f("ck_ledger_entries_never_overspent"), f"{AVAILABLE_AFTER} >= 0")


def _fill_running_totals() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT number, envelope_id, kind, amount, releases FROM ledger_entries ORDER BY number")
    )
    running: dict[str, dict[str, int]] = {}
    positions: dict[str, int] = {}
    updates = []
    for number, envelope_id, kind, amount, releases in rows:
        totals = running.setdefault(envelope_id, dict.fromkeys(TOTALS, 0))
        if kind == "release":
            totals[SPENDING[releases]] -= amount
        else:
            totals[FUNDING.get(kind) or SPENDING[kind]] += amount
        positions[envelope_id] = positions.get(envelope_id, 0) + 1
        updates.append({"row": number, "position": positions[envelope_id], **totals})
    if updates:
        entries = sa.table(
            "ledger_entries", sa.column("number"), *(sa.column(n) for n in ("position", *TOTALS))
        )
        statement = (
            sa.update(entries)
            .where(entries.c.number == sa.bindparam("row"))
            .values({name: sa.bindparam(name) for name in ("position", *TOTALS)})
        )
        connection.execute(statement, updates)


def downgrade() -> None:
    with op.batch_alter_table("ledger_entries") as batch:
        batch.drop_constraint(op.f("ck_ledger_entries_never_overspent"), type_="check")
        batch.drop_constraint(op.f("ck_ledger_entries_running_totals"), type_="check")
        batch.drop_index("uq_ledger_entries_envelope_id_position")
        batch.create_index("ix_ledger_entries_envelope_id_number", ["envelope_id", "number"])
        for name in reversed(TOTALS):
            batch.drop_column(name)
        batch.drop_column("position")
