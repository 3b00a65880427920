"""Policy versions (kept forever, in force from a date) and user management."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from envelope_fake_engine import FakeEvaluator, fake_compile, make_policy
from envelope_world import POLICY_FILES, World, eur

from envelopes.domain.errors import AlreadyExists, Conflict, InvalidInput, NotFound, PolicyRejected
from envelopes.domain.policies import PolicyVersion, in_force_on
from envelopes.domain.users import Role
from envelopes.services import (
    add_user,
    bootstrap_admin,
    disable_user,
    register_policy_version,
    set_role,
)
from envelopes.services import engine as engine_module
from envelopes.services.commands import AddUser, BootstrapAdmin, DisableUser, RegisterPolicyVersion, SetRole
from envelopes.services.engine import DecisionEngine, PolicyIntegrityError, load_policy_files
from rules.decision import Decision
from rules.model import Policy
from rules.request import DecisionRequest
from rules.sizes import DEFAULT_LIMITS, SizeLimits

NEW_FILES = {**POLICY_FILES, "energie.yaml": "theme: energie\n"}


def register(world: World, files: dict[str, str], effective: date, **kw: str) -> str:
    command = RegisterPolicyVersion("paul", files, effective, **kw)
    return register_policy_version(command, world.uow, world.engine, world.clock).version


def test_a_version_is_registered_with_its_content_hash_and_date(world: World) -> None:
    version = register(world, NEW_FILES, date(2027, 1, 1))
    assert version == fake_compile(NEW_FILES).version
    stored = world.state.policies[-1]
    assert (stored.version, stored.effective_from, stored.registered_by) == (
        version,
        date(2027, 1, 1),
        "paul",
    )
    assert stored.file_map() == NEW_FILES
    entry = world.state.log[-1]
    assert (entry.action, entry.policy_version, entry.details) == (
        "policy.registered", version, {"effective_from": "2027-01-01"},
    )  # fmt: skip


def test_every_version_is_kept_and_the_latest_effective_on_a_date_is_in_force(world: World) -> None:
    later = register(world, NEW_FILES, date(2027, 1, 1))
    again = register(world, POLICY_FILES, date(2027, 6, 1))  # the first content again, from another date
    versions = world.state.policies
    assert [v.version for v in versions] == [world.version, later, again]
    in_force = {day: getattr(in_force_on(versions, day), "version", None) for day in (
        date(2026, 12, 31), date(2027, 1, 1), date(2027, 6, 1),
    )}  # fmt: skip
    assert in_force == {
        date(2026, 12, 31): world.version,
        date(2027, 1, 1): later,
        date(2027, 6, 1): world.version,
    }
    assert in_force_on(versions, date(2023, 12, 31)) is None


def test_two_versions_cannot_take_effect_on_the_same_day(world: World) -> None:
    register(world, NEW_FILES, date(2027, 1, 1))
    with pytest.raises(AlreadyExists) as refused:
        register(world, POLICY_FILES, date(2027, 1, 1))
    assert refused.value.field == "effective_from"


def test_a_new_version_never_changes_a_day_that_has_passed(world: World) -> None:
    with pytest.raises(InvalidInput) as refused:
        register(world, NEW_FILES, date(2026, 11, 22))
    assert refused.value.field == "effective_from"
    assert register(world, NEW_FILES, date(2026, 11, 23))  # today is allowed


def test_rule_files_that_do_not_load_are_refused_with_every_problem_and_change_nothing(world: World) -> None:
    before = (list(world.state.policies), len(world.state.log))
    broken = {**POLICY_FILES, "kleding.yaml": "theme: kleding\nkapot: ja\n", "energie.yaml": "kapot: 1\n"}
    with pytest.raises(PolicyRejected) as refused:
        register(world, broken, date(2027, 1, 1))
    assert refused.value.problems == (
        "energie.yaml:1:1: unknown key 'kapot'",
        "kleding.yaml:2:1: unknown key 'kapot'",
    )
    assert (refused.value.status, refused.value.code) == (422, "policy_rejected")
    assert (list(world.state.policies), len(world.state.log)) == before


@pytest.mark.parametrize("name", ["sub/kleding.yaml", "../kleding.yaml", "kleding.txt", "kleding.yml"])
def test_rule_files_are_plain_yaml_files_of_the_folder(world: World, name: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        register(world, {name: "theme: kleding\n"}, date(2027, 1, 1))
    assert refused.value.field == "files"


def test_the_version_the_policy_officer_tested_is_the_one_registered(world: World) -> None:
    with pytest.raises(Conflict) as refused:
        register(world, NEW_FILES, date(2027, 1, 1), expected_version=world.version)
    assert refused.value.field == "expected_version"
    assert register(world, NEW_FILES, date(2027, 1, 1), expected_version=fake_compile(NEW_FILES).version)


def stored_as(version: str) -> PolicyVersion:
    return PolicyVersion(
        version, date(2024, 1, 1), tuple(POLICY_FILES.items()), "p", datetime(2024, 1, 1, tzinfo=UTC)
    )


def test_the_engine_compiles_a_stored_version_once() -> None:
    compiled: list[str] = []

    def counting(files: Mapping[str, str], limits: SizeLimits | None) -> Policy:
        compiled.append("x")
        return fake_compile(files, limits)

    engine = DecisionEngine(counting, FakeEvaluator())
    version = stored_as(fake_compile(POLICY_FILES).version)
    assert engine.policy(version) is engine.policy(version)
    assert len(compiled) == 1


def test_stored_files_that_no_longer_hash_to_their_version_are_not_used() -> None:
    engine = DecisionEngine(fake_compile, FakeEvaluator())
    with pytest.raises(PolicyIntegrityError):
        engine.policy(stored_as("a" * 64))


def test_an_evaluator_that_names_another_version_is_not_trusted(world: World) -> None:
    def confused(policy: Policy, request: DecisionRequest) -> Decision:
        decision = FakeEvaluator()(policy, request)
        return replace(decision, policy_version="b" * 64)

    world.engine = DecisionEngine(fake_compile, confused)
    with pytest.raises(PolicyIntegrityError):
        world.submit()
    assert world.state.requests == {}


def test_the_real_engine_loads_the_files_from_a_private_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, bytes] = {}
    limits_seen: list[SizeLimits | None] = []

    def load_policy(folder: Path, limits: SizeLimits | None) -> Policy:
        seen.update({p.name: p.read_bytes() for p in folder.iterdir()})
        limits_seen.append(limits)
        return make_policy("c" * 64)

    monkeypatch.setattr(engine_module, "load_policy", load_policy)
    files = {"algemeen.yaml": "general:\r\n  title: {nl: Één}\n"}
    assert load_policy_files(files, DEFAULT_LIMITS).version == "c" * 64
    assert seen == {"algemeen.yaml": files["algemeen.yaml"].encode("utf-8")}
    assert limits_seen == [DEFAULT_LIMITS]


# --- users ------------------------------------------------------------------------------------------------


def test_the_first_admin_is_bootstrapped_once(world: World) -> None:
    with pytest.raises(Conflict):
        bootstrap_admin(BootstrapAdmin("eve", "Eve"), world.uow, world.clock)
    first = world.state.log[0]
    assert (first.sequence, first.action, first.actor_id, first.details["role"]) == (
        1,
        "user.added",
        "ada",
        "admin",
    )


def test_the_admin_adds_a_user_with_one_role(world: World) -> None:
    command = AddUser(
        "ada", "noor", "Noor Claes", Role.CASEWORKER, team="noord", mandate_ceiling=eur("150.00")
    )
    answer = add_user(command, world.uow, world.clock)
    assert (answer.user_id, answer.role, answer.active) == ("noor", "caseworker", True)
    assert world.state.log[-1].details == {"role": "caseworker", "team": "noord", "mandate_ceiling": "150.00"}
    assert "Noor Claes" not in str(world.state.log[-1].to_json())
    with pytest.raises(AlreadyExists):
        add_user(command, world.uow, world.clock)


def test_the_admin_sets_a_role_and_disables_a_user(world: World) -> None:
    assert set_role(SetRole("ada", "kees", Role.COMMITTEE), world.uow, world.clock).role == "committee"
    assert world.state.log[-1].details == {"from": "caseworker", "to": "committee"}
    assert not disable_user(DisableUser("ada", "kees"), world.uow, world.clock).active
    assert world.actions()[-2:] == ["user.role_changed", "user.disabled"]
    with pytest.raises(NotFound):
        disable_user(DisableUser("ada", "nobody"), world.uow, world.clock)
