"""The SQL repositories: every abstract repository of `envelopes.repositories`, on SQLAlchemy Core.

All SQL of the budget domain lives here. The LOCKS methods select `FOR NO KEY UPDATE` on PostgreSQL: it
excludes every other locker of the row until this transaction ends, yet lets other transactions insert rows
that merely reference it (a foreign-key check takes only `FOR KEY SHARE`). SQLite renders no lock clause:
there every write transaction already holds the database's write lock from its `BEGIN IMMEDIATE`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Executable, Insert, Select, Table, bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from envelopes import repositories as abstract
from envelopes.domain.aid_requests import AidRequest, AidStatus
from envelopes.domain.dossiers import ClientDossier
from envelopes.domain.envelopes import Balance, Envelope, LedgerEntry
from envelopes.domain.idempotency import IdempotencyRecord
from envelopes.domain.log import Anchor, LogEntry
from envelopes.domain.policies import PolicyVersion
from envelopes.domain.users import User
from envelopes.persistence import mapping, tables
from envelopes.persistence.mapping import ChangeTracker
from envelopes.persistence.prepared import Prepared
from envelopes.unit_of_work import IdempotencyKeyTaken

T = TypeVar("T")
LOG_BATCH = 500  # log entries fetched per round trip while streaming

# The statements of the hot paths are built once, with bound parameters: building and hashing a statement
# costs more than SQLite takes to run it. Those of a decision are `Prepared` (compiled once per dialect, run
# on the driver's cursor: see prepared.py); the others go through SQLAlchemy's compiled cache.


@functools.cache
def _insert_into(table: Table) -> Insert:
    """`INSERT INTO table`, built once per table (the values come as parameters)."""
    return insert(table)


def _append(table: Table, *, generated: tuple[str, ...] = ()) -> Prepared:
    """`INSERT INTO table` with a parameter for every column but those the database `generated`."""
    columns = [column for column in table.columns if column.name not in generated]
    values = {column.name: bindparam(column.name, type_=column.type) for column in columns}
    return Prepared(insert(table).values(values).inline())  # inline: no RETURNING of what nobody reads


def _locking(statement: Select[Any]) -> Select[Any]:
    """`FOR NO KEY UPDATE` on PostgreSQL (SQLAlchemy spells it `key_share=True`); nothing on SQLite."""
    return statement.with_for_update(key_share=True)


class _Repository:
    def __init__(self, session: Session, tracker: ChangeTracker) -> None:
        self._session = session
        self._tracker = tracker

    def _query(self, statement: Select[Any] | Prepared, params: Mapping[str, Any] | None = None) -> list[Any]:
        """Rows of a query that sees every change this transaction made."""
        if isinstance(statement, Prepared):
            return self._idempotent(lambda: self._tracker.rows(statement, params))
        return list(self._execute(statement, params))  # which writes what came before

    def _run(self, statement: Prepared, params: Mapping[str, Any]) -> None:
        """A write of the decision path: sent with the next query or the commit (see `ChangeTracker`)."""
        self._tracker.defer(statement, params)

    def _idempotent(self, send: Callable[[], T]) -> T:
        """Deferred writes reach the database with a later statement: a second idempotency record for the same
        key, refused there, is told to the use case as at the commit."""
        try:
            return send()
        except IntegrityError as error:
            if not is_idempotency_conflict(error):
                raise
            self._session.rollback()
            self._tracker.clear()
            raise IdempotencyKeyTaken("another transaction stored the same idempotency key first") from error

    def _execute(
        self, statement: Executable, params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None
    ) -> Any:
        """Core statements go straight to the session's connection (its transaction), past the ORM layer,
        after everything written before them."""
        self._idempotent(self._tracker.flush)
        return self._tracker.connection().execute(statement, params)


_envelopes = tables.envelopes
_ENVELOPE = select(_envelopes).where(_envelopes.c.id == bindparam("id"))
_ENVELOPE_OF_SERVICE = select(_envelopes).where(
    _envelopes.c.theme == bindparam("theme"),
    _envelopes.c.year == bindparam("year"),
    _envelopes.c.team.is_(None),
)
_ENVELOPE_OF_TEAM = select(_envelopes).where(
    _envelopes.c.theme == bindparam("theme"),
    _envelopes.c.year == bindparam("year"),
    _envelopes.c.team == bindparam("team"),
)
_ENVELOPE_STATEMENTS = {
    (statement, lock): Prepared(_locking(statement) if lock else statement)
    for statement in (_ENVELOPE, _ENVELOPE_OF_SERVICE, _ENVELOPE_OF_TEAM)
    for lock in (False, True)
}


class SqlEnvelopeRepository(_Repository, abstract.EnvelopeRepository):
    _table = tables.envelopes

    def add(self, envelope: Envelope) -> None:
        self._execute(_insert_into(self._table), mapping.envelope_state(envelope))
        self._track(envelope)

    def get(self, envelope_id: str) -> Envelope | None:
        return self._one(_ENVELOPE_STATEMENTS[_ENVELOPE, False], {"id": envelope_id})

    def get_for_update(self, envelope_id: str) -> Envelope | None:
        return self._one(_ENVELOPE_STATEMENTS[_ENVELOPE, True], {"id": envelope_id}, locked=True)

    def find(self, theme: str, year: int, team: str | None) -> Envelope | None:
        return self._find(theme, year, team, lock=False)

    def find_for_update(self, theme: str, year: int, team: str | None) -> Envelope | None:
        return self._find(theme, year, team, lock=True)

    def _find(self, theme: str, year: int, team: str | None, *, lock: bool) -> Envelope | None:
        statement = _ENVELOPE_OF_SERVICE if team is None else _ENVELOPE_OF_TEAM
        params: dict[str, Any] = {"theme": theme, "year": year}
        if team is not None:
            params["team"] = team
        return self._one(_ENVELOPE_STATEMENTS[statement, lock], params, locked=lock)

    def in_year(self, year: int) -> list[Envelope]:
        columns = self._table.c
        statement = select(self._table).where(columns.year == year)
        rows = self._query(statement.order_by(columns.theme, columns.team.is_not(None), columns.team))
        return [self._track(mapping.envelope_from(row)) for row in rows]

    def _one(
        self, statement: Prepared, params: Mapping[str, Any], *, locked: bool = False
    ) -> Envelope | None:
        rows = self._query(statement, params)
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


_ledger = tables.ledger_entries
_HEAD_QUERY = (
    select(_ledger.c.position, *(_ledger.c[name] for name in tables.RUNNING_TOTALS))
    .where(_ledger.c.envelope_id == bindparam("envelope_id"))
    .order_by(_ledger.c.position.desc())
    .limit(1)
)
_HEAD = Prepared(_HEAD_QUERY)
_APPEND_ENTRY = _append(_ledger, generated=("number",))


class SqlLedgerRepository(_Repository, abstract.LedgerRepository):
    """Each entry carries its place in the envelope's ledger and the envelope's balance after it, so the
    balance is read from the newest entry instead of summed over all of them. Entries are appended under the
    envelope's lock (every use case takes it before it writes): the balance they start from is the newest."""

    _table = tables.ledger_entries

    def add(self, entry: LedgerEntry) -> None:
        position, before = self._head(entry.envelope_id)
        after = before.plus(entry.kind, entry.amount, entry.releases)
        row = {**mapping.ledger_row(entry), **mapping.running_totals(position + 1, after)}
        self._run(_APPEND_ENTRY, row)
        self._tracker.ledger_heads[entry.envelope_id] = (position + 1, after)

    def entries_for(self, envelope_id: str) -> list[LedgerEntry]:
        columns = self._table.c
        statement = select(self._table).where(columns.envelope_id == envelope_id).order_by(columns.position)
        return [mapping.ledger_from(row) for row in self._query(statement)]

    def balance(self, envelope_id: str) -> Balance:
        """The running totals of the envelope's newest entry (all zero before the first)."""
        self._tracker.ledger_heads.pop(envelope_id, None)  # read anew: another may have appended since
        return self._head(envelope_id)[1]

    def _head(self, envelope_id: str) -> tuple[int, Balance]:
        """The newest entry's position and the balance after it, as this transaction last read or wrote it."""
        known = self._tracker.ledger_heads.get(envelope_id)
        if known is None:
            rows = self._query(_HEAD, {"envelope_id": envelope_id})
            known = (rows[0].position, mapping.balance_after(rows[0])) if rows else (0, Balance())
            self._tracker.ledger_heads[envelope_id] = known
        return known


