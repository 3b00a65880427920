"""Every state change writes exactly one log entry in its own transaction; the chain the use cases write
verifies, and tampering with the stored entries is found."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from envelope_world import ADULT_BORN, CHILD_BORN, POLICY_FILES, REFERENCE, World, eur

from envelopes.domain.dossiers import NewMember
from envelopes.domain.errors import Forbidden
from envelopes.domain.log import Anchor
from envelopes.domain.users import Role
from envelopes.services import (
    add_user,
    adjust_envelope,
    cancel_aid,
    committee_decide,
    create_dossier,
    disable_user,
    freeze_envelope,
    log_head,
    open_envelope,
    reassign_dossier,
    register_policy_version,
    resubmit_aid_request,
    set_role,
    transfer,
    unfreeze_envelope,
    verify_log,
    withdraw_aid_request,
)
from envelopes.services.commands import (
    AddUser,
    AdjustEnvelope,
    CancelAid,
    CommitteeDecision,
    CreateDossier,
    DisableUser,
    FreezeEnvelope,
    OpenEnvelope,
    ReassignDossier,
    RegisterPolicyVersion,
    ResubmitAidRequest,
    Ruling,
    SetRole,
    TransferBetweenEnvelopes,
    UnfreezeEnvelope,
    WithdrawAidRequest,
)


def a_day_of_work(w: World) -> list[tuple[str, Callable[[], object]]]:
    """Every kind of state change, in an order that works; each step is (the action it logs, the step)."""
    ids: dict[str, str] = {}

    def submit(name: str, **changes: Any) -> Callable[[], object]:
        return lambda: ids.__setitem__(name, w.submit(**changes).request_id)

    def rule(name: str, ruling: Ruling, **fields: Any) -> Callable[[], object]:
        return lambda: committee_decide(CommitteeDecision("cor", ids[name], ruling, **fields), w.uow, w.clock)

    return [
        (
            "envelope.opened",
            lambda: open_envelope(OpenEnvelope("fien", "onderwijs", 2026, eur("90")), w.uow, w.clock),
        ),
        (
            "envelope.adjusted",
            lambda: adjust_envelope(AdjustEnvelope("fien", w.kleding, eur("10"), "x"), w.uow, w.clock),
        ),
        (
            "envelope.transferred",
            lambda: transfer(
                TransferBetweenEnvelopes("fien", w.huisvesting, w.kleding, eur("5"), "x"), w.uow, w.clock
            ),
        ),
        ("envelope.frozen", lambda: freeze_envelope(FreezeEnvelope("fien", w.energie, "x"), w.uow, w.clock)),
        (
            "envelope.unfrozen",
            lambda: unfreeze_envelope(UnfreezeEnvelope("fien", w.energie, "x"), w.uow, w.clock),
        ),
        (
            "dossier.created",
            lambda: create_dossier(
                CreateDossier("carla", "OCMW-5", (NewMember(date(2010, 1, 1)),)), w.uow, w.clock
            ),
        ),
        ("aid.submitted", submit("approved")),
        ("aid.submitted", submit("escalated", amount=eur("70.00"), item="kinderschoenen")),
        ("aid.committee_returned", rule("escalated", Ruling.RETURN, question="?")),
        (
            "aid.resubmitted",
            lambda: resubmit_aid_request(
                ResubmitAidRequest("carla", ids["escalated"], "x"), w.uow, w.engine, w.clock
            ),
        ),
        ("aid.committee_approved", rule("escalated", Ruling.APPROVE)),
        ("aid.submitted", submit("refused", theme="huisvesting", item="huurwaarborg", amount=eur("200.00"))),
        ("aid.committee_refused", rule("refused", Ruling.REFUSE, motivation="nee")),
        (
            "aid.submitted",
            submit("withdrawn", theme="huisvesting", item="huurwaarborg", amount=eur("100.00")),
        ),
        (
            "aid.withdrawn",
            lambda: withdraw_aid_request(WithdrawAidRequest("carla", ids["withdrawn"]), w.uow, w.clock),
        ),
        ("aid.cancelled", lambda: cancel_aid(CancelAid("carla", ids["approved"], "x"), w.uow, w.clock)),
        (
            "dossier.reassigned",
            lambda: reassign_dossier(ReassignDossier("carla", w.dossier, "kees"), w.uow, w.clock),
        ),
        (
            "policy.registered",
            lambda: register_policy_version(
                RegisterPolicyVersion("paul", {**POLICY_FILES, "n.yaml": "n\n"}, date(2027, 1, 1)),
                w.uow,
                w.engine,
                w.clock,
            ),
        ),
        ("user.added", lambda: add_user(AddUser("ada", "noor", "Noor", Role.FINANCE), w.uow, w.clock)),
        ("user.role_changed", lambda: set_role(SetRole("ada", "noor", Role.AUDITOR), w.uow, w.clock)),
        ("user.disabled", lambda: disable_user(DisableUser("ada", "noor"), w.uow, w.clock)),
    ]


def test_every_state_change_writes_exactly_one_entry_in_one_commit(world: World) -> None:
    for action, step in a_day_of_work(world):
        log, commits = len(world.state.log), world.uow.commits
        step()
        assert (world.uow.commits, len(world.state.log)) == (commits + 1, log + 1), action
        assert world.state.log[-1].action == action
        assert world.state.head == world.state.log[-1].anchor


def test_the_chain_the_use_cases_write_verifies(world: World) -> None:
    for _, step in a_day_of_work(world):
        step()
    result = verify_log(world.uow)
    assert result.ok, result.problem
    assert result.checked == len(world.state.log)
    assert log_head(world.uow) == result.head == world.state.log[-1].anchor
    assert [e.sequence for e in world.state.log] == list(range(1, len(world.state.log) + 1))


def test_the_log_holds_no_direct_identifiers(world: World) -> None:
    for _, step in a_day_of_work(world):
        step()
    text = json.dumps([e.to_json() for e in world.state.log], ensure_ascii=False)
    for identifier in (
        REFERENCE,
        "OCMW-5",
        CHILD_BORN.isoformat(),
        ADULT_BORN.isoformat(),
        "2010-01-01",
        "Noor",
    ):
        assert identifier not in text


def test_an_edited_entry_in_the_store_is_found(world: World) -> None:
    world.submit()
    log = world.state.log
    log[-1] = replace(log[-1], details={**log[-1].details, "amount": "4.50"})
    result = verify_log(world.uow)
    assert (result.ok, result.first_bad) == (False, len(log))


def test_deleting_the_newest_entry_in_the_store_is_found_against_the_anchor(world: World) -> None:
    world.submit()
    deleted = world.state.log.pop()
    result = verify_log(world.uow)
    assert result.first_bad == deleted.sequence
    assert "missing" in result.problem


def test_deleting_entries_and_moving_the_anchor_is_found_against_a_printed_head(world: World) -> None:
    printed = log_head(world.uow)
    world.submit()
    world.state.log.pop()
    world.state.head = world.state.log[-1].anchor  # the anchor row was rewritten too
    assert verify_log(world.uow).ok
    assert verify_log(world.uow, checkpoints=[printed]).ok  # the printed head is still there
    world.state.log.pop()
    world.state.head = world.state.log[-1].anchor
    result = verify_log(world.uow, checkpoints=[printed])
    assert result.first_bad == printed.sequence


def test_verifying_writes_nothing(world: World) -> None:
    commits, state = world.uow.commits, world.state
    verify_log(world.uow)
    assert (world.uow.commits, world.state) == (commits, state)


@pytest.mark.parametrize("anchor", [Anchor(0, "0" * 64), Anchor(999, "f" * 64)])
def test_the_stored_anchor_must_be_the_head(world: World, anchor: Anchor) -> None:
    world.state.head = anchor
    assert not verify_log(world.uow).ok


def test_the_auditor_and_the_admin_may_verify_the_log_and_nobody_else(world: World) -> None:
    assert verify_log(world.uow, actor_id="otto").ok
    assert verify_log(world.uow, actor_id="ada").ok
    for actor in ("carla", "fien", "cor", "paul"):
        with pytest.raises(Forbidden):
            verify_log(world.uow, actor_id=actor)
