"""The explicit mapping between rows and domain objects, and the change tracker of one unit of work.

Why not the ORM's imperative mapping: the domain is made of frozen dataclasses and value types (Money,
tuples of household members and reasons, enums) that the ORM would have to instrument, wrap in composites
or turn into relationships, changing classes the unit tests use with fakes. Plain functions from a row to an
object and back keep the domain untouched and every column visible. The price is this small tracker: it gives
the repository contract ("entities read are changed in place; the unit of work writes the changes on
commit") by remembering what each mutable entity looked like when it was read or added, and writing the
columns that differ — before every query (so a query sees this transaction's changes) and on commit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Row, Table, insert, update
from sqlalchemy.orm import Session

from envelopes.domain.aid_requests import AidRequest, AidStatus
from envelopes.domain.dossiers import ClientDossier, HouseholdMember
from envelopes.domain.envelopes import Balance, EntryKind, Envelope, LedgerEntry
from envelopes.domain.idempotency import IdempotencyRecord
from envelopes.domain.log import LogEntry
from envelopes.domain.reasons import reason_from_json, reason_to_json
from envelopes.domain.users import Role, User
from envelopes.persistence import tables
from envelopes.persistence.prepared import Prepared, Write, write_then
from rules.decision import Outcome
from rules.money import Money

E = TypeVar("E")
State = dict[str, Any]

# --- mutable aggregates: state (what is stored) and back ----------------------------------------------------


def envelope_state(envelope: Envelope) -> State:
    return {
        "id": envelope.id,
        "theme": envelope.theme,
        "year": envelope.year,
        "team": envelope.team,
        "frozen": envelope.frozen,
        "frozen_reason": envelope.frozen_reason,
    }


def envelope_from(row: Row[Any]) -> Envelope:
    return Envelope(row.id, row.theme, row.year, row.team, row.frozen, row.frozen_reason)


def user_state(user: User) -> State:
    return {
        "id": user.id,
        "name": user.name,
        "role": user.role.value,
        "active": user.active,
        "team": user.team,
        "mandate_ceiling": None if user.mandate_ceiling is None else user.mandate_ceiling.cents,
    }


def user_from(row: Row[Any]) -> User:
    ceiling = None if row.mandate_ceiling is None else Money(row.mandate_ceiling)
    return User(row.id, row.name, Role(row.role), row.active, row.team, ceiling)


def dossier_state(dossier: ClientDossier) -> State:
    return {
        "id": dossier.id,
        "reference": dossier.reference,
        "caseworker_id": dossier.caseworker_id,
        "members": tuple(dossier.members),
    }


def member_row(dossier_id: str, position: int, member: HouseholdMember) -> State:
    return {
        "key": member.key,
        "dossier_id": dossier_id,
        "position": position,
        "birth_date": member.birth_date,
        "relation": member.relation,
    }


def dossier_from(row: Row[Any], members: list[Row[Any]]) -> ClientDossier:
    household = tuple(HouseholdMember(m.key, m.birth_date, m.relation) for m in members)
    return ClientDossier(row.id, row.reference, row.caseworker_id, household)


def aid_request_state(request: AidRequest) -> State:
    return {
        "id": request.id,
        "dossier_id": request.dossier_id,
        "beneficiary_key": request.beneficiary_key,
        "envelope_id": request.envelope_id,
        "theme": request.theme,
        "item": request.item,
        "amount": request.amount.cents,
        "quantity": request.quantity,
        "date": request.date,
        "justification": request.justification,
        "requested_by": request.requested_by,
        "status": request.status.value,
        "outcome": request.outcome.value,
        "reasons": [reason_to_json(reason) for reason in request.reasons],
        "policy_version": request.policy_version,
        "approved_amount": None if request.approved_amount is None else request.approved_amount.cents,
        "held": request.held.cents,
        "decided_by": request.decided_by,
        "motivation": request.motivation,
        "question": request.question,
        "closing_reason": request.closing_reason,
        "resubmitted_by": ",".join(request.resubmitted_by),
    }


def aid_request_from(row: Row[Any]) -> AidRequest:
    return AidRequest(
        id=row.id,
        dossier_id=row.dossier_id,
        beneficiary_key=row.beneficiary_key,
        envelope_id=row.envelope_id,
        theme=row.theme,
        item=row.item,
        amount=Money(row.amount),
        quantity=row.quantity,
        date=row.date,
        justification=row.justification,
        requested_by=row.requested_by,
        status=AidStatus(row.status),
        outcome=Outcome(row.outcome),
        reasons=tuple(reason_from_json(reason) for reason in row.reasons),
        policy_version=row.policy_version,
        approved_amount=None if row.approved_amount is None else Money(row.approved_amount),
        held=Money(row.held),
        decided_by=row.decided_by,
        motivation=row.motivation,
        question=row.question,
        closing_reason=row.closing_reason,
        resubmitted_by=tuple(row.resubmitted_by.split(",")) if row.resubmitted_by else (),
    )


# --- append-only records --------------------------------------------------------------------------------


def ledger_row(entry: LedgerEntry) -> State:
    return {
        "id": entry.id,
        "envelope_id": entry.envelope_id,
        "kind": entry.kind.value,
        "amount": entry.amount.cents,
        "recorded_at": entry.recorded_at,
        "reason": entry.reason,
        "aid_request_id": entry.aid_request_id,
        "releases": None if entry.releases is None else entry.releases.value,
        "transfer_id": entry.transfer_id,
    }


def running_totals(position: int, after: Balance) -> State:
    """The columns of a ledger entry that say where it stands: its place in the envelope's ledger and the
    envelope's balance after it."""
    return {
        "position": position,
        "allocated_after": after.allocated.cents,
        "adjusted_after": after.adjusted.cents,
        "transferred_in_after": after.transferred_in.cents,
        "transferred_out_after": after.transferred_out.cents,
        "committed_after": after.committed.cents,
        "held_after": after.held.cents,
    }


