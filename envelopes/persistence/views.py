"""The read side: what the API and the CLI list and show, in one read-only snapshot per call.

Use cases change state through the unit of work; these queries only read, and never wait for a writer
(a plain `BEGIN` in WAL mode on SQLite; `REPEATABLE READ, READ ONLY` on PostgreSQL). They return the domain's
own objects (or small read models), built by `mapping`. Who may see what is decided by the caller: a
caseworker's lists are filtered with `caseworker_id`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from envelopes.domain.aid_requests import AidRequest, AidStatus
from envelopes.domain.dossiers import ClientDossier
from envelopes.domain.envelopes import Balance, EntryKind, Envelope, LedgerEntry
from envelopes.domain.log import LogEntry
from envelopes.domain.policies import PolicyVersion
from envelopes.domain.users import User
from envelopes.persistence import auth_tables, mapping, tables
from envelopes.persistence.database import READ_ONLY
from rules.money import Money


@dataclass(frozen=True)
class PolicyVersionRow:
    version: str
    effective_from: date
    registered_by: str
    registered_at: datetime


@dataclass(frozen=True)
class LedgerCheck:
    entries: int
    problems: list[str]  # the first problem of each envelope whose ledger is not what its amounts add up to


@dataclass(frozen=True)
class AccountRow:
    user: User
    has_password: bool


class SqlViews:
    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self._session_factory = session_factory

    # --- client dossiers ------------------------------------------------------------------------------------

    def dossiers(self, *, caseworker_id: str | None, limit: int, offset: int = 0) -> list[ClientDossier]:
        columns = tables.client_dossiers.c
        statement = select(tables.client_dossiers).order_by(columns.reference, columns.id)
        if caseworker_id is not None:
            statement = statement.where(columns.caseworker_id == caseworker_id)
        with self._snapshot() as session:
            rows = list(session.execute(statement.limit(limit).offset(offset)))
            return _with_members(session, rows)

    def dossier(self, dossier_id: str) -> ClientDossier | None:
        statement = select(tables.client_dossiers).where(tables.client_dossiers.c.id == dossier_id)
        with self._snapshot() as session:
            found = _with_members(session, list(session.execute(statement)))
        return found[0] if found else None

    def dossier_by_reference(self, reference: str) -> ClientDossier | None:
        statement = select(tables.client_dossiers).where(tables.client_dossiers.c.reference == reference)
        with self._snapshot() as session:
            found = _with_members(session, list(session.execute(statement)))
        return found[0] if found else None

    # --- aid requests ---------------------------------------------------------------------------------------

    def aid_requests(
        self,
        *,
        caseworker_id: str | None,
        statuses: Sequence[AidStatus] = (),
        dossier_id: str | None = None,
        limit: int,
        offset: int = 0,
    ) -> list[AidRequest]:
        """Newest request date first. `caseworker_id`: only requests on the dossiers assigned to them."""
        requests, dossiers = tables.aid_requests, tables.client_dossiers
        statement: Select[Any] = select(requests)
        if caseworker_id is not None:
            statement = statement.join(dossiers, dossiers.c.id == requests.c.dossier_id).where(
                dossiers.c.caseworker_id == caseworker_id
            )
        if statuses:
            statement = statement.where(requests.c.status.in_([status.value for status in statuses]))
        if dossier_id is not None:
            statement = statement.where(requests.c.dossier_id == dossier_id)
        statement = statement.order_by(requests.c.date.desc(), requests.c.id).limit(limit).offset(offset)
        with self._snapshot() as session:
            return [mapping.aid_request_from(row) for row in session.execute(statement)]

    def escalations(self, statuses: Sequence[AidStatus], *, limit: int, offset: int = 0) -> list[AidRequest]:
        """The committee's queue: oldest request date first."""
        columns = tables.aid_requests.c
        statement = (
            select(tables.aid_requests)
            .where(columns.status.in_([status.value for status in statuses]))
            .order_by(columns.date, columns.id)
            .limit(limit)
            .offset(offset)
        )
        with self._snapshot() as session:
            return [mapping.aid_request_from(row) for row in session.execute(statement)]

    def aid_request(self, request_id: str) -> tuple[AidRequest, str] | None:
        """The request and the caseworker its dossier is assigned to."""
        requests, dossiers = tables.aid_requests, tables.client_dossiers
        statement = (
            select(requests, dossiers.c.caseworker_id.label("dossier_caseworker_id"))
            .join(dossiers, dossiers.c.id == requests.c.dossier_id)
            .where(requests.c.id == request_id)
        )
        with self._snapshot() as session:
            rows = list(session.execute(statement))
        return (mapping.aid_request_from(rows[0]), rows[0].dossier_caseworker_id) if rows else None

    # --- envelopes ------------------------------------------------------------------------------------------

    def envelopes(self, *, year: int | None = None) -> list[tuple[Envelope, Balance]]:
        columns = tables.envelopes.c
        statement = select(tables.envelopes).order_by(
            columns.year.desc(), columns.theme, columns.team.is_not(None), columns.team
        )
        if year is not None:
            statement = statement.where(columns.year == year)
        with self._snapshot() as session:
            found = [mapping.envelope_from(row) for row in session.execute(statement)]
            balances = _balances(session, [envelope.id for envelope in found])
        return [(envelope, balances.get(envelope.id, Balance())) for envelope in found]

    def envelope(self, envelope_id: str) -> tuple[Envelope, Balance] | None:
        statement = select(tables.envelopes).where(tables.envelopes.c.id == envelope_id)
        with self._snapshot() as session:
            rows = list(session.execute(statement))
            if not rows:
                return None
            balances = _balances(session, [envelope_id])
        return mapping.envelope_from(rows[0]), balances.get(envelope_id, Balance())

    def ledger(self, envelope_id: str, *, limit: int, offset: int = 0) -> list[LedgerEntry]:
        columns = tables.ledger_entries.c
        statement = (
            select(tables.ledger_entries)
            .where(columns.envelope_id == envelope_id)
            .order_by(columns.number)
            .limit(limit)
            .offset(offset)
        )
        with self._snapshot() as session:
            return [mapping.ledger_from(row) for row in session.execute(statement)]

    def ledger_check(self) -> LedgerCheck:
        """Every ledger entry's place and running totals recomputed from the amounts of the entries before it
        (the balances the decisions read are those totals). Streams every entry, in one snapshot."""
        columns = tables.ledger_entries.c
        statement = select(
            columns.envelope_id,
            columns.position,
            columns.kind,
            columns.amount,
            columns.releases,
            *(columns[name] for name in tables.RUNNING_TOTALS),
        ).order_by(columns.envelope_id, columns.position)
        problems: list[str] = []
        entries, envelope, expected, balance, broken = 0, None, 0, Balance(), False
        with self._snapshot() as session:
            for row in session.execute(statement.execution_options(yield_per=1000)):
                entries += 1
                if row.envelope_id != envelope:
                    envelope, expected, balance, broken = row.envelope_id, 0, Balance(), False
                expected += 1
                released = None if row.releases is None else EntryKind(row.releases)
                balance = balance.plus(EntryKind(row.kind), Money(row.amount), released)
                if broken:
                    continue  # the first problem of an envelope is the one to look into
                if row.position != expected:
                    problems.append(f"envelope {envelope}: entry {expected} is numbered {row.position}")
                    broken = True
                elif mapping.balance_after(row) != balance:
                    problems.append(
                        f"envelope {envelope}: the running totals of entry {row.position} are not the sums "
                        f"of the entries up to it (available {mapping.balance_after(row).available} stored, "
                        f"{balance.available} summed)"
                    )
                    broken = True
        return LedgerCheck(entries, problems)

    # --- the decision log -----------------------------------------------------------------------------------

    def log_entries(self, *, after: int, limit: int) -> list[LogEntry]:
        columns = tables.log_entries.c
        statement = (
            select(tables.log_entries).where(columns.sequence > after).order_by(columns.sequence).limit(limit)
        )
        with self._snapshot() as session:
            return [mapping.log_from(row) for row in session.execute(statement)]

    # --- policy versions ------------------------------------------------------------------------------------

    def policy_versions(self) -> list[PolicyVersionRow]:
        columns = tables.policy_versions.c
        statement = select(tables.policy_versions).order_by(columns.effective_from)
        with self._snapshot() as session:
            return [
                PolicyVersionRow(row.version, row.effective_from, row.registered_by, row.registered_at)
                for row in session.execute(statement)
            ]

    def policy_in_force(self, day: date) -> PolicyVersion | None:
        """The version with the latest effective date on or before `day`, with its rule files."""
        columns = tables.policy_versions.c
        statement = (
            select(tables.policy_versions)
            .where(columns.effective_from <= day)
            .order_by(columns.effective_from.desc())
            .limit(1)
        )
        with self._snapshot() as session:
            rows = list(session.execute(statement))
            if not rows:
                return None
            files = tables.policy_files.c
            texts = session.execute(
                select(files.name, files.text).where(files.version == rows[0].version).order_by(files.name)
            )
            stored = tuple((name, text) for name, text in texts)
        row = rows[0]
        return PolicyVersion(row.version, row.effective_from, stored, row.registered_by, row.registered_at)

    # --- accounts -------------------------------------------------------------------------------------------

    def accounts(self) -> list[AccountRow]:
        users, credentials = tables.users, auth_tables.credentials
        statement = (
            select(users, credentials.c.user_id.is_not(None).label("has_password"))
            .outerjoin(credentials, credentials.c.user_id == users.c.id)
            .order_by(users.c.id)
        )
        with self._snapshot() as session:
            return [
                AccountRow(mapping.user_from(row), bool(row.has_password))
                for row in session.execute(statement)
            ]

    @contextmanager
    def _snapshot(self) -> Iterator[Session]:
        with self._session_factory() as session:
            options: dict[str, object] = {READ_ONLY: True}
            if session.get_bind().dialect.name == "postgresql":
                options.update(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            session.connection(execution_options=options)
            try:
                yield session
            finally:
                session.rollback()


def _with_members(session: Session, rows: list[Any]) -> list[ClientDossier]:
    if not rows:
        return []
    members = tables.household_members
    statement = (
        select(members)
        .where(members.c.dossier_id.in_([row.id for row in rows]))
        .order_by(members.c.dossier_id, members.c.position)
    )
    household: dict[str, list[Any]] = {row.id: [] for row in rows}
    for member in session.execute(statement):
        household[member.dossier_id].append(member)
    return [mapping.dossier_from(row, household[row.id]) for row in rows]


def _newest_entries() -> Select[Any]:
    """The running totals of the newest ledger entry of each envelope in `envelope_ids` (a list)."""
    envelopes, entries, newer = tables.envelopes, tables.ledger_entries, tables.ledger_entries.alias("newer")
    newest = select(func.max(newer.c.position)).where(newer.c.envelope_id == envelopes.c.id)
    return (
        select(entries.c.envelope_id, *(entries.c[name] for name in tables.RUNNING_TOTALS))
        .select_from(envelopes)
        .join(
            entries,
            (entries.c.envelope_id == envelopes.c.id) & (entries.c.position == newest.scalar_subquery()),
        )
        .where(envelopes.c.id.in_(bindparam("envelope_ids", expanding=True)))
    )


_NEWEST_ENTRIES = _newest_entries()  # built once: an alias and its columns cost more than running it


def _balances(session: Session, envelope_ids: list[str]) -> dict[str, Balance]:
    """Every envelope's figures: the running totals of its newest ledger entry (one index lookup each)."""
    if not envelope_ids:
        return {}
    rows = session.execute(_NEWEST_ENTRIES, {"envelope_ids": envelope_ids})
    return {row.envelope_id: mapping.balance_after(row) for row in rows}
