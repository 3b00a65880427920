"""The decision path's statements run on the driver's cursor (`envelopes.persistence.prepared`) read and write
exactly what SQLAlchemy's `Connection.execute` of the same statements reads and writes, on SQLite and on
PostgreSQL: the same rows with the same Python types (dates, aware moments, JSON, booleans), the same stored
values; a driver error is SQLAlchemy's error."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError

from envelopes.domain.idempotency import IdempotencyRecord
from envelopes.persistence import repositories, tables
from envelopes.persistence.prepared import Prepared
from envelopes.services import submit_aid_request
from envelopes.services.common import utc_now
from rules.money import Money
from tests.integration.aid_world import AidWorld, seed
from tests.integration.conftest import UowFactory

#: Every prepared statement of the repositories, by name.
PREPARED = {name: value for name, value in vars(repositories).items() if isinstance(value, Prepared)}


@pytest.fixture
def world(new_uow: UowFactory) -> AidWorld:
    """Two caseworkers with a dossier each; an approved and an escalated request (a hold) for each."""
    seeded = seed(
        new_uow, caseworkers=["cas", "cor"], dossiers_each=1, energie=Money(500_00), kleding=Money(0)
    )
    for number, household in enumerate(seeded.households):
        for amount, key in [(Money(60_00), "small"), (Money(300_00), "large")]:
            submit_aid_request(
                seeded.energy_bill(household, amount, f"{key}-{number}"), new_uow(), seeded.engine, utc_now
            )
    return seeded


def _params(world: AidWorld, engine: Engine) -> dict[str, dict[str, Any]]:
    """Parameters for every prepared read, taken from the seeded rows."""
    household = world.households[0]
    with engine.connect() as connection:
        request_id = connection.execute(select(tables.aid_requests.c.id)).scalars().first()
    return {
        "_ENVELOPE": {"id": world.energie},
        "_ENVELOPE_OF_SERVICE": {"theme": "energie", "year": world.year},
        "_ENVELOPE_OF_TEAM": {"theme": "energie", "year": world.year, "team": "noord"},
        "_HEAD": {"envelope_id": world.energie},
        "_DOSSIER": {"id": household.dossier_id},
        "_REQUEST": {"id": request_id},
        "_APPROVED_FOR_DOSSIER": {"dossier_id": household.dossier_id, "since": _day(world.year)},
        "_USER": {"id": household.caseworker},
        "_ANCHOR": {},
        "_VERSION_IN_FORCE": {"day": _day(world.year)},
        "_IDEMPOTENCY_RECORD": {"actor_id": household.caseworker, "key": "small-0"},
    }


def _day(year: int) -> Any:
    from datetime import date

    return date(year, 1, 1)


def _reads() -> list[tuple[str, Prepared]]:
    """(the name of its parameters in `_params`, statement) of every prepared read, locked ones too."""
    reads = [
        (name.removesuffix("_LOCKED"), prepared)
        for name, prepared in PREPARED.items()
        if not name.startswith(("_APPEND", "_SET"))
    ]
    envelope_statements = {
        repositories._ENVELOPE: "_ENVELOPE",
        repositories._ENVELOPE_OF_SERVICE: "_ENVELOPE_OF_SERVICE",
        repositories._ENVELOPE_OF_TEAM: "_ENVELOPE_OF_TEAM",
    }
    for (statement, _), prepared in repositories._ENVELOPE_STATEMENTS.items():
        reads.append((envelope_statements[statement], prepared))
    return reads


def test_every_prepared_read_gives_what_sqlalchemy_gives(world: AidWorld, engine: Engine) -> None:
    params = _params(world, engine)
    with_rows = 0
    for name, prepared in _reads():
        with engine.begin() as connection:
            fast = prepared.rows(connection, params[name])
            slow = list(connection.execute(prepared.statement, params[name]))  # type: ignore[call-overload]
        assert [tuple(row) for row in fast] == [tuple(row) for row in slow], name
        assert [[type(value) for value in row] for row in fast] == [
            [type(value) for value in row] for row in slow
        ], name
        assert [row._fields for row in fast] == [tuple(row._fields) for row in slow], name
        with_rows += 1 if fast else 0
    assert len(_reads()) == 17
    assert with_rows == 15  # all but the team envelope (locked or not): the seeded world has none


def test_a_prepared_insert_stores_what_sqlalchemy_stores(world: AidWorld, engine: Engine) -> None:
    """The same idempotency record (JSON and an aware moment in it) written both ways reads back the same."""
    household = world.households[0]
    record = IdempotencyRecord(
        household.caseworker, "k", "0" * 64, {"status": "approved", "n": [1, 2]}, utc_now()
    )
    row = {
        "actor_id": record.actor_id,
        "key": record.key,
        "body_hash": record.body_hash,
        "answer": record.answer,
        "created_at": record.created_at,
    }
    with engine.begin() as connection:
        repositories._APPEND_RECORD.run(connection, row)
        connection.execute(tables.idempotency_records.insert(), {**row, "key": "k2"})
    with engine.connect() as connection:
        stored = {
            found.key: (found.answer, found.created_at, found.body_hash)
            for found in connection.execute(
                select(tables.idempotency_records).where(tables.idempotency_records.c.key.in_(["k", "k2"]))
            )
        }
        raw = dict(
            connection.execute(
                text("SELECT key, created_at FROM idempotency_records WHERE key IN ('k', 'k2')")
            ).all()
        )
    assert stored["k"] == stored["k2"] == (record.answer, record.created_at, record.body_hash)
    assert raw["k"] == raw["k2"]  # the very same stored text or value, not only the same after reading


def test_a_driver_error_is_sqlalchemys_error_and_the_transaction_can_roll_back(
    world: AidWorld, engine: Engine
) -> None:
    household = world.households[0]
    row = {
        "actor_id": household.caseworker,
        "key": "small-0",  # taken by the seeded submission
        "body_hash": "0" * 64,
        "answer": {},
        "created_at": utc_now(),
    }
    with pytest.raises(IntegrityError), engine.begin() as connection:
        repositories._APPEND_RECORD.run(connection, row)
    with engine.connect() as connection:  # the pool's connection is still usable
        assert connection.execute(select(tables.idempotency_records.c.key)).all()
