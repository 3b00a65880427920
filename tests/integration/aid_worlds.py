"""Fresh worlds for the state machine: a seeded installation, copied for every example.

The installation is seeded once per backend, through the use cases (users, the demo policy in force since
2024, two envelopes, two dossiers); each example then starts from a copy of it: a copy of the SQLite file
(about 1 ms, against a few hundred for migrating and seeding), or of the fakes' committed state.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from itertools import count
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine

from envelopes import services as use
from envelopes.domain.aid_requests import AidRequest
from envelopes.domain.dossiers import NewMember
from envelopes.domain.envelopes import Balance, EntryKind
from envelopes.domain.log import Anchor, Verification
from envelopes.domain.users import Role
from envelopes.persistence.database import make_engine, make_session_factory
from envelopes.persistence.migrate import upgrade
from envelopes.persistence.unit_of_work import SqlUnitOfWork
from envelopes.services import commands as cmd
from envelopes.services.engine import DecisionEngine, load_policy_files
from envelopes.unit_of_work import UnitOfWork
from rules import evaluate
from rules.model import Policy
from rules.money import Money
from rules.policies import DEMO_POLICY
from rules.sizes import SizeLimits
from tests.integration.aid_model import FIRST_CEILING, Clock, DossierModel, EnvelopeModel, Model

START = date(2026, 3, 2)  # a Monday in the winter season; the machine's clock stays within 2026
LAST_DAY = date(2026, 12, 20)
USERS = (
    ("fien", Role.FINANCE),
    ("carla", Role.CASEWORKER),
    ("kees", Role.CASEWORKER),
    ("cor", Role.COMMITTEE),
    ("cato", Role.COMMITTEE),
    ("paul", Role.POLICY),
)
CHILD, TEEN, ADULT, BABY = date(2018, 3, 1), date(2008, 4, 15), date(1985, 6, 15), date(2025, 12, 31)
SEEDED_ENVELOPES = (("kleding", 300_00), ("energie", 800_00), ("gezondheid", 200_00), ("huisvesting", 500_00))
SEEDED_DOSSIERS = (("carla", "OCMW-1", (CHILD, TEEN, ADULT)), ("kees", "OCMW-2", (BABY, ADULT)))


def policy_files(ceiling: int) -> dict[str, str]:
    """The demo policy's rule files, with the mandate ceiling (mandaatplafond) set to `ceiling` cents."""
    files = {path.name: path.read_text("utf-8") for path in sorted(DEMO_POLICY.glob("*.yaml"))}
    general = files["algemeen.yaml"]
    assert general.count('2024-01-01: "250.00"') == 1
    files["algemeen.yaml"] = general.replace('2024-01-01: "250.00"', f'2024-01-01: "{Money(ceiling)}"')
    return files


def shared_engine() -> DecisionEngine:
    """The real rules engine, compiling each distinct set of rule files once (registering a version compiles
    its files every time; the machine registers a few variants over and over)."""
    compiled: dict[tuple[tuple[str, str], ...], Policy] = {}

    def compile_files(files: Mapping[str, str], limits: SizeLimits | None) -> Policy:
        key = tuple(sorted(files.items()))
        if key not in compiled:
            compiled[key] = load_policy_files(files, limits)
        return compiled[key]

    return DecisionEngine(compile_files, evaluate)


@dataclass(frozen=True)
class Seeded:
    envelopes: tuple[tuple[str, str, int], ...]  # id, theme, allocation (all 2026)
    dossiers: tuple[tuple[str, str, str, tuple[tuple[str, date], ...]], ...]  # id, caseworker, ref, members
    log_entries: int

    def model(self) -> Model:
        model = Model(ceilings={date(2024, 1, 1): FIRST_CEILING}, log_entries=self.log_entries)
        for envelope_id, theme, allocation in self.envelopes:
            model.envelopes[envelope_id] = EnvelopeModel(theme, START.year)
            model.envelopes[envelope_id].figures["allocated"] = allocation
        for dossier_id, caseworker, reference, members in self.dossiers:
            model.dossiers[dossier_id] = DossierModel(caseworker, dict(members))
            model.references.add(reference)
        return model


