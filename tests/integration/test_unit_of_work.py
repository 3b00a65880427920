"""The SQL unit of work: nothing without commit(), a taken idempotency key is told apart, row locks."""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from envelopes.domain.envelopes import Envelope
from envelopes.domain.errors import InsufficientFunds
from envelopes.domain.idempotency import IdempotencyRecord
from envelopes.domain.log import chain, verify
from envelopes.domain.users import Role, User
from envelopes.persistence.unit_of_work import SqlUnitOfWork
from envelopes.unit_of_work import IdempotencyKeyTaken
from rules.money import Money
from tests.integration.conftest import UowFactory

AT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def record(key: str = "retry-1", answer: str = "first") -> IdempotencyRecord:
    return IdempotencyRecord("carla", key, "f" * 64, {"answer": answer}, AT)


def test_nothing_is_written_without_commit(new_uow: UowFactory) -> None:
    envelope, entries = Envelope.open(theme="kleding", year=2026, team=None, allocation=Money(100_00), at=AT)
    with new_uow() as uow:
        uow.envelopes.add(envelope)
        uow.ledger.add(entries[0])
        uow.users.add(User.new("carla", "Carla", Role.CASEWORKER))
    with new_uow() as uow:
        assert uow.envelopes.get(envelope.id) is None
        assert uow.ledger.entries_for(envelope.id) == []
        assert uow.users.count() == 0