_dossiers = tables.client_dossiers
_members = tables.household_members


def _with_household(statement: Select[Any]) -> Select[Any]:
    """A dossier with its household members, in one statement: a row per member, in their order."""
    return (
        statement.add_columns(_members.c.key, _members.c.birth_date, _members.c.relation)
        .outerjoin(_members, _members.c.dossier_id == _dossiers.c.id)
        .order_by(_members.c.position)
    )


_DOSSIER_QUERY = _with_household(select(_dossiers).where(_dossiers.c.id == bindparam("id")))
_DOSSIER = Prepared(_DOSSIER_QUERY)
_DOSSIER_LOCKED = Prepared(_DOSSIER_QUERY.with_for_update(key_share=True, of=_dossiers))  # its row only
_DOSSIER_BY_REFERENCE = _with_household(
    select(_dossiers).where(_dossiers.c.reference == bindparam("reference"))
)


class SqlDossierRepository(_Repository, abstract.DossierRepository):
    _table = tables.client_dossiers

    def add(self, dossier: ClientDossier) -> None:
        state = mapping.dossier_state(dossier)
        self._execute(_insert_into(self._table), {k: v for k, v in state.items() if k != "members"})
        members = [mapping.member_row(dossier.id, i, member) for i, member in enumerate(dossier.members)]
        if members:
            self._execute(_insert_into(tables.household_members), members)
        self._track(dossier)

    def get(self, dossier_id: str) -> ClientDossier | None:
        return self._one(_DOSSIER, {"id": dossier_id})

    def get_for_update(self, dossier_id: str) -> ClientDossier | None:
        return self._one(_DOSSIER_LOCKED, {"id": dossier_id}, locked=True)

    def find_by_reference(self, reference: str) -> ClientDossier | None:
        return self._one(_DOSSIER_BY_REFERENCE, {"reference": reference})

    def _one(
        self, statement: Select[Any] | Prepared, params: Mapping[str, Any], *, locked: bool = False
    ) -> ClientDossier | None:
        rows = self._query(statement, params)
        if not rows:
            return None
        known = self._tracker.known(self._table, rows[0].id)
        if isinstance(known, ClientDossier) and not locked:
            return known
        household = [row for row in rows if row.key is not None]
        return self._track(mapping.dossier_from(rows[0], household), locked=locked)

    def _track(self, dossier: ClientDossier, *, locked: bool = False) -> ClientDossier:
        return self._tracker.track(
            self._table, dossier.id, dossier, mapping.dossier_state, mapping.update_dossier, locked=locked
        )


