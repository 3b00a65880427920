"""The committee's rulings, withdrawal and cancellation: each with its ledger effect and one log entry."""

from __future__ import annotations

from typing import Any

import pytest
from envelope_world import World, eur

from envelopes.domain.aid_requests import AidStatus
from envelopes.domain.envelopes import EntryKind
from envelopes.domain.errors import InsufficientFunds, InvalidInput, InvalidTransition, NotFound
from envelopes.domain.log import text_hash
from envelopes.services import adjust_envelope, cancel_aid, committee_decide, withdraw_aid_request
from envelopes.services.answers import AidAnswer
from envelopes.services.commands import (
    AdjustEnvelope,
    CancelAid,
    CommitteeDecision,
    Ruling,
    WithdrawAidRequest,
)
from rules.money import Money


def escalated(world: World, amount: str = "75.00") -> str:
    return world.submit(amount=eur(amount)).request_id


def effect(world: World, request_id: str) -> list[tuple[EntryKind, EntryKind | None, Money]]:
    return [(e.kind, e.releases, e.amount) for e in world.state.ledger if e.aid_request_id == request_id]


def decide(world: World, request_id: str, ruling: Ruling, actor: str = "cor", **fields: Any) -> AidAnswer:
    return committee_decide(CommitteeDecision(actor, request_id, ruling, **fields), world.uow, world.clock)


def test_the_committee_approval_turns_the_hold_into_a_commitment(world: World) -> None:
    request_id = escalated(world)
    commits, log = world.uow.commits, len(world.state.log)
    answer = decide(world, request_id, Ruling.APPROVE)
    assert (answer.status, answer.approved_amount, answer.envelope_available) == (
        "approved", eur("75.00"), eur("925.00"),
    )  # fmt: skip
    assert effect(world, request_id) == [
        (EntryKind.HOLD, None, eur("75.00")),
        (EntryKind.RELEASE, EntryKind.HOLD, eur("75.00")),
        (EntryKind.COMMITMENT, None, eur("75.00")),
    ]
    assert (world.uow.commits, len(world.state.log)) == (commits + 1, log + 1)
    entry = world.state.log[-1]
    assert (entry.action, entry.actor_id, entry.outcome, entry.policy_version) == (
        "aid.committee_approved", "cor", "approved", world.version,
    )  # fmt: skip
    assert entry.balances == {world.kleding: {"before": "925.00", "after": "925.00"}}
    assert world.request(request_id).decided_by == "cor"
    # the dossier too: its approved aid is what its next request is counted against
    assert world.uow.locks == [
        ("aid_request", request_id),
        ("dossier", world.dossier),
        ("envelope", world.kleding),
        ("log_head", ""),
    ]


def test_the_committee_may_approve_another_amount(world: World) -> None:
    request_id = escalated(world)
    with pytest.raises(InvalidInput):
        decide(world, request_id, Ruling.APPROVE, amount=eur("90.00"))
    decide(world, request_id, Ruling.APPROVE, amount=eur("90.00"), motivation="Ook een jas.")
    assert world.balance(world.kleding).committed == eur("90.00")
    assert world.state.log[-1].details["approved_amount"] == "90.00"


def test_approving_less_needs_a_motivation_which_the_log_keeps_as_a_hash(world: World) -> None:
    request_id = escalated(world)
    with pytest.raises(InvalidInput):
        decide(world, request_id, Ruling.APPROVE, amount=eur("50.00"))
    decide(
        world, request_id, Ruling.APPROVE, amount=eur("50.00"), motivation="Tweedehands volstaat voor Jan."
    )
    details = world.state.log[-1].details
    assert details["motivation_sha256"] == text_hash("Tweedehands volstaat voor Jan.")
    assert "Jan" not in str(world.state.log[-1].to_json())


