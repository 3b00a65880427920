"""Running totals on the ledger (migration 0005): every entry carries its place in its envelope's ledger and
the envelope's balance after it. They are checked here against plain SQL over the amounts, apart from the
repository that writes them; and the database itself refuses an entry that would overspend its envelope or
append after an entry that is not the newest.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from envelopes.domain.envelopes import Balance, EntryKind, LedgerEntry
from envelopes.persistence.database import make_engine
from envelopes.persistence.migrate import downgrade, upgrade
from rules.money import Money
from tests.integration.conftest import UowFactory

AT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)

#: (kind, amount, releases) of a ledger that goes up and down, in the order written.
HISTORY: list[tuple[str, int, str | None]] = [
    ("allocation", 1000_00, None),
    ("commitment", 55_00, None),
    ("hold", 300_00, None),
    ("adjustment", 250_00, None),
    ("release", 300_00, "hold"),
    ("commitment", 120_00, None),
    ("transfer_out", 200_00, None),
    ("adjustment", -25_00, None),
    ("release", 55_00, "commitment"),
]


def _insert_envelope(connection: Any, envelope_id: str) -> None:
    connection.execute(
        text(
            "INSERT INTO envelopes (id, theme, year, team, frozen, frozen_reason) "
            "VALUES (:id, :theme, 2026, NULL, false, '')"
        ),
        {"id": envelope_id, "theme": f"theme_{envelope_id}"},
    )


def _entries_before_0005(engine: Engine) -> None:
    """Two envelopes' ledgers, written as revision 0004 knew them (interleaved, as decisions come)."""
    with engine.begin() as connection:
        for envelope_id in ("e1", "e2"):
            _insert_envelope(connection, envelope_id)
        for number, (kind, amount, releases) in enumerate(HISTORY):
            for envelope_id in ("e1", "e2"):
                connection.execute(
                    text(
                        "INSERT INTO ledger_entries (id, envelope_id, kind, amount, recorded_at, reason, "
                        "releases) VALUES (:id, :envelope, :kind, :amount, :at, '', :releases)"
                    ),
                    {
                        "id": f"{envelope_id}-{number}",
                        "envelope": envelope_id,
                        "kind": kind,
                        "amount": amount,
                        "at": AT,
                        "releases": releases,
                    },
                )


def _expected_running_totals() -> list[tuple[int, int, int, int, int, int, int]]:
    """(position, allocated … held after it) of each entry of HISTORY, summed here in Python."""
    balance, rows = Balance(), []
    for position, (kind, amount, releases) in enumerate(HISTORY, start=1):
        balance = balance.plus(
            EntryKind(kind), Money(amount), None if releases is None else EntryKind(releases)
        )
        figures = (balance.allocated, balance.adjusted, balance.transferred_in, balance.transferred_out)
        rows.append((position, *(m.cents for m in figures), balance.committed.cents, balance.held.cents))
    return rows


def _stored_running_totals(engine: Engine, envelope_id: str) -> list[tuple[int, ...]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT position, allocated_after, adjusted_after, transferred_in_after, "
                "transferred_out_after, committed_after, held_after FROM ledger_entries "
                "WHERE envelope_id = :envelope ORDER BY number"
            ),
            {"envelope": envelope_id},
        )
        return [tuple(int(value) for value in row) for row in rows]


def test_the_migration_numbers_and_sums_the_entries_already_written(empty_database_url: str) -> None:
    upgrade(empty_database_url, "0004")
    engine = make_engine(empty_database_url)
    try:
        _entries_before_0005(engine)
        upgrade(empty_database_url)
        for envelope_id in ("e1", "e2"):
            assert _stored_running_totals(engine, envelope_id) == _expected_running_totals()
    finally:
        engine.dispose()
    downgrade(empty_database_url, "0004")  # and back: the columns and constraints go, the entries stay
    engine = make_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            count = connection.execute(text("SELECT COUNT(*) FROM ledger_entries")).scalar_one()
        assert count == 2 * len(HISTORY)
    finally:
        engine.dispose()


def test_the_repository_writes_the_same_running_totals_as_plain_sql_sums(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        uow.envelopes.add(_envelope("e1"))
        for number, (kind, amount, releases) in enumerate(HISTORY):
            uow.ledger.add(_entry("e1", number, kind, amount, releases))
        uow.commit()
    with new_uow() as uow:
        balance = uow.ledger.balance("e1")
        entries = uow.ledger.entries_for("e1")
    assert balance == Balance.of(entries)
    assert [entry.id for entry in entries] == [f"e1-{number}" for number in range(len(HISTORY))]


def test_the_database_refuses_an_entry_that_would_overspend(new_uow: UowFactory, engine: Engine) -> None:
    """The no-overspend rule is the database's too: an entry that leaves available below zero is refused,
    whatever code wrote it."""
    with new_uow() as uow:
        uow.envelopes.add(_envelope("e1"))
        uow.ledger.add(_entry("e1", 0, "allocation", 100_00, None))
        uow.commit()
    with pytest.raises(IntegrityError, match="never_overspent"):
        _commitment_past_mandaat(engine, amount=100_01, position=2, committed=100_01)


def test_two_entries_cannot_take_the_same_place_in_a_ledger(new_uow: UowFactory, engine: Engine) -> None:
    """A writer that read the newest entry without holding the envelope's lock, while another appended,
    would append at a place that is taken: the database refuses it instead of keeping two running totals."""
    with new_uow() as uow:
        uow.envelopes.add(_envelope("e1"))
        uow.ledger.add(_entry("e1", 0, "allocation", 100_00, None))
        uow.ledger.add(_entry("e1", 1, "commitment", 10_00, None))
        uow.commit()
    with pytest.raises(IntegrityError, match="position"):
        _commitment_past_mandaat(engine, amount=20_00, position=2, committed=20_00)
    with new_uow() as uow:
        assert uow.ledger.balance("e1") == Balance(allocated=Money(100_00), committed=Money(10_00))


def _commitment_past_mandaat(engine: Engine, *, amount: int, position: int, committed: int) -> None:
    """A commitment on envelope e1 (allocated € 100,00) written straight into the table."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO ledger_entries (id, envelope_id, kind, amount, recorded_at, reason, position, "
                "allocated_after, adjusted_after, transferred_in_after, transferred_out_after, "
                "committed_after, held_after) VALUES ('x', 'e1', 'commitment', :amount, :at, '', :position, "
                "10000, 0, 0, 0, :committed, 0)"
            ),
            {"amount": amount, "at": AT, "position": position, "committed": committed},
        )


def _envelope(envelope_id: str) -> Any:
    from envelopes.domain.envelopes import Envelope

    return Envelope(envelope_id, "kleding", 2026)


def _entry(envelope_id: str, number: int, kind: str, amount: int, releases: str | None) -> LedgerEntry:
    return LedgerEntry(
        id=f"{envelope_id}-{number}",
        envelope_id=envelope_id,
        kind=EntryKind(kind),
        amount=Money(amount),
        recorded_at=AT,
        releases=None if releases is None else EntryKind(releases),
    )
