"""`SqlUnitOfWork`: one database transaction, with the SQL repositories.

    uow = SqlUnitOfWork(make_session_factory(make_engine(url)))
    with uow:
        ...
        uow.commit()   # leaving the block without it rolls everything back

The transaction starts with the first statement: `BEGIN IMMEDIATE` on SQLite (the write lock, waited for up to
the busy timeout), READ COMMITTED on PostgreSQL (row locks taken by the repositories' LOCKS methods).

A unit of work made with `read_only=True` is for reading only (previews, reports, `log verify`, exports): it
never waits for writers, and everything it reads comes from one snapshot — a plain `BEGIN` in WAL mode on
SQLite, `REPEATABLE READ, READ ONLY` on PostgreSQL — so that, say, the log's anchor and its entries agree even
while new decisions are being logged.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from envelopes.persistence.database import READ_ONLY
from envelopes.persistence.mapping import ChangeTracker
from envelopes.persistence.repositories import (
    SqlAidRequestRepository,
    SqlDossierRepository,
    SqlEnvelopeRepository,
    SqlIdempotencyRepository,
    SqlLedgerRepository,
    SqlLogRepository,
    SqlPolicyRepository,
    SqlUserRepository,
    is_idempotency_conflict,
)
from envelopes.unit_of_work import IdempotencyKeyTaken, UnitOfWork


class SqlUnitOfWork(UnitOfWork):
    def __init__(self, session_factory: Callable[[], Session], *, read_only: bool = False) -> None:
        self._session_factory = session_factory
        self._read_only = read_only
        self._session: Session | None = None
        self._tracker: ChangeTracker | None = None

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("a unit of work is not re-entrant: make a new one per use case")
        session = self._session_factory()
        if self._read_only:
            session.connection(execution_options=_read_only_options(session))
        tracker = ChangeTracker(session)
        self._session, self._tracker = session, tracker
        self.envelopes = SqlEnvelopeRepository(session, tracker)
        self.ledger = SqlLedgerRepository(session, tracker)
        self.dossiers = SqlDossierRepository(session, tracker)
        self.requests = SqlAidRequestRepository(session, tracker)
        self.users = SqlUserRepository(session, tracker)
        self.log = SqlLogRepository(session, tracker)
        self.policies = SqlPolicyRepository(session, tracker)
        self.idempotency = SqlIdempotencyRepository(session, tracker)
        return super().__enter__()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            super().__exit__(exc_type, exc, traceback)
        finally:
            if self._session is not None:
                self._session.close()
            self._session = self._tracker = None

    def _commit(self) -> None:
        session, tracker = self._active()
        try:
            tracker.commit()
        except IntegrityError as error:
            session.rollback()
            tracker.clear()
            if is_idempotency_conflict(error):
                raise IdempotencyKeyTaken(
                    "another transaction stored the same idempotency key first"
                ) from error
            raise

    def rollback(self) -> None:
        session, tracker = self._active()
        session.rollback()
        tracker.clear()

    def _active(self) -> tuple[Session, ChangeTracker]:
        if self._session is None or self._tracker is None:
            raise RuntimeError("the unit of work is used outside its `with` block")
        return self._session, self._tracker


def _read_only_options(session: Session) -> dict[str, object]:
    if session.get_bind().dialect.name == "postgresql":
        return {READ_ONLY: True, "isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    return {READ_ONLY: True}