def balance_after(row: Row[Any]) -> Balance:
    """The envelope's balance after the entry of `row` (its running totals)."""
    return Balance(
        allocated=Money(row.allocated_after),
        adjusted=Money(row.adjusted_after),
        transferred_in=Money(row.transferred_in_after),
        transferred_out=Money(row.transferred_out_after),
        committed=Money(row.committed_after),
        held=Money(row.held_after),
    )


def ledger_from(row: Row[Any]) -> LedgerEntry:
    return LedgerEntry(
        id=row.id,
        envelope_id=row.envelope_id,
        kind=EntryKind(row.kind),
        amount=Money(row.amount),
        recorded_at=row.recorded_at,
        reason=row.reason,
        aid_request_id=row.aid_request_id,
        releases=None if row.releases is None else EntryKind(row.releases),
        transfer_id=row.transfer_id,
    )


def log_row(entry: LogEntry) -> State:
    return {**entry.content(), "hash": entry.hash}


def log_from(row: Row[Any]) -> LogEntry:
    return LogEntry(
        sequence=row.sequence,
        recorded_at=row.recorded_at,
        actor_id=row.actor_id,
        action=row.action,
        subjects=row.subjects,
        outcome=row.outcome,
        facts=row.facts,
        policy_version=row.policy_version,
        matched=tuple(row.matched),
        reasons=tuple(row.reasons),
        balances=row.balances,
        details=row.details,
        previous_hash=row.previous_hash,
        hash=row.hash,
    )


def idempotency_row(record: IdempotencyRecord) -> State:
    return {
        "actor_id": record.actor_id,
        "key": record.key,
        "body_hash": record.body_hash,
        "answer": dict(record.answer),
        "created_at": record.created_at,
    }


def idempotency_from(row: Row[Any]) -> IdempotencyRecord:
    return IdempotencyRecord(row.actor_id, row.key, row.body_hash, row.answer, row.created_at)


# --- writing changes ------------------------------------------------------------------------------------


def update_columns(table: Table) -> Callable[[Session, State, State], None]:
    """Write the changed columns of one row, found by its `id`."""

    def write(session: Session, before: State, after: State) -> None:
        changed = {name: value for name, value in after.items() if before.get(name) != value}
        if changed:
            session.execute(update(table).where(table.c.id == after["id"]).values(changed))

    return write


def update_dossier(session: Session, before: State, after: State) -> None:
    update_columns(tables.client_dossiers)(
        session,
        {k: v for k, v in before.items() if k != "members"},
        {k: v for k, v in after.items() if k != "members"},
    )
    old: Mapping[str, HouseholdMember] = {member.key: member for member in before["members"]}
    new_keys = {member.key for member in after["members"]}
    if not set(old) <= new_keys:
        raise ValueError("household members are never removed: their aid requests name them")
    for position, member in enumerate(after["members"]):
        row = member_row(after["id"], position, member)
        if member.key not in old:
            session.execute(insert(tables.household_members).values(row))
        elif member != old[member.key] or position != before["members"].index(old[member.key]):
            members = tables.household_members
            session.execute(update(members).where(members.c.key == member.key).values(row))


