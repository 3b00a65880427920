"""The database schema: SQLAlchemy Core tables in one MetaData, shared by the repositories and Alembic.

Money is BigInteger cents (never Numeric or float), calendar dates are Date, moments are UTC timestamps.
Uniqueness lives here, not in the code: an idempotency key per actor, a log sequence number, one envelope per
(theme, year, team) — two partial unique indexes, because NULL (the service-wide envelope) is never equal to
NULL in a plain unique constraint — and one policy version per effective date.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    text,
)

from envelopes.domain.aid_requests import AidStatus
from envelopes.domain.envelopes import EntryKind
from envelopes.domain.users import Role
from rules.decision import Outcome

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware moment, stored in UTC (SQLite keeps no offset, so one is put back when it is read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("a stored moment must carry its time zone")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _id(name: str = "id", **kwargs: Any) -> Column[str]:
    return Column(name, String(32), **kwargs)


def _one_of(column: str, values: list[str], name: str, *, nullable: bool = False) -> CheckConstraint:
    allowed = ", ".join(f"'{value}'" for value in values)
    condition = f"{column} IN ({allowed})"
    return CheckConstraint(f"{column} IS NULL OR {condition}" if nullable else condition, name=name)


_KINDS = [kind.value for kind in EntryKind]
_CENTS = BigInteger()
# A row number for insertion order: INTEGER (the rowid) on SQLite, BIGINT identity on PostgreSQL.
_ROW_NUMBER = BigInteger().with_variant(Integer(), "sqlite")
_HASH = String(64)

users = Table(
    "users",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("active", Boolean(create_constraint=False), nullable=False),
    Column("team", String(64)),
    Column("mandate_ceiling", _CENTS),
    _one_of("role", [role.value for role in Role], "role"),
    CheckConstraint("mandate_ceiling IS NULL OR mandate_ceiling >= 0", name="mandate_ceiling"),
)

envelopes = Table(
    "envelopes",
    metadata,
    _id(primary_key=True),
    Column("theme", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("team", String(64)),
    Column("frozen", Boolean(create_constraint=False), nullable=False),
    Column("frozen_reason", Text, nullable=False),
    Index(
        "uq_envelopes_theme_year_team",
        "theme",
        "year",
        "team",
        unique=True,
        sqlite_where=text("team IS NOT NULL"),
        postgresql_where=text("team IS NOT NULL"),
    ),
    Index(
        "uq_envelopes_theme_year_service_wide",
        "theme",
        "year",
        unique=True,
        sqlite_where=text("team IS NULL"),
        postgresql_where=text("team IS NULL"),
    ),
)

client_dossiers = Table(
    "client_dossiers",
    metadata,
    _id(primary_key=True),
    Column("reference", String(64), nullable=False, unique=True),
    Column("caseworker_id", ForeignKey(users.c.id), nullable=False, index=True),
)

household_members = Table(
    "household_members",
    metadata,
    Column("key", String(32), primary_key=True),
    Column("dossier_id", ForeignKey(client_dossiers.c.id), nullable=False),
    Column("position", Integer, nullable=False),  # the order of the dossier's members
    Column("birth_date", Date, nullable=False),
    Column("relation", String(32)),
    Index("uq_household_members_dossier_id_position", "dossier_id", "position", unique=True),
)

aid_requests = Table(
    "aid_requests",
    metadata,
    _id(primary_key=True),
    Column("dossier_id", ForeignKey(client_dossiers.c.id), nullable=False),
    Column("beneficiary_key", ForeignKey(household_members.c.key), nullable=False),
    Column("envelope_id", ForeignKey(envelopes.c.id), nullable=False),
    Column("theme", String(64), nullable=False),
    Column("item", String(64), nullable=False),
    Column("amount", _CENTS, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("date", Date, nullable=False),
    Column("justification", Text, nullable=False),
    Column("requested_by", ForeignKey(users.c.id), nullable=False),
    Column("status", String(16), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("reasons", JSON, nullable=False),  # every reason it escalated, as reasons.reason_to_json
    Column("policy_version", _HASH, nullable=False),
    Column("approved_amount", _CENTS),
    Column("held", _CENTS, nullable=False),
    Column("decided_by", ForeignKey(users.c.id)),
    Column("motivation", Text, nullable=False),
    Column("question", Text, nullable=False),
    Column("closing_reason", Text, nullable=False),
    Column("resubmitted_by", Text, nullable=False, server_default=""),  # user ids, comma-separated
    _one_of("status", [status.value for status in AidStatus], "status"),
    _one_of("outcome", [outcome.value for outcome in Outcome], "outcome"),
    CheckConstraint("amount > 0 AND held >= 0 AND quantity > 0", name="amounts"),
    CheckConstraint("approved_amount IS NULL OR approved_amount > 0", name="approved_amount"),
    Index("ix_aid_requests_dossier_id_status_date", "dossier_id", "status", "date"),
    Index("ix_aid_requests_status_date", "status", "date"),
)

#: The running totals of a ledger entry, in the order of `Balance`'s fields.
RUNNING_TOTALS = (
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

ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("number", _ROW_NUMBER, primary_key=True, autoincrement=True),
    Column("id", String(32), nullable=False, unique=True),
    Column("envelope_id", ForeignKey(envelopes.c.id), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("amount", _CENTS, nullable=False),  # positive; an adjustment's is signed
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("reason", Text, nullable=False),
    Column("aid_request_id", ForeignKey(aid_requests.c.id, deferrable=True, initially="DEFERRED")),
    Column("releases", String(16)),
    Column("transfer_id", String(32)),
    # The entry's place in its envelope's ledger (1, 2, 3, …) and the envelope's balance after it: the running
    # sums of the amounts of every entry up to this one, so that the newest entry gives the balance at once.
    # Unique per envelope: two writers that both read the same newest entry cannot both append after it.
    Column("position", Integer, nullable=False),
    *(Column(name, _CENTS, nullable=False) for name in RUNNING_TOTALS),
    _one_of("kind", _KINDS, "kind"),
    _one_of("releases", [EntryKind.HOLD.value, EntryKind.COMMITMENT.value], "releases", nullable=True),
    CheckConstraint("amount > 0 OR (kind = 'adjustment' AND amount <> 0)", name="amount"),
    CheckConstraint("(kind = 'release') = (releases IS NOT NULL)", name="release_names_what"),
    CheckConstraint("position > 0 AND committed_after >= 0 AND held_after >= 0", name="running_totals"),
    # No overspend, also as the database's own rule: no entry leaves its envelope below zero.
    CheckConstraint(f"{AVAILABLE_AFTER} >= 0", name="never_overspent"),
    Index("uq_ledger_entries_envelope_id_position", "envelope_id", "position", unique=True),
    Index("ix_ledger_entries_aid_request_id", "aid_request_id"),
)

log_entries = Table(
    "log_entries",
    metadata,
    Column("sequence", BigInteger, primary_key=True, autoincrement=False),
    # The text the hash was computed over, kept as written (not re-formatted by a timestamp type).
    Column("recorded_at", String(40), nullable=False),
    Column("actor_id", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subjects", JSON, nullable=False),
    Column("outcome", String(32)),
    Column("facts", JSON(none_as_null=True)),
    Column("policy_version", _HASH),
    Column("matched", JSON, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("balances", JSON, nullable=False),
    Column("details", JSON, nullable=False),
    Column("previous_hash", _HASH, nullable=False),
    Column("hash", _HASH, nullable=False, unique=True),
    CheckConstraint("sequence > 0", name="sequence"),
)

log_anchor = Table(
    "log_anchor",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("sequence", BigInteger, nullable=False),
    Column("hash", _HASH, nullable=False),
    CheckConstraint("id = 1", name="one_row"),
)

policy_versions = Table(
    "policy_versions",
    metadata,
    Column("effective_from", Date, primary_key=True),
    Column("version", _HASH, nullable=False, index=True),
    Column("registered_by", String(64), nullable=False),
    Column("registered_at", UtcDateTime, nullable=False),
)

policy_files = Table(  # the rule files of a version, stored once per content hash
    "policy_files",
    metadata,
    Column("version", _HASH, primary_key=True),
    Column("name", String(100), primary_key=True),
    Column("text", Text, nullable=False),
)

idempotency_records = Table(
    "idempotency_records",
    metadata,
    Column("actor_id", String(64), primary_key=True),
    Column("key", String(128), primary_key=True),
    Column("body_hash", _HASH, nullable=False),
    Column("answer", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)
