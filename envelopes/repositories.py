"""The repositories a unit of work offers: the only way the use cases read and write state.

Implementations: `tests/unit/envelopes/envelope_fakes.py` (in memory) and the SQLAlchemy adapter.
Methods marked LOCKS take a write lock held until the transaction ends: `SELECT … FOR UPDATE` on
PostgreSQL; on SQLite every write transaction is `BEGIN IMMEDIATE`, which serializes writers, so these are
plain reads there.

Lock order, the same in every use case so that two transactions never wait on each other in a cycle:
aid request → client dossier → envelopes (by id) → the log head (always last, in `services.log.record`).

Ledger entries, log entries, policy versions and idempotency records are append-only: no update, no
delete. Entities read from a repository are changed in place; the unit of work writes the changes on commit.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from datetime import date

from envelopes.domain.aid_requests import AidRequest, AidStatus
from envelopes.domain.dossiers import ClientDossier
from envelopes.domain.envelopes import Balance, Envelope, LedgerEntry
from envelopes.domain.idempotency import IdempotencyRecord
from envelopes.domain.log import Anchor, LogEntry
from envelopes.domain.policies import PolicyVersion, in_force_on
from envelopes.domain.users import User


class EnvelopeRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, envelope: Envelope) -> None:
        """Unique on (theme, year, team)."""

    @abc.abstractmethod
    def get(self, envelope_id: str) -> Envelope | None: ...

    @abc.abstractmethod
    def get_for_update(self, envelope_id: str) -> Envelope | None:
        """LOCKS the envelope: its ledger is then read and written by this transaction alone."""

    @abc.abstractmethod
    def find(self, theme: str, year: int, team: str | None) -> Envelope | None:
        """The envelope of a theme and budget year, for a team or (team None) the whole service. No lock."""

    def find_for_update(self, theme: str, year: int, team: str | None) -> Envelope | None:
        """`find`, then LOCKS the envelope found (as `get_for_update`). An adapter may do both at once."""
        found = self.find(theme, year, team)
        return None if found is None else self.get_for_update(found.id)

    @abc.abstractmethod
    def in_year(self, year: int) -> list[Envelope]:
        """Every envelope of a budget year, by theme, the service-wide one before the teams'. No lock."""


class LedgerRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, entry: LedgerEntry) -> None: ...

    @abc.abstractmethod
    def entries_for(self, envelope_id: str) -> list[LedgerEntry]:
        """All entries of one envelope, oldest first."""

    def balance(self, envelope_id: str) -> Balance:
        """The envelope's figures from its entries. The truth only under the envelope's lock. An adapter may
        override this with one `SUM … GROUP BY kind, releases` query; it must give the same figures."""
        return Balance.of(self.entries_for(envelope_id))


class DossierRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, dossier: ClientDossier) -> None:
        """Unique on reference. Members are stored with the dossier."""

    @abc.abstractmethod
    def get(self, dossier_id: str) -> ClientDossier | None: ...

    @abc.abstractmethod
    def get_for_update(self, dossier_id: str) -> ClientDossier | None:
        """LOCKS the dossier: decisions on one household are taken one at a time (their history counts)."""

    @abc.abstractmethod
    def find_by_reference(self, reference: str) -> ClientDossier | None: ...


class AidRequestRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, request: AidRequest) -> None: ...

    @abc.abstractmethod
    def get(self, request_id: str) -> AidRequest | None: ...

    @abc.abstractmethod
    def get_for_update(self, request_id: str) -> AidRequest | None:
        """LOCKS the request: one transition at a time."""

    @abc.abstractmethod
    def approved_for_dossier(self, dossier_id: str, since: date) -> list[AidRequest]:
        """The dossier's approved requests dated `since` or later: the history the rules count. A snapshot
        to read; a use case that changes one of them reads it again with `get_for_update`."""

    @abc.abstractmethod
    def with_status(self, status: AidStatus) -> list[AidRequest]:
        """Requests in one status, oldest date first (e.g. the committee's queue of escalations). No lock."""

    def for_dossier(self, dossier_id: str) -> list[AidRequest]:
        """Every request of one dossier, whatever its status, oldest date first (a person's data, GDPR art.
        15; retention). No lock. An adapter may override this with one query; it must give the same list."""
        found = [
            aid for status in AidStatus for aid in self.with_status(status) if aid.dossier_id == dossier_id
        ]
        return sorted(found, key=lambda aid: (aid.date, aid.id))


class UserRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, user: User) -> None:
        """Unique on id."""

    @abc.abstractmethod
    def get(self, user_id: str) -> User | None: ...

    @abc.abstractmethod
    def count(self) -> int: ...


class LogRepository(abc.ABC):
    """The decision log and its anchor (one row: the head's sequence and hash, updated with every entry)."""

    @abc.abstractmethod
    def add(self, entry: LogEntry) -> None:
        """Unique on sequence."""

    @abc.abstractmethod
    def head(self) -> Anchor:
        """The stored anchor; `Anchor.empty()` before the first entry. No lock."""

    @abc.abstractmethod
    def lock_head(self) -> Anchor:
        """LOCKS the anchor row and returns it: appending to the chain is serialized."""

    @abc.abstractmethod
    def set_head(self, anchor: Anchor) -> None:
        """Only after `lock_head`, in the transaction that adds the entry."""

    @abc.abstractmethod
    def entries(self, after: int = 0) -> Iterator[LogEntry]:
        """Entries with a sequence number above `after`, in sequence order (streamed)."""


class PolicyRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, version: PolicyVersion) -> None:
        """Unique on effective_from. The same content (version hash) may take effect again on another date."""

    @abc.abstractmethod
    def all(self) -> list[PolicyVersion]:
        """Every version ever registered, by effective date."""

    def get(self, version: str) -> PolicyVersion | None:
        """A stored version by its content hash (for replaying a logged decision)."""
        return next((known for known in self.all() if known.version == version), None)

    def in_force_on(self, day: date) -> PolicyVersion | None:
        """The version with the latest effective date on or before `day`."""
        return in_force_on(self.all(), day)

    def version_in_force_on(self, day: date) -> str | None:
        """Only the content hash of `in_force_on(day)`: what a decision needs when its policy is compiled
        already. An adapter may read it without the rule files."""
        found = self.in_force_on(day)
        return None if found is None else found.version


class IdempotencyRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, actor_id: str, key: str) -> IdempotencyRecord | None: ...

    @abc.abstractmethod
    def add(self, record: IdempotencyRecord) -> None:
        """Unique on (actor_id, key), in the database. When a concurrent transaction stored the same key
        first, this, a later read of the same unit of work or its commit (an adapter may send the record with
        the next statement) raises `unit_of_work.IdempotencyKeyTaken`, never an integrity error."""
