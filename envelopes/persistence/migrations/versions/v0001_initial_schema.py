"""The initial schema: every table of Mandaat, and the log anchor's one row.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Generated with autogenerate against PostgreSQL, then reviewed: application types replaced by their plain
equivalents (a migration must not change when the application's code does), and the anchor row added.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

GENESIS = "0" * 64
ID = sa.String(length=32)
USER_ID = sa.String(length=64)
HASH = sa.String(length=64)
CENTS = sa.BigInteger()
MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", USER_ID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("team", sa.String(length=64), nullable=True),
        sa.Column("mandate_ceiling", CENTS, nullable=True),
        sa.CheckConstraint(
            "role IN ('caseworker', 'finance', 'committee', 'policy', 'auditor', 'admin')",
            name=op.f("ck_users_role"),
        ),
        sa.CheckConstraint(
            "mandate_ceiling IS NULL OR mandate_ceiling >= 0", name=op.f("ck_users_mandate_ceiling")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    op.create_table(
        "envelopes",
        sa.Column("id", ID, nullable=False),
        sa.Column("theme", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("team", sa.String(length=64), nullable=True),
        sa.Column("frozen", sa.Boolean(), nullable=False),
        sa.Column("frozen_reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_envelopes")),
    )
    # One envelope per (theme, year, team), and one service-wide (team NULL) per (theme, year).
    for name, columns, where in [
        ("uq_envelopes_theme_year_team", ["theme", "year", "team"], "team IS NOT NULL"),
        ("uq_envelopes_theme_year_service_wide", ["theme", "year"], "team IS NULL"),
    ]:
        op.create_index(
            name,
            "envelopes",
            columns,
            unique=True,
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )
    op.create_table(
        "client_dossiers",
        sa.Column("id", ID, nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("caseworker_id", USER_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["caseworker_id"], ["users.id"], name=op.f("fk_client_dossiers_caseworker_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_dossiers")),
        sa.UniqueConstraint("reference", name=op.f("uq_client_dossiers_reference")),
    )
    op.create_index(op.f("ix_client_dossiers_caseworker_id"), "client_dossiers", ["caseworker_id"])
    op.create_table(
        "household_members",
        sa.Column("key", ID, nullable=False),
        sa.Column("dossier_id", ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("relation", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["client_dossiers.id"],
            name=op.f("fk_household_members_dossier_id_client_dossiers"),
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_household_members")),
    )
    op.create_index(
        "uq_household_members_dossier_id_position",
        "household_members",
        ["dossier_id", "position"],
        unique=True,
    )
    op.create_table(
        "aid_requests",
        sa.Column("id", ID, nullable=False),
        sa.Column("dossier_id", ID, nullable=False),
        sa.Column("beneficiary_key", ID, nullable=False),
        sa.Column("envelope_id", ID, nullable=False),
        sa.Column("theme", sa.String(length=64), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("amount", CENTS, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("requested_by", USER_ID, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("policy_version", HASH, nullable=False),
        sa.Column("approved_amount", CENTS, nullable=True),
        sa.Column("held", CENTS, nullable=False),
        sa.Column("decided_by", USER_ID, nullable=True),
        sa.Column("motivation", sa.Text(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("closing_reason", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "status IN ('approved', 'escalated', 'returned', 'refused', 'withdrawn', 'cancelled')",
            name=op.f("ck_aid_requests_status"),
        ),
        sa.CheckConstraint("outcome IN ('approve', 'escalate')", name=op.f("ck_aid_requests_outcome")),
        sa.CheckConstraint("amount > 0 AND held >= 0 AND quantity > 0", name=op.f("ck_aid_requests_amounts")),
        sa.CheckConstraint(
            "approved_amount IS NULL OR approved_amount > 0", name=op.f("ck_aid_requests_approved_amount")
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["client_dossiers.id"], name=op.f("fk_aid_requests_dossier_id_client_dossiers")
        ),
        sa.ForeignKeyConstraint(
            ["beneficiary_key"],
            ["household_members.key"],
            name=op.f("fk_aid_requests_beneficiary_key_household_members"),
        ),
        sa.ForeignKeyConstraint(
            ["envelope_id"], ["envelopes.id"], name=op.f("fk_aid_requests_envelope_id_envelopes")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["users.id"], name=op.f("fk_aid_requests_requested_by_users")
        ),
        sa.ForeignKeyConstraint(["decided_by"], ["users.id"], name=op.f("fk_aid_requests_decided_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_requests")),
    )
    op.create_index(
        "ix_aid_requests_dossier_id_status_date", "aid_requests", ["dossier_id", "status", "date"]
    )
    op.create_index("ix_aid_requests_status_date", "aid_requests", ["status", "date"])
    op.create_table(
        "ledger_entries",
        sa.Column(
            "number",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("id", ID, nullable=False),
        sa.Column("envelope_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", CENTS, nullable=False),
        sa.Column("recorded_at", MOMENT, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("aid_request_id", ID, nullable=True),
        sa.Column("releases", sa.String(length=16), nullable=True),
        sa.Column("transfer_id", ID, nullable=True),
        sa.CheckConstraint(
            "kind IN ('allocation', 'adjustment', 'transfer_in', 'transfer_out', 'commitment', 'hold', "
            "'release')",
            name=op.f("ck_ledger_entries_kind"),
        ),
        sa.CheckConstraint(
            "releases IS NULL OR releases IN ('hold', 'commitment')", name=op.f("ck_ledger_entries_releases")
        ),
        sa.CheckConstraint(
            "amount > 0 OR (kind = 'adjustment' AND amount <> 0)", name=op.f("ck_ledger_entries_amount")
        ),
        sa.CheckConstraint(
            "(kind = 'release') = (releases IS NOT NULL)", name=op.f("ck_ledger_entries_release_names_what")
        ),
        sa.ForeignKeyConstraint(
            ["envelope_id"], ["envelopes.id"], name=op.f("fk_ledger_entries_envelope_id_envelopes")
        ),
        sa.ForeignKeyConstraint(
            ["aid_request_id"],
            ["aid_requests.id"],
            name=op.f("fk_ledger_entries_aid_request_id_aid_requests"),
            deferrable=True,
            initially="DEFERRED",
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint("id", name=op.f("uq_ledger_entries_id")),
    )
    op.create_index("ix_ledger_entries_envelope_id_number", "ledger_entries", ["envelope_id", "number"])
    op.create_index("ix_ledger_entries_aid_request_id", "ledger_entries", ["aid_request_id"])
    op.create_table(
        "log_entries",
        sa.Column("sequence", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("recorded_at", sa.String(length=40), nullable=False),
        sa.Column("actor_id", USER_ID, nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subjects", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("facts", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("policy_version", HASH, nullable=True),
        sa.Column("matched", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("balances", sa.JSON(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("previous_hash", HASH, nullable=False),
        sa.Column("hash", HASH, nullable=False),
        sa.CheckConstraint("sequence > 0", name=op.f("ck_log_entries_sequence")),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_log_entries")),
        sa.UniqueConstraint("hash", name=op.f("uq_log_entries_hash")),
    )
    anchor = op.create_table(
        "log_anchor",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("hash", HASH, nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_log_anchor_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_anchor")),
    )
    op.bulk_insert(anchor, [{"id": 1, "sequence": 0, "hash": GENESIS}])  # the empty chain's head
    op.create_table(
        "policy_versions",
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("version", HASH, nullable=False),
        sa.Column("registered_by", USER_ID, nullable=False),
        sa.Column("registered_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("effective_from", name=op.f("pk_policy_versions")),
    )
    op.create_index(op.f("ix_policy_versions_version"), "policy_versions", ["version"])
    op.create_table(
        "policy_files",
        sa.Column("version", HASH, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("version", "name", name=op.f("pk_policy_files")),
    )
    op.create_table(
        "idempotency_records",
        sa.Column("actor_id", USER_ID, nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("body_hash", HASH, nullable=False),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("actor_id", "key", name=op.f("pk_idempotency_records")),
    )


def downgrade() -> None:
    """Drop everything (a table's indexes go with it), the referencing tables first."""
    for table in [
        "idempotency_records",
        "policy_files",
        "policy_versions",
        "log_anchor",
        "log_entries",
        "ledger_entries",
        "aid_requests",
        "household_members",
        "client_dossiers",
        "envelopes",
        "users",
    ]:
        op.drop_table(table)
