"""The unit of work: one transaction, with the repositories it offers.

with uow:
    ...               # read and change state through uow.<repository>
    uow.commit()      # exactly once per use case; leaving the block without it rolls everything back
"""

from __future__ import annotations

import abc
from types import TracebackType
from typing import Self

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


class IdempotencyKeyTaken(Exception):
    """A concurrent transaction committed the same idempotency key first. Nothing of this one was written;
    the use case reads the stored answer in a new transaction."""


class UnitOfWork(abc.ABC):
    envelopes: EnvelopeRepository
    ledger: LedgerRepository
    dossiers: DossierRepository
    requests: AidRequestRepository
    users: UserRepository
    log: LogRepository
    policies: PolicyRepository
    idempotency: IdempotencyRepository

    _committed: bool = False

    def __enter__(self) -> Self:
        self._committed = False
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if not self._committed:
            self.rollback()

    def commit(self) -> None:
        self._commit()
        self._committed = True

    @abc.abstractmethod
    def _commit(self) -> None:
        """Write everything; raise IdempotencyKeyTaken on a duplicate idempotency key (and write nothing)."""

    @abc.abstractmethod
    def rollback(self) -> None: ...
