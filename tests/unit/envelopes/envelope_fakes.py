"""In-memory fakes for the use cases: a unit of work with real rollback, and a clock.

`FakeUnitOfWork` copies the committed state on enter and swaps it in on commit, so a use case that fails (or a
preview) leaves the committed state exactly as it was. It records the locks taken, in order.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Self

from envelopes.domain.aid_requests import AidRequest, AidStatus
from envelopes.domain.dossiers import ClientDossier
from envelopes.domain.envelopes import Envelope, LedgerEntry
from envelopes.domain.idempotency import IdempotencyRecord
from envelopes.domain.log import Anchor, LogEntry
from envelopes.domain.policies import PolicyVersion
from envelopes.domain.users import User
from envelopes.repositories import (
    AidRequestRepository,
    DossierRepository,
    EnvelopeRepository,
    IdempotencyRepository,
    LedgerRepository,
    LogRepository,
    PolicyRepository,
    UserRepository,
)
from envelopes.unit_of_work import IdempotencyKeyTaken, UnitOfWork

# --- state and unit of work --------------------------------------------------------------------------------


@dataclass
class FakeState:
    envelopes: dict[str, Envelope] = field(default_factory=dict)
    ledger: list[LedgerEntry] = field(default_factory=list)
    dossiers: dict[str, ClientDossier] = field(default_factory=dict)
    requests: dict[str, AidRequest] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    log: list[LogEntry] = field(default_factory=list)
    head: Anchor = field(default_factory=Anchor.empty)
    policies: list[PolicyVersion] = field(default_factory=list)
    idempotency: dict[tuple[str, str], IdempotencyRecord] = field(default_factory=dict)

    def copy(self) -> FakeState:
        """Entities are copied (they change in place); entries and records are immutable and shared."""
        return FakeState(
            envelopes={k: copy.copy(v) for k, v in self.envelopes.items()},
            ledger=list(self.ledger),
            dossiers={k: copy.copy(v) for k, v in self.dossiers.items()},
            requests={k: copy.copy(v) for k, v in self.requests.items()},
            users={k: copy.copy(v) for k, v in self.users.items()},
            log=list(self.log),
            head=self.head,
            policies=list(self.policies),
            idempotency=dict(self.idempotency),
        )


class FakeDatabase:
    def __init__(self) -> None:
        self.state = FakeState()


class FakeUnitOfWork(UnitOfWork):
    def __init__(self, db: FakeDatabase | None = None) -> None:
        self.db = db or FakeDatabase()
        self.commits = 0
        self.locks: list[tuple[str, str]] = []
        self.before_commit: Callable[[], None] | None = None  # runs once, e.g. to commit a rival transaction
        self.new_keys: list[tuple[str, str]] = []

    def __enter__(self) -> Self:
        self.locks, self.new_keys = [], []
        working = self.db.state.copy()
        self.envelopes = FakeEnvelopes(working, self.locks)
        self.ledger = FakeLedger(working)
        self.dossiers = FakeDossiers(working, self.locks)
        self.requests = FakeAidRequests(working, self.locks)
        self.users = FakeUsers(working)
        self.log = FakeLog(working, self.locks)
        self.policies = FakePolicies(working)
        self.idempotency = FakeIdempotency(working, self.new_keys)
        self._working = working
        return super().__enter__()

    def _commit(self) -> None:
        hook, self.before_commit = self.before_commit, None
        if hook is not None:
            hook()
        if any(key in self.db.state.idempotency for key in self.new_keys):
            raise IdempotencyKeyTaken()
        self.db.state = self._working
        self.commits += 1

    def rollback(self) -> None:
        self._working = FakeState()  # whatever this transaction changed is gone


class FakeEnvelopes(EnvelopeRepository):
    def __init__(self, state: FakeState, locks: list[tuple[str, str]]) -> None:
        self.state, self.locks = state, locks

    def add(self, envelope: Envelope) -> None:
        self.state.envelopes[envelope.id] = envelope

    def get(self, envelope_id: str) -> Envelope | None:
        return self.state.envelopes.get(envelope_id)

    def get_for_update(self, envelope_id: str) -> Envelope | None:
        self.locks.append(("envelope", envelope_id))
        return self.get(envelope_id)

    def find(self, theme: str, year: int, team: str | None) -> Envelope | None:
        return next(
            (e for e in self.state.envelopes.values() if (e.theme, e.year, e.team) == (theme, year, team)),
            None,
        )

    def in_year(self, year: int) -> list[Envelope]:
        found = [e for e in self.state.envelopes.values() if e.year == year]
        return sorted(found, key=lambda e: (e.theme, e.team is not None, e.team or ""))


class FakeLedger(LedgerRepository):
    def __init__(self, state: FakeState) -> None:
        self.state = state

    def add(self, entry: LedgerEntry) -> None:
        self.state.ledger.append(entry)

    def entries_for(self, envelope_id: str) -> list[LedgerEntry]:
        return [e for e in self.state.ledger if e.envelope_id == envelope_id]


class FakeDossiers(DossierRepository):
    def __init__(self, state: FakeState, locks: list[tuple[str, str]]) -> None:
        self.state, self.locks = state, locks

    def add(self, dossier: ClientDossier) -> None:
        self.state.dossiers[dossier.id] = dossier

    def get(self, dossier_id: str) -> ClientDossier | None:
        return self.state.dossiers.get(dossier_id)

    def get_for_update(self, dossier_id: str) -> ClientDossier | None:
        self.locks.append(("dossier", dossier_id))
        return self.get(dossier_id)

    def find_by_reference(self, reference: str) -> ClientDossier | None:
        return next((d for d in self.state.dossiers.values() if d.reference == reference), None)


class FakeAidRequests(AidRequestRepository):
    def __init__(self, state: FakeState, locks: list[tuple[str, str]]) -> None:
        self.state, self.locks = state, locks

    def add(self, request: AidRequest) -> None:
        self.state.requests[request.id] = request

    def get(self, request_id: str) -> AidRequest | None:
        return self.state.requests.get(request_id)

    def get_for_update(self, request_id: str) -> AidRequest | None:
        self.locks.append(("aid_request", request_id))
        return self.get(request_id)

    def approved_for_dossier(self, dossier_id: str, since: date) -> list[AidRequest]:
        return [
            r
            for r in self.state.requests.values()
            if r.dossier_id == dossier_id and r.status is AidStatus.APPROVED and r.date >= since
        ]

    def with_status(self, status: AidStatus) -> list[AidRequest]:
        return sorted((r for r in self.state.requests.values() if r.status is status), key=lambda r: r.date)


class FakeUsers(UserRepository):
    def __init__(self, state: FakeState) -> None:
        self.state = state

    def add(self, user: User) -> None:
        self.state.users[user.id] = user

    def get(self, user_id: str) -> User | None:
        return self.state.users.get(user_id)

    def count(self) -> int:
        return len(self.state.users)


class FakeLog(LogRepository):
    def __init__(self, state: FakeState, locks: list[tuple[str, str]]) -> None:
        self.state, self.locks = state, locks

    def add(self, entry: LogEntry) -> None:
        assert all(e.sequence != entry.sequence for e in self.state.log), "sequence is unique"
        self.state.log.append(entry)

    def head(self) -> Anchor:
        return self.state.head

    def lock_head(self) -> Anchor:
        self.locks.append(("log_head", ""))
        return self.state.head

    def set_head(self, anchor: Anchor) -> None:
        assert ("log_head", "") in self.locks, "the head is moved only under its lock"
        self.state.head = anchor

    def entries(self, after: int = 0) -> Iterator[LogEntry]:
        return iter([e for e in self.state.log if e.sequence > after])


class FakePolicies(PolicyRepository):
    def __init__(self, state: FakeState) -> None:
        self.state = state

    def add(self, version: PolicyVersion) -> None:
        assert all(v.effective_from != version.effective_from for v in self.state.policies)
        self.state.policies.append(version)

    def all(self) -> list[PolicyVersion]:
        return sorted(self.state.policies, key=lambda v: v.effective_from)


class FakeIdempotency(IdempotencyRepository):
    def __init__(self, state: FakeState, new_keys: list[tuple[str, str]]) -> None:
        self.state, self.new_keys = state, new_keys

    def get(self, actor_id: str, key: str) -> IdempotencyRecord | None:
        return self.state.idempotency.get((actor_id, key))

    def add(self, record: IdempotencyRecord) -> None:
        self.state.idempotency[(record.actor_id, record.key)] = record
        self.new_keys.append((record.actor_id, record.key))


# --- clock ------------------------------------------------------------------------------------------------


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def at_brussels_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 11, 0, tzinfo=UTC)