_requests = tables.aid_requests
_REQUEST_QUERY = select(_requests).where(_requests.c.id == bindparam("id"))
_REQUEST = Prepared(_REQUEST_QUERY)
_REQUEST_LOCKED = Prepared(_locking(_REQUEST_QUERY))
_APPROVED_FOR_DOSSIER = Prepared(
    select(_requests)
    .where(
        _requests.c.dossier_id == bindparam("dossier_id"),
        _requests.c.status == AidStatus.APPROVED.value,
        _requests.c.date >= bindparam("since"),
    )
    .order_by(_requests.c.date, _requests.c.id)
)
_APPEND_REQUEST = _append(_requests)


class SqlAidRequestRepository(_Repository, abstract.AidRequestRepository):
    _table = tables.aid_requests

    def add(self, request: AidRequest) -> None:
        self._run(_APPEND_REQUEST, mapping.aid_request_state(request))
        self._track(request)

    def get(self, request_id: str) -> AidRequest | None:
        rows = self._query(_REQUEST, {"id": request_id})
        return self._track(mapping.aid_request_from(rows[0])) if rows else None

    def get_for_update(self, request_id: str) -> AidRequest | None:
        rows = self._query(_REQUEST_LOCKED, {"id": request_id})
        return self._track(mapping.aid_request_from(rows[0]), locked=True) if rows else None

    def approved_for_dossier(self, dossier_id: str, since: date) -> list[AidRequest]:
        """A snapshot for the rules to count, not entities to change: not tracked (each would be compared
        with what was read before every later statement of the decision). A use case that changes one of
        them reads it with `get_for_update`."""
        rows = self._query(_APPROVED_FOR_DOSSIER, {"dossier_id": dossier_id, "since": since})
        return [mapping.aid_request_from(row) for row in rows]

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