def test_an_exception_rolls_back_and_changes_in_place_are_lost(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        uow.users.add(User.new("carla", "Carla", Role.CASEWORKER))
        uow.commit()

    def failing_use_case() -> None:
        with new_uow() as uow:
            carla = uow.users.get("carla")
            assert carla is not None
            carla.disable()
            uow.users.add(User.new("kees", "Kees", Role.CASEWORKER))
            raise RuntimeError("the use case failed")

    with pytest.raises(RuntimeError):
        failing_use_case()
    with new_uow() as uow:
        assert uow.users.get("carla") == User("carla", "Carla", Role.CASEWORKER, active=True)
        assert uow.users.get("kees") is None


def test_a_unit_of_work_can_be_used_again_after_it_closed(new_uow: UowFactory) -> None:
    uow = new_uow()
    with uow:
        uow.users.add(User.new("carla", "Carla", Role.CASEWORKER))
        uow.commit()
    with uow:
        assert uow.users.count() == 1


def test_a_stored_key_is_taken_and_the_whole_transaction_is_rolled_back(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        uow.idempotency.add(record())
        uow.commit()
    uow = new_uow()
    with uow:
        uow.users.add(User.new("kees", "Kees", Role.CASEWORKER))
        uow.idempotency.add(record(answer="second"))
        with pytest.raises(IdempotencyKeyTaken):
            uow.commit()  # the record reaches the database with the next statement or the commit
    with uow:
        assert uow.users.count() == 0
        stored = uow.idempotency.get("carla", "retry-1")
        assert stored is not None
        assert stored.answer == {"answer": "first"}


def test_other_integrity_errors_are_not_taken_for_idempotency(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        uow.users.add(User.new("carla", "Carla", Role.CASEWORKER))
        uow.commit()
    with pytest.raises(IntegrityError), new_uow() as uow:
        uow.users.add(User.new("carla", "Carla again", Role.CASEWORKER))


def test_two_concurrent_first_tries_with_one_key_store_one_and_the_other_is_told(
    new_uow: UowFactory, engine: Engine
) -> None:
    """The first try's insert is still uncommitted when the second writes the same key: the second waits (for
    the row on PostgreSQL, for the write lock on SQLite), then the database refuses it, and the unit of work
    says IdempotencyKeyTaken — never a bare IntegrityError."""
    first_inserted = threading.Event()

    def first() -> str:
        with new_uow() as uow:
            uow.idempotency.add(record("race", "first"))
            uow.log.head()  # a read after it: the record is in the database now (as in a decision)
            first_inserted.set()
            time.sleep(0.3)  # the second try is now waiting on the database
            uow.commit()
        return "stored"

    def second() -> str:
        first_inserted.wait(10)
        with new_uow() as uow:
            if engine.dialect.name == "postgresql":  # READ COMMITTED: the first's row is not visible yet
                assert uow.idempotency.get("carla", "race") is None
            try:
                uow.idempotency.add(record("race", "second"))
                uow.commit()
            except IdempotencyKeyTaken:
                return "taken"
        return "stored"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(future.result(timeout=30) for future in [pool.submit(first), pool.submit(second)])
    assert outcomes == ["stored", "taken"]
    with new_uow() as uow:
        stored = uow.idempotency.get("carla", "race")
        assert stored is not None
        assert stored.answer == {"answer": "first"}


def test_the_envelope_lock_lets_one_of_two_take_the_last_euros(
    new_uow: UowFactory, session_factory: sessionmaker[Session]
) -> None:
    """Two transactions lock the same envelope, read its balance and commit € 60,00 of the € 100,00 left: the
    second waits for the first's commit and then sees € 40,00, so it is refused."""
    envelope, entries = Envelope.open(theme="energie", year=2026, team=None, allocation=Money(100_00), at=AT)
    with new_uow() as uow:
        uow.envelopes.add(envelope)
        uow.ledger.add(entries[0])
        uow.commit()
    start = threading.Barrier(2, timeout=10)
    waited: list[float] = []

    def take() -> str:
        start.wait()
        with SqlUnitOfWork(session_factory) as uow:
            asked = time.monotonic()
            locked = uow.envelopes.get_for_update(envelope.id)
            waited.append(time.monotonic() - asked)
            assert locked is not None
            balance = uow.ledger.balance(envelope.id)
            time.sleep(0.3)  # hold the lock: the other transaction must wait, not read a stale balance
            try:
                entry = locked.adjust(Money(-60_00), "last euros", balance, AT)
            except InsufficientFunds:
                return "refused"
            uow.ledger.add(entry)
            uow.commit()
        return "taken"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(future.result(timeout=30) for future in [pool.submit(take), pool.submit(take)])
    assert outcomes == ["refused", "taken"]
    assert max(waited) >= 0.25  # the second one waited for the lock
    with new_uow() as uow:
        assert uow.ledger.balance(envelope.id).available == Money(40_00)


def test_the_connections_are_set_up_for_their_database(engine: Engine) -> None:
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            assert connection.execute(text("SHOW transaction_isolation")).scalar() == "read committed"
            return
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30_000


def test_on_sqlite_every_transaction_begins_immediate_unless_read_only(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("BEGIN IMMEDIATE is SQLite's; PostgreSQL takes row locks")
    statements: list[str] = []  # what reached SQLite itself (BEGIN is sent past SQLAlchemy's execution)

    def trace(dbapi_connection: sqlite3.Connection, record: object, proxy: object) -> None:
        dbapi_connection.set_trace_callback(statements.append)

    event.listen(engine, "checkout", trace)
    try:
        for read_only in (False, True):
            with SqlUnitOfWork(session_factory, read_only=read_only) as uow:
                uow.users.count()
    finally:
        event.remove(engine, "checkout", trace)
    begins = [statement for statement in statements if statement.startswith("BEGIN")]
    assert begins == ["BEGIN IMMEDIATE", "BEGIN"]
    assert statements[0] == "BEGIN IMMEDIATE"


def test_a_locked_read_brings_an_earlier_unlocked_read_of_the_row_up_to_date(
    new_uow: UowFactory, engine: Engine
) -> None:
    if engine.dialect.name == "sqlite":
        pytest.skip(
            "on SQLite a write transaction holds the write lock from its first read: nothing can change"
        )
    envelope, _ = Envelope.open(theme="kleding", year=2026, team=None, allocation=Money(0), at=AT)
    with new_uow() as uow:
        uow.envelopes.add(envelope)
        uow.commit()
    with new_uow() as uow:
        seen = uow.envelopes.find("kleding", 2026, None)  # READ COMMITTED, no lock yet
        with new_uow() as finance:
            other = finance.envelopes.get_for_update(envelope.id)
            assert other is not None
            other.freeze("controle")
            finance.commit()
        assert seen is not None
        assert not seen.frozen
        locked = uow.envelopes.get_for_update(envelope.id)
        assert locked is seen  # still one object per row,
        assert seen.frozen  # now as the lock found it
        assert seen.frozen_reason == "controle"


def test_a_read_only_unit_of_work_does_not_wait_for_a_writer(
    new_uow: UowFactory, session_factory: sessionmaker[Session]
) -> None:
    with new_uow() as writer:
        writer.users.add(User.new("carla", "Carla", Role.CASEWORKER))  # holds the write lock, uncommitted
        started = time.monotonic()
        with SqlUnitOfWork(session_factory, read_only=True) as reader:
            assert reader.users.count() == 0
        assert time.monotonic() - started < 5
        writer.commit()


def append_to_log(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        head = uow.log.lock_head()
        entry = chain(head, recorded_at=AT.isoformat(), actor_id="fien", action="test.appended", subjects={})
        uow.log.add(entry)
        uow.log.set_head(entry.anchor)
        uow.commit()


def test_a_read_only_unit_of_work_reads_one_snapshot_so_the_anchor_and_the_entries_agree(
    new_uow: UowFactory, session_factory: sessionmaker[Session]
) -> None:
    append_to_log(new_uow)
    with SqlUnitOfWork(session_factory, read_only=True) as reader:
        anchor = reader.log.head()
        append_to_log(new_uow)  # a decision is logged meanwhile; it does not wait for the reader
        entries = list(reader.log.entries())
    assert [entry.sequence for entry in entries] == [1]
    assert verify(entries, anchor).ok  # not "entries after 1 were added without the anchor"
    with new_uow() as uow:
        assert uow.log.head().sequence == 2