def test_without_a_hold_the_approval_needs_the_envelope_to_cover_it(world: World) -> None:
    adjust_envelope(
        AdjustEnvelope("fien", world.kleding, eur("-950.00"), "besparing"), world.uow, world.clock
    )
    request_id = escalated(world)  # € 50,00 available: no hold for € 75,00
    assert world.request(request_id).held == Money(0)
    log = len(world.state.log)
    with pytest.raises(InsufficientFunds) as refused:
        decide(world, request_id, Ruling.APPROVE)
    assert dict(refused.value.figures) == {
        "envelope_id": world.kleding,
        "available": "50.00",
        "required": "75.00",
        "shortfall": "25.00",
    }
    assert (world.request(request_id).status, len(world.state.log)) == (AidStatus.ESCALATED, log)
    decide(world, request_id, Ruling.APPROVE, amount=eur("50.00"), motivation="Wat er is.")
    assert effect(world, request_id) == [(EntryKind.COMMITMENT, None, eur("50.00"))]
    assert world.balance(world.kleding).available == Money(0)


def test_a_refusal_needs_a_motivation_and_releases_the_hold(world: World) -> None:
    request_id = escalated(world)
    with pytest.raises(InvalidInput) as refused:
        decide(world, request_id, Ruling.REFUSE)
    assert refused.value.field == "motivation"
    decide(world, request_id, Ruling.REFUSE, motivation="Andere hulp loopt al.")
    assert world.request(request_id).status is AidStatus.REFUSED
    assert world.balance(world.kleding).available == eur("1000.00")
    assert world.state.log[-1].action == "aid.committee_refused"


def test_returning_needs_a_question_and_keeps_the_hold(world: World) -> None:
    request_id = escalated(world)
    with pytest.raises(InvalidInput):
        decide(world, request_id, Ruling.RETURN)
    decide(world, request_id, Ruling.RETURN, question="Welke maat?")
    assert world.request(request_id).status is AidStatus.RETURNED
    assert world.balance(world.kleding).held == eur("75.00")
    assert world.state.log[-1].details["question_sha256"] == text_hash("Welke maat?")


def test_the_committee_rules_only_on_escalated_requests(world: World) -> None:
    request_id = world.submit().request_id  # approved by the engine
    with pytest.raises(InvalidTransition):
        decide(world, request_id, Ruling.REFUSE, motivation="nee")
    with pytest.raises(NotFound):
        decide(world, "nope", Ruling.REFUSE, motivation="nee")


@pytest.mark.parametrize("returned_first", [False, True])
def test_an_open_request_is_withdrawn_and_its_hold_released(world: World, returned_first: bool) -> None:
    request_id = escalated(world)
    if returned_first:
        decide(world, request_id, Ruling.RETURN, question="?")
    answer = withdraw_aid_request(WithdrawAidRequest("carla", request_id, "opgelost"), world.uow, world.clock)
    assert (answer.status, answer.envelope_available) == ("withdrawn", eur("1000.00"))
    assert world.state.log[-1].action == "aid.withdrawn"
    with pytest.raises(InvalidTransition):
        withdraw_aid_request(WithdrawAidRequest("carla", request_id), world.uow, world.clock)


def test_approved_aid_is_cancelled_with_a_reason_and_its_commitment_released(world: World) -> None:
    request_id = world.submit().request_id
    with pytest.raises(InvalidInput):
        cancel_aid(CancelAid("carla", request_id, " "), world.uow, world.clock)
    answer = cancel_aid(CancelAid("carla", request_id, "Schoenen via schenking"), world.uow, world.clock)
    assert (answer.status, answer.envelope_available) == ("cancelled", eur("1000.00"))
    assert effect(world, request_id)[-1] == (EntryKind.RELEASE, EntryKind.COMMITMENT, eur("45.00"))
    entry = world.state.log[-1]
    assert (entry.action, entry.details["amount"]) == ("aid.cancelled", "45.00")
    assert entry.details["reason_sha256"] == text_hash("Schoenen via schenking")


def test_the_committee_may_cancel_approved_aid(world: World) -> None:
    request_id = world.submit().request_id
    assert cancel_aid(CancelAid("cato", request_id, "fraude"), world.uow, world.clock).status == "cancelled"