_USER = Prepared(select(tables.users).where(tables.users.c.id == bindparam("id")))


class SqlUserRepository(_Repository, abstract.UserRepository):
    _table = tables.users

    def add(self, user: User) -> None:
        self._execute(_insert_into(self._table), mapping.user_state(user))
        self._track(user)

    def get(self, user_id: str) -> User | None:
        rows = self._query(_USER, {"id": user_id})
        return self._track(mapping.user_from(rows[0])) if rows else None

    def count(self) -> int:
        return int(self._query(select(func.count()).select_from(self._table))[0][0])

    def _track(self, user: User) -> User:
        return self._tracker.track(
            self._table, user.id, user, mapping.user_state, mapping.update_columns(self._table)
        )


_anchor = tables.log_anchor
_ANCHOR_QUERY = select(_anchor.c.sequence, _anchor.c.hash).where(_anchor.c.id == 1)
_ANCHOR = Prepared(_ANCHOR_QUERY)
_ANCHOR_LOCKED = Prepared(_locking(_ANCHOR_QUERY))
_SET_ANCHOR = Prepared(
    update(_anchor)
    .where(_anchor.c.id == 1)
    .values(sequence=bindparam("new_sequence"), hash=bindparam("new_hash"))
)
_APPEND_LOG_ENTRY = _append(tables.log_entries)


class SqlLogRepository(_Repository, abstract.LogRepository):
    """The anchor is one row (id 1). Appends lock it, so entries are added one transaction at a time."""

    _table = tables.log_entries
    _anchor = tables.log_anchor

    def add(self, entry: LogEntry) -> None:
        self._run(_APPEND_LOG_ENTRY, mapping.log_row(entry))

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
        self._run(_SET_ANCHOR, {"new_sequence": anchor.sequence, "new_hash": anchor.hash})

    def entries(self, after: int = 0) -> Iterator[LogEntry]:
        """Streamed in batches; consume it inside the unit of work."""
        self._idempotent(self._tracker.flush)
        columns = self._table.c
        statement = select(self._table).where(columns.sequence > after).order_by(columns.sequence)
        result = self._session.execute(statement.execution_options(yield_per=LOG_BATCH))
        for row in result:
            yield mapping.log_from(row)

    def _read_anchor(self, *, lock: bool) -> Anchor | None:
        rows = self._query(_ANCHOR_LOCKED if lock else _ANCHOR)
        return Anchor(rows[0].sequence, rows[0].hash) if rows else None


_versions = tables.policy_versions
_VERSION_IN_FORCE = Prepared(
    select(_versions.c.version)
    .where(_versions.c.effective_from <= bindparam("day"))
    .order_by(_versions.c.effective_from.desc())
    .limit(1)
)


class SqlPolicyRepository(_Repository, abstract.PolicyRepository):
    _table = tables.policy_versions
    _files = tables.policy_files

    def add(self, version: PolicyVersion) -> None:
        self._idempotent(self._tracker.flush)
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

    def version_in_force_on(self, day: date) -> str | None:
        rows = self._query(_VERSION_IN_FORCE, {"day": day})
        return str(rows[0].version) if rows else None

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


_records = tables.idempotency_records
_IDEMPOTENCY_RECORD = Prepared(
    select(_records).where(_records.c.actor_id == bindparam("actor_id"), _records.c.key == bindparam("key"))
)
_APPEND_RECORD = _append(_records)


class SqlIdempotencyRepository(_Repository, abstract.IdempotencyRepository):
    _table = tables.idempotency_records

    def get(self, actor_id: str, key: str) -> IdempotencyRecord | None:
        rows = self._query(_IDEMPOTENCY_RECORD, {"actor_id": actor_id, "key": key})
        return mapping.idempotency_from(rows[0]) if rows else None

    def add(self, record: IdempotencyRecord) -> None:
        """A concurrent first try that stored the key first wins: when the record reaches the database (with
        the next statement, or the commit) this transaction is rolled back (on PostgreSQL it is aborted
        anyway) and `IdempotencyKeyTaken` tells the use case to read its answer."""
        self._run(_APPEND_RECORD, mapping.idempotency_row(record))


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
