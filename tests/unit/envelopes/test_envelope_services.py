"""Finance's use cases: one transaction each, one log entry each; a refusal changes nothing."""

from __future__ import annotations

import pytest
from envelope_world import World, eur

from envelopes.domain.envelopes import EntryKind
from envelopes.domain.errors import AlreadyExists, InsufficientFunds, InvalidTransition, NotFound
from envelopes.services import adjust_envelope, freeze_envelope, open_envelope, transfer, unfreeze_envelope
from envelopes.services.commands import (
    AdjustEnvelope,
    FreezeEnvelope,
    OpenEnvelope,
    TransferBetweenEnvelopes,
    UnfreezeEnvelope,
)


def snapshot(world: World) -> tuple[object, ...]:
    state = world.state
    return (
        len(state.ledger),
        len(state.log),
        state.head,
        {k: (e.frozen, e.frozen_reason) for k, e in state.envelopes.items()},
    )


def test_open_an_envelope_with_its_allocation(world: World) -> None:
    commits = world.uow.commits
    answer = open_envelope(
        OpenEnvelope("fien", "onderwijs", 2026, eur("750.00"), team="noord"), world.uow, world.clock
    )
    assert (answer.theme, answer.year, answer.team, answer.available) == (
        "onderwijs",
        2026,
        "noord",
        eur("750.00"),
    )
    assert world.uow.commits == commits + 1
    [allocation] = [e for e in world.state.ledger if e.envelope_id == answer.envelope_id]
    assert (allocation.kind, allocation.amount) == (EntryKind.ALLOCATION, eur("750.00"))
    entry = world.state.log[-1]
    assert (entry.action, entry.actor_id, entry.subjects) == (
        "envelope.opened",
        "fien",
        {"envelope": answer.envelope_id},
    )
    assert entry.balances == {answer.envelope_id: {"before": "0.00", "after": "750.00"}}


def test_an_envelope_is_unique_per_theme_year_and_team(world: World) -> None:
    before = snapshot(world)
    with pytest.raises(AlreadyExists):
        open_envelope(OpenEnvelope("fien", "kleding", 2026, eur("1.00")), world.uow, world.clock)
    assert snapshot(world) == before
    open_envelope(OpenEnvelope("fien", "kleding", 2026, eur("1.00"), team="noord"), world.uow, world.clock)
    open_envelope(OpenEnvelope("fien", "kleding", 2027, eur("1.00")), world.uow, world.clock)


def test_top_up_and_reduce(world: World) -> None:
    up = adjust_envelope(
        AdjustEnvelope("fien", world.kleding, eur("200.00"), "extra middelen"), world.uow, world.clock
    )
    assert up.available == eur("1200.00")
    down = adjust_envelope(
        AdjustEnvelope("fien", world.kleding, eur("-1200.00"), "besparing"), world.uow, world.clock
    )
    assert down.available == eur("0.00")
    assert down.balance.adjusted == eur("-1000.00")
    entry = world.state.log[-1]
    assert (entry.action, entry.details) == (
        "envelope.adjusted",
        {"amount": "-1200.00", "reason": "besparing"},
    )
    assert entry.balances == {world.kleding: {"before": "1200.00", "after": "0.00"}}


def test_a_reduction_below_what_is_available_is_refused_with_the_figures_and_changes_nothing(
    world: World,
) -> None:
    world.submit(amount=eur("45.00"))  # commits € 45,00: € 955,00 left
    before, commits = snapshot(world), world.uow.commits
    with pytest.raises(InsufficientFunds) as refused:
        adjust_envelope(
            AdjustEnvelope("fien", world.kleding, eur("-960.00"), "te veel"), world.uow, world.clock
        )
    assert dict(refused.value.figures) == {
        "envelope_id": world.kleding,
        "available": "955.00",
        "required": "960.00",
        "shortfall": "5.00",
    }
    assert (snapshot(world), world.uow.commits) == (before, commits)


def test_a_transfer_writes_both_sides_in_one_transaction(world: World) -> None:
    commits, log = world.uow.commits, len(world.state.log)
    answer = transfer(
        TransferBetweenEnvelopes("fien", world.kleding, world.energie, eur("300.00"), "energiecrisis"),
        world.uow,
        world.clock,
    )
    assert (answer.source.available, answer.target.available) == (eur("700.00"), eur("800.00"))
    assert (world.uow.commits, len(world.state.log)) == (commits + 1, log + 1)
    out, into = world.state.ledger[-2:]
    assert (out.kind, out.envelope_id, into.kind, into.envelope_id) == (
        EntryKind.TRANSFER_OUT, world.kleding, EntryKind.TRANSFER_IN, world.energie,
    )  # fmt: skip
    assert out.transfer_id == into.transfer_id
    entry = world.state.log[-1]
    assert entry.balances == {
        world.kleding: {"before": "1000.00", "after": "700.00"},
        world.energie: {"before": "500.00", "after": "800.00"},
    }
    first, second = sorted([world.kleding, world.energie])  # envelopes are locked by id, the log head last
    assert world.uow.locks == [("envelope", first), ("envelope", second), ("log_head", "")]


def test_a_transfer_that_would_take_the_source_below_zero_is_refused_and_changes_nothing(
    world: World,
) -> None:
    before = snapshot(world)
    with pytest.raises(InsufficientFunds) as refused:
        transfer(
            TransferBetweenEnvelopes("fien", world.energie, world.kleding, eur("500.01"), "te veel"),
            world.uow,
            world.clock,
        )
    assert refused.value.figures["shortfall"] == "0.01"
    assert snapshot(world) == before


def test_freeze_and_unfreeze_are_logged(world: World) -> None:
    frozen = freeze_envelope(
        FreezeEnvelope("fien", world.kleding, "begrotingscontrole"), world.uow, world.clock
    )
    assert frozen.frozen
    assert world.state.envelopes[world.kleding].frozen_reason == "begrotingscontrole"
    with pytest.raises(InvalidTransition):
        freeze_envelope(FreezeEnvelope("fien", world.kleding, "nog eens"), world.uow, world.clock)
    thawed = unfreeze_envelope(
        UnfreezeEnvelope("fien", world.kleding, "controle klaar"), world.uow, world.clock
    )
    assert not thawed.frozen
    assert world.actions()[-2:] == ["envelope.frozen", "envelope.unfrozen"]
    assert world.state.log[-1].details == {"reason": "controle klaar"}


def test_an_unknown_envelope_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        adjust_envelope(AdjustEnvelope("fien", "nope", eur("1.00"), "x"), world.uow, world.clock)