def seed(uow: Callable[[], UnitOfWork], engine: DecisionEngine) -> Seeded:
    clock = Clock(START)
    use.bootstrap_admin(cmd.BootstrapAdmin("ada", "Ada Beheer"), uow(), clock)
    for user_id, role in USERS:
        use.add_user(cmd.AddUser("ada", user_id, user_id.title(), role), uow(), clock)
    first = cmd.RegisterPolicyVersion("paul", policy_files(FIRST_CEILING), date(2024, 1, 1))
    use.register_policy_version(first, uow(), engine, clock)
    envelopes = []
    for theme, allocation in SEEDED_ENVELOPES:
        opened = cmd.OpenEnvelope("fien", theme, START.year, Money(allocation))
        envelopes.append((use.open_envelope(opened, uow(), clock).envelope_id, theme, allocation))
    dossiers = []
    for caseworker, reference, births in SEEDED_DOSSIERS:
        members = tuple(NewMember(born) for born in births)
        created = use.create_dossier(cmd.CreateDossier(caseworker, reference, members), uow(), clock)
        dossiers.append(
            (created.dossier_id, caseworker, reference, tuple(zip(created.member_keys, births, strict=True)))
        )
    return Seeded(tuple(envelopes), tuple(dossiers), 1 + len(USERS) + 1 + len(envelopes) + len(dossiers))


class World(Protocol):
    clock: Clock

    def uow(self) -> UnitOfWork: ...

    def reader(self) -> UnitOfWork:
        """A unit of work that only reads (read-only on SQLite: it never waits for a writer)."""
        ...

    def observe(self) -> Observed:
        """What is stored, read past the repositories: plain SQL on SQLite, the committed state for fakes."""
        ...

    def close(self) -> None: ...


class Backend(Protocol):
    name: str
    seeded: Seeded

    def world(self) -> World: ...


# --- SQLite -------------------------------------------------------------------------------------------------


class SqliteWorld:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.clock = Clock(START)
        self.database: Engine = make_engine(f"sqlite:///{path}")
        self._sessions = make_session_factory(self.database)

    def uow(self) -> UnitOfWork:
        return SqlUnitOfWork(self._sessions)

    def reader(self) -> UnitOfWork:
        return SqlUnitOfWork(self._sessions, read_only=True)

    def observe(self) -> Observed:
        with closing(sqlite3.connect(self.path)) as connection:
            balances: dict[str, Balance] = defaultdict(Balance)
            for envelope_id, kind, releases, total in connection.execute(_SUMS):
                released = None if releases is None else EntryKind(releases)
                balances[envelope_id] = balances[envelope_id].plus(EntryKind(kind), Money(total), released)
            frozen = {eid: bool(flag) for eid, flag in connection.execute("SELECT id, frozen FROM envelopes")}
            requests = {
                rid: (status, held, approved)
                for rid, status, held, approved in connection.execute(
                    "SELECT id, status, held, approved_amount FROM aid_requests"
                )
            }
            sequence, hash_ = connection.execute("SELECT sequence, hash FROM log_anchor").fetchone()
        return Observed(dict(balances), frozen, requests, Anchor(sequence, hash_))

    def close(self) -> None:
        self.database.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


class SqliteBackend:
    name = "sqlite"

    def __init__(self, folder: Path, engine: DecisionEngine) -> None:
        self._folder = folder
        self._numbers = count()
        self._template = folder / "template.db"
        url = f"sqlite:///{self._template}"
        upgrade(url)
        database = make_engine(url)
        sessions = make_session_factory(database)
        self.seeded = seed(lambda: SqlUnitOfWork(sessions), engine)
        database.dispose()  # the last connection closed: the WAL is checkpointed into the file
        assert not Path(f"{self._template}-wal").exists()

    def world(self) -> SqliteWorld:
        path = self._folder / f"world-{next(self._numbers)}.db"
        shutil.copyfile(self._template, path)
        return SqliteWorld(path)


# --- the fakes the unit tests use ---------------------------------------------------------------------------


