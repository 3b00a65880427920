"""The SQL repositories: every abstract repository of `envelopes.repositories`, on SQLAlchemy Core.

All SQL of the budget domain lives here. The LOCKS methods select `FOR NO KEY UPDATE` on PostgreSQL: it
excludes every other locker of the row until this transaction ends, yet lets other transactions insert rows
that merely reference it (a foreign-key check takes only `FOR KEY SHARE`). SQLite renders no lock clause:
there every write transaction already holds the database's write lock from its `BEGIN IMMEDIATE`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from envelopes import repositories as abstract
from envelopes.domain.aid_requests import AidRequest, AidStatus
from envelopes.domain.dossiers import ClientDossier
from envelopes.domain.envelopes import Balance, EntryKind, Envelope, LedgerEntry
from envelopes.domain.idempotency import IdempotencyRecord
from envelopes.domain.log import Anchor, LogEntry
from envelopes.domain.policies import PolicyVersion
from envelopes.domain.users import User
from envelopes.persistence import mapping, tables
from envelopes.persistence.mapping import ChangeTracker
from envelopes.unit_of_work import IdempotencyKeyTaken
from rules.money import Money

LOG_BATCH = 500  # log entries fetched per round trip while streaming


def _locking(statement: Select[Any]) -> Select[Any]:
    """`FOR NO KEY UPDATE` on PostgreSQL (SQLAlchemy spells it `key_share=True`); nothing on SQLite."""
    return statement.with_for_update(key_share=True)


class _Repository:
    def __init__(self, session: Session, tracker: ChangeTracker) -> None:
        self._session = session
        self._tracker = tracker

    def _query(self, statement: Select[Any]) -> list[Any]:
        """Rows of a query that sees every change this transaction made to tracked objects."""
        self._tracker.flush()
        return list(self._session.execute(statement))


class SqlEnvelopeRepository(_Repository, abstract.EnvelopeRepository):
    _table = tables.envelopes

    def add(self, envelope: Envelope) -> None:
        self._session.execute(insert(self._table).values(mapping.envelope_state(envelope)))
        self._track(envelope)

    def get(self, envelope_id: str) -> Envelope | None:
        return self._one(select(self._table).where(self._table.c.id == envelope_id))

    def get_for_update(self, envelope_id: str) -> Envelope | None:
        statement = _locking(select(self._table).where(self._table.c.id == envelope_id))
        return self._one(statement, locked=True)

    def find(self, theme: str, year: int, team: str | None) -> Envelope | None:
        columns = self._table.c
        team_is = columns.team.is_(None) if team is None else columns.team == team
        return self._one(select(self._table).where(columns.theme == theme, columns.year == year, team_is))

    def in_year(self, year: int) -> list[Envelope]:
        columns = self._table.c
        statement = select(self._table).where(columns.year == year)
        rows = self._query(statement.order_by(columns.theme, columns.team.is_not(None), columns.team))
        return [self._track(mapping.envelope_from(row)) for row in rows]

    def _one(self, statement: Select[Any], *, locked: bool = False) -> Envelope | None:
        rows = self._query(statement)
        return self._track(mapping.envelope_from(rows[0]), locked=locked) if rows else None

    def _track(self, envelope: Envelope, *, locked: bool = False) -> Envelope:
        return self._tracker.track(
            self._table,
            envelope.id,
            envelope,
            mapping.envelope_state,
            mapping.update_columns(self._table),
            locked=locked,
        )


class SqlLedgerRepository(_Repository, abstract.LedgerRepository):
    _table = tables.ledger_entries

    def add(self, entry: LedgerEntry) -> None:
        self._session.execute(insert(self._table).values(mapping.ledger_row(entry)))

    def entries_for(self, envelope_id: str) -> list[LedgerEntry]:
        columns = self._table.c
        statement = select(self._table).where(columns.envelope_id == envelope_id).order_by(columns.number)
        return [mapping.ledger_from(row) for row in self._query(statement)]

    def balance(self, envelope_id: str) -> Balance:
        """One `SUM … GROUP BY kind, releases`; each sum goes through `Balance.plus`, as `Balance.of` does."""
        columns = self._table.c
        statement = (
            select(columns.kind, columns.releases, func.sum(columns.amount))
            .where(columns.envelope_id == envelope_id)
            .group_by(columns.kind, columns.releases)
        )
        balance = Balance()
        for kind, releases, total in self._query(statement):
            released = None if releases is None else EntryKind(releases)
            balance = balance.plus(EntryKind(kind), Money(int(total)), released)
        return balance


class SqlDossierRepository(_Repository, abstract.DossierRepository):
    _table = tables.client_dossiers

    def add(self, dossier: ClientDossier) -> None:
        state = mapping.dossier_state(dossier)
        self._session.execute(insert(self._table).values({k: v for k, v in state.items() if k != "members"}))
        members = [mapping.member_row(dossier.id, i, member) for i, member in enumerate(dossier.members)]
        if members:
            self._session.execute(insert(tables.household_members), members)
        self._track(dossier)

    def get(self, dossier_id: str) -> ClientDossier | None:
        return self._one(select(self._table).where(self._table.c.id == dossier_id))

    def get_for_update(self, dossier_id: str) -> ClientDossier | None:
        return self._one(_locking(select(self._table).where(self._table.c.id == dossier_id)), locked=True)

    def find_by_reference(self, reference: str) -> ClientDossier | None:
        return self._one(select(self._table).where(self._table.c.reference == reference))

    def _one(self, statement: Select[Any], *, locked: bool = False) -> ClientDossier | None:
        rows = self._query(statement)
        if not rows:
            return None
        known = self._tracker.known(self._table, rows[0].id)
        if isinstance(known, ClientDossier) and not locked:
            return known
        members = tables.household_members
        household = self._query(
            select(members).where(members.c.dossier_id == rows[0].id).order_by(members.c.position)
        )
        return self._track(mapping.dossier_from(rows[0], household), locked=locked)

    def _track(self, dossier: ClientDossier, *, locked: bool = False) -> ClientDossier:
        return self._tracker.track(
            self._table, dossier.id, dossier, mapping.dossier_state, mapping.update_dossier, locked=locked
        )


class SqlAidRequestRepository(_Repository, abstract.AidRequestRepository):
    _table = tables.aid_requests

    def add(self, request: AidRequest) -> None:
        self._session.execute(insert(self._table).values(mapping.aid_request_state(request)))
        self._track(request)

    def get(self, request_id: str) -> AidRequest | None:
        rows = self._query(select(self._table).where(self._table.c.id == request_id))
        return self._track(mapping.aid_request_from(rows[0])) if rows else None

    def get_for_update(self, request_id: str) -> AidRequest | None:
        rows = self._query(_locking(select(self._table).where(self._table.c.id == request_id)))
        return self._track(mapping.aid_request_from(rows[0]), locked=True) if rows else None

    def approved_for_dossier(self, dossier_id: str, since: date) -> list[AidRequest]:
        columns = self._table.c
        statement = select(self._table).where(
            columns.dossier_id == dossier_id,
            columns.status == AidStatus.APPROVED.value,
            columns.date >= since,
        )
        rows = self._query(statement.order_by(columns.date, columns.id))
        return [self._track(mapping.aid_request_from(row)) for row in rows]

    def with_status(self, status: AidStatus) -> list[AidRequest]:
        columns = self._table.c
        statement = select(self._table).where(columns.status == status.value)
        rows = self._query(statement.order_by(columns.date, columns.id))
        return [self._track(mapping.aid_request_from(row)) for row in rows]

    def for_dossier(self, dossier_id: str) -> list[AidRequest]:
        columns = self._table.c
        statement = select(self._table).where(columns.dossier_id == dossier_id)
        rows = self._query(statement.order_by(columns.date, columns.id))
        return [self._track(mapping.aid_request_from(row)) for row in rows]

    def _track(self, request: AidRequest, *, locked: bool = False) -> AidRequest:
        return self._tracker.track(
            self._table,
            request.id,
            request,
            mapping.aid_request_state,
            mapping.update_columns(self._table),
            locked=locked,
        )


class SqlUserRepository(_Repository, abstract.UserRepository):
    _table = tables.users

    def add(self, user: User) -> None:
        self._session.execute(insert(self._table).values(mapping.user_state(user)))
        self._track(user)

    def get(self, user_id: str) -> User | None:
        rows = self._query(select(self._table).where(self._table.c.id == user_id))
        return self._track(mapping.user_from(rows[0])) if rows else None

    def count(self) -> int:
        return int(self._query(select(func.count()).select_from(self._table))[0][0])

    def _track(self, user: User) -> User:
        return self._tracker.track(
            self._table, user.id, user, mapping.user_state, mapping.update_columns(self._table)
        )


class SqlLogRepository(_Repository, abstract.LogRepository):
    """The anchor is one row (id 1). Appends lock it, so entries are added one transaction at a time."""

    _table = tables.log_entries
    _anchor = tables.log_anchor

    def add(self, entry: LogEntry) -> None:
        self._session.execute(insert(self._table).values(mapping.log_row(entry)))

    def head(self) -> Anchor:
        return self._read_anchor(lock=False) or Anchor.empty()

    def lock_head(self) -> Anchor:
        anchor = self._read_anchor(lock=True)
        if anchor is None:  # a schema made without the migration's anchor row: make it, then lock it
            empty = Anchor.empty()
            row = {"id": 1, "sequence": empty.sequence, "hash": empty.hash}
            self._session.execute(_insert_if_absent(self._session, self._anchor, row))
            anchor = self._read_anchor(lock=True)
        assert anchor is not None
        return anchor

    def set_head(self, anchor: Anchor) -> None:
        statement = update(self._anchor).where(self._anchor.c.id == 1)
        self._session.execute(statement.values(sequence=anchor.sequence, hash=anchor.hash))

    def entries(self, after: int = 0) -> Iterator[LogEntry]:
        """Streamed in batches; consume it inside the unit of work."""
        self._tracker.flush()
        columns = self._table.c
        statement = select(self._table).where(columns.sequence > after).order_by(columns.sequence)
        result = self._session.execute(statement.execution_options(yield_per=LOG_BATCH))
        for row in result:
            yield mapping.log_from(row)

    def _read_anchor(self, *, lock: bool) -> Anchor | None:
        statement = select(self._anchor.c.sequence, self._anchor.c.hash).where(self._anchor.c.id == 1)
        rows = self._query(_locking(statement) if lock else statement)
        return Anchor(rows[0].sequence, rows[0].hash) if rows else None


class SqlPolicyRepository(_Repository, abstract.PolicyRepository):
    _table = tables.policy_versions
    _files = tables.policy_files

    def add(self, version: PolicyVersion) -> None:
        for name, text in version.files:
            row = {"version": version.version, "name": name, "text": text}
            self._session.execute(_insert_if_absent(self._session, self._files, row))
        self._session.execute(
            insert(self._table).values(
                effective_from=version.effective_from,
                version=version.version,
                registered_by=version.registered_by,
                registered_at=version.registered_at,
            )
        )

    def all(self) -> list[PolicyVersion]:
        return self._versions(select(self._table).order_by(self._table.c.effective_from))

    def get(self, version: str) -> PolicyVersion | None:
        statement = select(self._table).where(self._table.c.version == version)
        found = self._versions(statement.order_by(self._table.c.effective_from).limit(1))
        return found[0] if found else None

    def in_force_on(self, day: date) -> PolicyVersion | None:
        columns = self._table.c
        statement = select(self._table).where(columns.effective_from <= day)
        found = self._versions(statement.order_by(columns.effective_from.desc()).limit(1))
        return found[0] if found else None

    def _versions(self, statement: Select[Any]) -> list[PolicyVersion]:
        rows = self._query(statement)
        hashes = {row.version for row in rows}
        files: dict[str, list[tuple[str, str]]] = {version: [] for version in hashes}
        if hashes:
            columns = self._files.c
            query = select(self._files).where(columns.version.in_(hashes)).order_by(columns.name)
            for file in self._query(query):
                files[file.version].append((file.name, file.text))
        return [
            PolicyVersion(
                row.version,
                row.effective_from,
                tuple(files[row.version]),
                row.registered_by,
                row.registered_at,
            )
            for row in rows
        ]


class SqlIdempotencyRepository(_Repository, abstract.IdempotencyRepository):
    _table = tables.idempotency_records

    def get(self, actor_id: str, key: str) -> IdempotencyRecord | None:
        columns = self._table.c
        rows = self._query(select(self._table).where(columns.actor_id == actor_id, columns.key == key))
        return mapping.idempotency_from(rows[0]) if rows else None

    def add(self, record: IdempotencyRecord) -> None:
        """A concurrent first try that stored the key first wins: this transaction is rolled back (on
        PostgreSQL it is aborted anyway) and `IdempotencyKeyTaken` tells the use case to read its answer."""
        try:
            self._session.execute(insert(self._table).values(mapping.idempotency_row(record)))
        except IntegrityError as error:
            if not is_idempotency_conflict(error):
                raise
            self._session.rollback()
            self._tracker.clear()
            raise IdempotencyKeyTaken(
                f"the idempotency key {record.key!r} was stored first by another"
            ) from error


def is_idempotency_conflict(error: IntegrityError) -> bool:
    """Whether the database refused a second idempotency record with the same (actor_id, key)."""
    original = error.orig
    diag = getattr(original, "diag", None)
    if diag is not None:  # psycopg: unique_violation on the primary key of idempotency_records
        return (
            getattr(original, "sqlstate", None) == "23505"
            and diag.table_name == tables.idempotency_records.name
        )
    return f"UNIQUE constraint failed: {tables.idempotency_records.name}." in str(original)


def _insert_if_absent(session: Session, table: Any, row: dict[str, Any]) -> Any:
    """`INSERT … ON CONFLICT DO NOTHING`, in the dialect at hand."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).values(row).on_conflict_do_nothing()
    return sqlite.insert(table).values(row).on_conflict_do_nothing()
