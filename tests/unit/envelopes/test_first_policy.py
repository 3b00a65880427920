"""The first policy version of an empty installation: stored by the system, in force from 2000-01-01, once."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Self

import pytest
from envelope_fake_engine import fake_compile
from envelope_fakes import FakeClock, FakeUnitOfWork
from envelope_world import POLICY_FILES, World

from envelopes.domain.errors import Forbidden, InvalidInput, PolicyRejected
from envelopes.domain.log import verify
from envelopes.domain.policies import PolicyVersion
from envelopes.domain.users import Role
from envelopes.services import (
    add_user,
    bootstrap_admin,
    install_first_policy_version,
    register_policy_version,
    submit_aid_request,
)
from envelopes.services.answers import PolicyVersionAnswer
from envelopes.services.commands import AddUser, BootstrapAdmin, RegisterPolicyVersion
from envelopes.services.engine import DecisionEngine
from envelopes.services.policies import FIRST_EFFECTIVE_FROM, SYSTEM_ACTOR, PolicyInstallation

VERSION = fake_compile(POLICY_FILES).version


@pytest.fixture
def empty() -> FakeUnitOfWork:
    return FakeUnitOfWork()


def test_an_empty_installation_gets_the_folder_as_its_first_version_by_the_system(
    empty: FakeUnitOfWork, engine: DecisionEngine, clock: FakeClock
) -> None:
    installation = install_first_policy_version(POLICY_FILES, empty, engine, clock)

    assert installation == PolicyInstallation(
        True, PolicyVersionAnswer(VERSION, date(2000, 1, 1), SYSTEM_ACTOR, clock())
    )
    state = empty.db.state
    [stored] = state.policies
    assert (stored.version, stored.effective_from, stored.registered_by, stored.registered_at) == (
        VERSION, FIRST_EFFECTIVE_FROM, SYSTEM_ACTOR, clock(),
    )  # fmt: skip
    assert stored.file_map() == POLICY_FILES
    [entry] = state.log
    assert (entry.actor_id, entry.action, entry.subjects, entry.policy_version, entry.details) == (
        "system",
        "policy.registered",
        {"policy_version": VERSION},
        VERSION,
        {"effective_from": "2000-01-01", "bootstrap": "true"},
    )
    assert verify(state.log, state.head).ok
    assert state.users == {}  # the system is no user: nobody can log in as it


def test_the_first_version_covers_requests_of_any_date_since_2000(
    empty: FakeUnitOfWork, engine: DecisionEngine, clock: FakeClock
) -> None:
    install_first_policy_version(POLICY_FILES, empty, engine, clock)
    with empty:
        assert getattr(empty.policies.in_force_on(date(2000, 1, 1)), "version", None) == VERSION
        assert getattr(empty.policies.in_force_on(date(2099, 12, 31)), "version", None) == VERSION
        assert empty.policies.in_force_on(date(1999, 12, 31)) is None


def test_an_installation_with_versions_is_left_as_it_is_and_names_the_version_in_force(
    world: World, engine: DecisionEngine
) -> None:
    log, policies, commits = list(world.state.log), list(world.state.policies), world.uow.commits

    installation = install_first_policy_version(
        {"other.yaml": "theme: other\n"}, world.uow, engine, world.clock
    )

    [stored] = policies
    in_force = PolicyVersionAnswer(world.version, date(2024, 1, 1), "paul", stored.registered_at)
    assert installation == PolicyInstallation(False, in_force)
    assert (world.state.log, world.state.policies, world.uow.commits) == (log, policies, commits)


def test_running_it_again_changes_nothing(
    empty: FakeUnitOfWork, engine: DecisionEngine, clock: FakeClock
) -> None:
    first = install_first_policy_version(POLICY_FILES, empty, engine, clock)
    again = install_first_policy_version(POLICY_FILES, empty, engine, clock)

    assert again == PolicyInstallation(False, first.in_force)
    assert len(empty.db.state.policies) == len(empty.db.state.log) == 1


def test_when_every_stored_version_starts_later_none_is_in_force_and_nothing_is_installed(
    empty: FakeUnitOfWork, engine: DecisionEngine, clock: FakeClock
) -> None:
    bootstrap_admin(BootstrapAdmin("ada", "Ada"), empty, clock)
    add_user(AddUser("ada", "paul", "Paul", Role.POLICY), empty, clock)
    register_policy_version(
        RegisterPolicyVersion("paul", POLICY_FILES, date(2027, 1, 1)), empty, engine, clock
    )
    entries = len(empty.db.state.log)

    installation = install_first_policy_version(POLICY_FILES, empty, engine, clock)

    assert installation == PolicyInstallation(False, None)
    assert [v.effective_from for v in empty.db.state.policies] == [date(2027, 1, 1)]
    assert len(empty.db.state.log) == entries


@pytest.mark.parametrize(
    ("files", "error"),
    [
        ({**POLICY_FILES, "kleding.yaml": "theme: kleding\nkapot: ja\n"}, PolicyRejected),
        ({"sub/kleding.yaml": "theme: kleding\n"}, InvalidInput),
        ({}, InvalidInput),
    ],
)
def test_files_that_do_not_load_are_refused_and_nothing_is_stored(
    empty: FakeUnitOfWork,
    engine: DecisionEngine,
    clock: FakeClock,
    files: dict[str, str],
    error: type[Exception],
) -> None:
    with pytest.raises(error) as refused:
        install_first_policy_version(files, empty, engine, clock)

    if isinstance(refused.value, PolicyRejected):
        assert refused.value.problems == ("kleding.yaml:2:1: unknown key 'kapot'",)
    assert (empty.db.state.policies, empty.db.state.log, empty.commits) == ([], [], 0)


class RivalInstallsFirst(FakeUnitOfWork):
    """Another installer commits its first version while this one waits for the log head's lock; once the
    lock is held this transaction sees that version (as READ COMMITTED does after a lock)."""

    rival = PolicyVersion(
        "f" * 64,
        FIRST_EFFECTIVE_FROM,
        (("rival.yaml", "theme: rival\n"),),
        SYSTEM_ACTOR,
        datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
    )

    def __enter__(self) -> Self:
        entered = super().__enter__()
        locks_head = self.log.lock_head

        def lock_head_after_the_rival() -> object:
            self.db.state.policies.append(self.rival)
            self._working.policies.append(self.rival)
            return locks_head()

        self.log.lock_head = lock_head_after_the_rival  # type: ignore[method-assign,assignment]
        return entered


def test_a_rival_installer_that_came_first_wins_and_this_one_writes_nothing(
    engine: DecisionEngine, clock: FakeClock
) -> None:
    uow = RivalInstallsFirst()

    installation = install_first_policy_version(POLICY_FILES, uow, engine, clock)

    rival = PolicyVersionAnswer(
        "f" * 64, FIRST_EFFECTIVE_FROM, SYSTEM_ACTOR, RivalInstallsFirst.rival.registered_at
    )
    assert installation == PolicyInstallation(False, rival)
    assert (uow.db.state.policies, uow.db.state.log, uow.commits) == ([RivalInstallsFirst.rival], [], 0)


def test_the_system_is_no_user_and_cannot_act_as_one(world: World) -> None:
    with pytest.raises(Forbidden, match="system is not a user"):
        submit_aid_request(world.ask(actor=SYSTEM_ACTOR), world.uow, world.engine, world.clock)
