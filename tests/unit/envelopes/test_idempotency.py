"""One request, one decision: a retry with the same key gets the first answer and never debits twice."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from envelope_fakes import FakeUnitOfWork
from envelope_world import World, eur

from envelopes.domain.envelopes import EntryKind
from envelopes.domain.errors import IdempotencyKeyReused, InvalidInput
from envelopes.services import submit_aid_request


def commitments(world: World) -> int:
    return sum(1 for e in world.state.ledger if e.kind is EntryKind.COMMITMENT)


def test_a_retry_with_the_same_key_gets_the_first_answer_and_is_not_debited_twice(world: World) -> None:
    first = world.submit(idempotency_key="k-1")
    log, commits = len(world.state.log), world.uow.commits
    again = world.submit(idempotency_key="k-1")
    assert again.replayed
    assert replace(again, replayed=False) == first
    assert (len(world.state.requests), commitments(world)) == (1, 1)
    assert (len(world.state.log), world.uow.commits) == (log, commits)
    assert world.balance(world.kleding).available == eur("955.00")


def test_the_first_answer_is_returned_even_when_the_state_has_moved_on(world: World) -> None:
    first = world.submit(amount=eur("75.00"), idempotency_key="k-1")  # escalated
    world.submit(amount=eur("900.00"))  # takes most of what is left
    again = world.submit(amount=eur("75.00"), idempotency_key="k-1")
    assert (again.status, again.held, again.envelope_available) == ("escalated", eur("75.00"), eur("925.00"))
    assert replace(again, replayed=False) == first


def test_the_body_is_normalized_before_it_is_compared(world: World) -> None:
    first = world.submit(idempotency_key="k-1", justification="Warme  schoenen\n")
    again = world.submit(idempotency_key="k-1", justification=" Warme schoenen")
    assert again.request_id == first.request_id


@pytest.mark.parametrize(
    "change",
    [
        {"amount": eur("46.00")},
        {"item": "kinderkleding"},
        {"justification": "iets anders"},
        {"date": date(2026, 11, 23)},
        {"quantity": 2},
    ],
)
def test_the_same_key_with_another_body_is_refused_and_changes_nothing(
    world: World, change: dict[str, object]
) -> None:
    world.submit(idempotency_key="k-1")
    log = len(world.state.log)
    with pytest.raises(IdempotencyKeyReused) as refused:
        world.submit(idempotency_key="k-1", **change)
    assert (refused.value.status, refused.value.code, refused.value.field) == (
        422, "idempotency_key_reused", "idempotency_key",
    )  # fmt: skip
    assert (len(world.state.requests), len(world.state.log)) == (1, log)


def test_keys_belong_to_their_actor(world: World) -> None:
    carla = world.submit(idempotency_key="k-1")
    kees = world.submit(
        "kees", dossier_id=world.other_dossier, beneficiary_key=world.other_child, idempotency_key="k-1"
    )
    assert carla.request_id != kees.request_id
    assert not kees.replayed


def test_without_a_key_every_submission_is_a_new_request(world: World) -> None:
    assert world.submit().request_id != world.submit().request_id


@pytest.mark.parametrize("key", ["", "met spatie", "x" * 129])
def test_a_malformed_key_is_refused(world: World, key: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        world.submit(idempotency_key=key)
    assert refused.value.field == "idempotency_key"


def test_when_a_concurrent_try_stores_the_key_first_its_answer_is_returned(world: World) -> None:
    rival = FakeUnitOfWork(world.uow.db)  # another worker, same database
    answers = []
    world.uow.before_commit = lambda: answers.append(
        submit_aid_request(world.ask(idempotency_key="k-1"), rival, world.engine, world.clock)
    )
    mine = world.submit(idempotency_key="k-1")
    [theirs] = answers
    assert mine.replayed
    assert replace(mine, replayed=False) == theirs
    assert (len(world.state.requests), commitments(world)) == (1, 1)
    assert world.balance(world.kleding).available == eur("955.00")
    assert [e.action for e in world.state.log].count("aid.submitted") == 1


def test_a_concurrent_try_with_another_body_is_refused(world: World) -> None:
    rival = FakeUnitOfWork(world.uow.db)

    def rival_submits_first() -> None:
        submit_aid_request(
            world.ask(idempotency_key="k-1", amount=eur("50.00")), rival, world.engine, world.clock
        )

    world.uow.before_commit = rival_submits_first
    with pytest.raises(IdempotencyKeyReused):
        world.submit(idempotency_key="k-1")
    assert [r.amount for r in world.state.requests.values()] == [eur("50.00")]