class FakeWorld:
    def __init__(self, database: object) -> None:
        from tests.unit.envelopes.envelope_fakes import FakeUnitOfWork

        self._database: Any = database
        self._new = lambda: FakeUnitOfWork(database)  # type: ignore[arg-type]
        self.clock = Clock(START)

    def uow(self) -> UnitOfWork:
        return self._new()

    def reader(self) -> UnitOfWork:
        return self._new()

    def observe(self) -> Observed:
        state = self._database.state
        return Observed(
            {eid: Balance.of(e for e in state.ledger if e.envelope_id == eid) for eid in state.envelopes},
            {eid: envelope.frozen for eid, envelope in state.envelopes.items()},
            {rid: _request_state(aid) for rid, aid in state.requests.items()},
            state.head,
        )

    def close(self) -> None:
        pass


class FakeBackend:
    name = "fakes"

    def __init__(self, engine: DecisionEngine) -> None:
        from tests.unit.envelopes.envelope_fakes import FakeDatabase, FakeUnitOfWork

        self._template = FakeDatabase()
        self.seeded = seed(lambda: FakeUnitOfWork(self._template), engine)

    def world(self) -> FakeWorld:
        from tests.unit.envelopes.envelope_fakes import FakeDatabase

        database = FakeDatabase()
        database.state = self._template.state.copy()
        return FakeWorld(database)


# --- what a run did and what a world holds ------------------------------------------------------------------


@dataclass
class Tally:
    examples: int = 0
    checks: int = 0  # invariant runs: one as each example starts, then one after every step
    refused: int = 0
    replayed: int = 0
    submitted: int = 0
    approved: int = 0  # by the engine, at once

    @property
    def steps(self) -> int:
        return self.checks - self.examples

    def summary(self, budget: Any) -> str:
        return (
            f"{self.examples} examples, {self.steps} steps (at most {budget.max_examples} × "
            f"{budget.stateful_step_count}); {self.submitted} requests decided ({self.approved} approved at "
            f"once), {self.replayed} retries answered from the first, {self.refused} refusals that changed "
            "nothing"
        )


@dataclass(frozen=True)
class Observed:
    balances: dict[str, Balance]
    frozen: dict[str, bool]
    requests: dict[str, tuple[str, int, int | None]]  # id -> status, held, approved (cents)
    head: Anchor


_SUMS = (
    "SELECT envelope_id, kind, releases, SUM(amount) FROM ledger_entries GROUP BY envelope_id, kind, releases"
)


def _request_state(aid: AidRequest) -> tuple[str, int, int | None]:
    return (
        aid.status.value,
        aid.held.cents,
        None if aid.approved_amount is None else aid.approved_amount.cents,
    )


def head(world: World) -> Anchor:
    return world.observe().head


def verified(world: World) -> Verification:
    return use.verify_log(world.reader())


# --- running a machine --------------------------------------------------------------------------------------

LONG = os.environ.get("MANDAAT_LONG") == "1"  # nightly: 2000 examples × 100 steps


def run(machine: type[Any], backend: Backend, examples: int, steps: int, capsys: Any) -> None:
    """Run `machine` on fresh worlds of `backend`; print the examples and steps taken, and the time."""
    from hypothesis import HealthCheck, settings
    from hypothesis.stateful import run_state_machine_as_test

    budget = settings(
        max_examples=2000 if LONG else examples,
        stateful_step_count=100 if LONG else steps,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    tally = Tally()
    on = type(f"{machine.__name__}On{backend.name.title()}", (machine,), {"backend": backend, "tally": tally})
    started = time.perf_counter()
    run_state_machine_as_test(on, settings=budget)
    with capsys.disabled():
        seconds = time.perf_counter() - started
        print(f"\nstate machine on {backend.name}: {tally.summary(budget)} in {seconds:.1f} s")
    assert tally.examples >= budget.max_examples
    # Hypothesis ends an example early when its choice buffer nears its limit (a few in a hundred): the
    # figure printed above is the count of steps really taken.
    assert tally.steps >= 0.8 * budget.max_examples * budget.stateful_step_count