@dataclass
class _Tracked(Generic[E]):
    entity: E
    written: State
    state: Callable[[E], State]
    write: Callable[[Session, State, State], None]


class ChangeTracker:
    """The identity map of one unit of work: one object per row, and what was last written for it."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._tracked: dict[tuple[str, str], _Tracked[Any]] = {}
        # Per envelope: the position of its newest ledger entry and the balance after it, as read or written
        # in this transaction (the ledger repository appends after it).
        self.ledger_heads: dict[str, tuple[int, Balance]] = {}
        self._connection: Connection | None = None
        # Inserts and updates of the decision path, sent with the next query or the commit (prepared.py)
        self._pending: list[Write] = []

    def connection(self) -> Connection:
        """The connection of this transaction (the session's), kept at hand: asking the session for it on
        every statement costs more than many of the statements take to run."""
        if self._connection is None:
            self._connection = self._session.connection()
        return self._connection

    def known(self, table: Table, key: str) -> Any | None:
        tracked = self._tracked.get((table.name, key))
        return None if tracked is None else tracked.entity

    def track(
        self,
        table: Table,
        key: str,
        entity: E,
        state: Callable[[E], State],
        write: Callable[[Session, State, State], None],
        *,
        locked: bool = False,
    ) -> E:
        """Remember `entity` as just read (or added). An object already known for that row wins (the identity
        map); when the row was read under a lock, the known object is first brought up to date from it: an
        earlier unlocked read may have seen what another transaction has changed since (READ COMMITTED)."""
        known = self._tracked.get((table.name, key))
        if known is None:
            self._tracked[(table.name, key)] = _Tracked(entity, state(entity), state, write)
            return entity
        if locked:
            for field in fields(known.entity):
                setattr(known.entity, field.name, getattr(entity, field.name))
            known.written = state(known.entity)
        return known.entity  # type: ignore[no-any-return]

    def defer(self, statement: Prepared, params: Mapping[str, Any]) -> None:
        """A write to send with the next query or the commit, in the order written."""
        self._pending.append((statement, params))

    def flush(self) -> None:
        """Write everything this transaction changed: the deferred writes, then the changes of the entities
        read or added (an entity added and changed since is inserted first, then updated)."""
        self._send()

    def rows(self, statement: Prepared, params: Mapping[str, Any] | None) -> list[Any]:
        """The rows of a query that sees every change of this transaction; the deferred writes go with it in
        one round trip when nothing else is to be written first."""
        found = self._send(read=(statement, params or {}))
        assert found is not None
        return found

    def commit(self) -> None:
        """Write what is left, and commit: on PostgreSQL the deferred writes and the COMMIT in one round
        trip."""
        self._send(commit=True)
        self._connection = None  # the session commits (what is left of it) and gives the connection back
        self._session.commit()

    def _send(self, *, read: Write | None = None, commit: bool = False) -> list[Any] | None:
        """The deferred writes, with `read` (its rows are returned) or with the COMMIT where the driver can
        send them together; when an entity changed too, the deferred writes go first, then its update, then
        `read` on its own."""
        pending, self._pending = self._pending, []
        changed = self._changed()
        if changed:
            if pending:
                write_then(self.connection(), pending)
            self._write(changed)
            return None if read is None else read[0].rows(self.connection(), read[1])
        if pending or read is not None:
            return write_then(self.connection(), pending, read=read, commit=commit)
        return None  # nothing to send: no transaction is begun for it

    def _changed(self) -> list[tuple[_Tracked[Any], State]]:
        changed = []
        for tracked in self._tracked.values():
            now = tracked.state(tracked.entity)
            if now != tracked.written:
                changed.append((tracked, now))
        return changed

    def _write(self, changed: list[tuple[_Tracked[Any], State]]) -> None:
        for tracked, now in changed:
            tracked.write(self._session, tracked.written, now)
            tracked.written = now

    def clear(self) -> None:
        self._tracked.clear()
        self.ledger_heads.clear()
        self._pending.clear()
        self._connection = None
