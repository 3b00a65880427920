"""Every transition of an aid request, its ledger effect, and the transitions each state refuses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from types import MappingProxyType

import pytest

from envelopes.domain.aid_requests import AidRequest, AidStatus
from envelopes.domain.envelopes import Balance, EntryKind, Envelope, Movement
from envelopes.domain.errors import InvalidInput, InvalidTransition
from rules.decision import Decision, Facts, Outcome, Reason
from rules.money import Money

AT = datetime(2026, 11, 23, 10, tzinfo=UTC)
DAY = date(2026, 11, 23)
REASON = Reason(
    "general.mandate_ceiling", "te hoog", "too high", "art. 2", MappingProxyType({"max": "250.00"})
)


def eur(text: str) -> Money:
    return Money.parse(text)


def decided(outcome: Outcome, amount: str = "45.00") -> Decision:
    facts = Facts(DAY, "kleding", "winterschoenen", eur(amount).cents, 1, 8, "kind", 2, 1, "", 0, False, None)
    reasons = (REASON,) if outcome is Outcome.ESCALATE else ()
    return Decision(outcome, reasons, (), (), MappingProxyType({}), "v" * 64, facts)


def envelope_with(amount: str) -> tuple[Envelope, Balance]:
    envelope, entries = Envelope.open(theme="kleding", year=2026, team=None, allocation=eur(amount), at=AT)
    return envelope, Balance.of(entries)


def submitted(
    outcome: Outcome, available: str = "100.00", amount: str = "45.00"
) -> tuple[AidRequest, list[Movement]]:
    envelope, balance = envelope_with(available)
    return AidRequest.submit(
        dossier_id="d",
        beneficiary_key="m",
        envelope=envelope,
        balance=balance,
        theme="kleding",
        item="winterschoenen",
        amount=eur(amount),
        quantity=1,
        day=DAY,
        justification="natte voeten",
        requested_by="carla",
        decision=decided(outcome, amount),
    )


def test_approved_by_the_engine_commits_the_amount() -> None:
    request, movements = submitted(Outcome.APPROVE)
    assert request.status is AidStatus.APPROVED
    assert (request.approved_amount, request.committed, request.reasons) == (eur("45.00"), eur("45.00"), ())
    assert movements == [Movement(EntryKind.COMMITMENT, eur("45.00"))]


def test_escalated_holds_the_amount_when_the_envelope_covers_it() -> None:
    request, movements = submitted(Outcome.ESCALATE)
    assert (request.status, request.held, request.reasons) == (AidStatus.ESCALATED, eur("45.00"), (REASON,))
    assert movements == [Movement(EntryKind.HOLD, eur("45.00"))]


def test_escalated_holds_nothing_when_the_envelope_cannot_cover_it() -> None:
    request, movements = submitted(Outcome.ESCALATE, available="44.99")
    assert (request.status, request.held, movements) == (AidStatus.ESCALATED, Money(0), [])


def test_escalated_on_a_frozen_envelope_holds_nothing() -> None:
    envelope, balance = envelope_with("100.00")
    envelope.freeze("controle")
    request, movements = AidRequest.submit(
        dossier_id="d", beneficiary_key="m", envelope=envelope, balance=balance, theme="kleding",
        item="winterschoenen", amount=eur("45.00"), quantity=1, day=DAY, justification="x",
        requested_by="carla", decision=decided(Outcome.ESCALATE),
    )  # fmt: skip
    assert (request.held, movements) == (Money(0), [])


@pytest.mark.parametrize(("amount", "quantity", "justification", "field"), [
    ("0.00", 1, "x", "amount"), ("1.00", 0, "x", "quantity"), ("1.00", 1001, "x", "quantity"),
    ("1.00", 1, "  ", "justification"),
])  # fmt: skip
def test_a_request_is_well_formed(amount: str, quantity: int, justification: str, field: str) -> None:
    envelope, balance = envelope_with("100.00")
    with pytest.raises(InvalidInput) as refused:
        AidRequest.submit(
            dossier_id="d", beneficiary_key="m", envelope=envelope, balance=balance, theme="kleding",
            item="winterschoenen", amount=eur(amount), quantity=quantity, day=DAY,
            justification=justification, requested_by="carla", decision=decided(Outcome.APPROVE, amount),
        )  # fmt: skip
    assert refused.value.field == field


def test_the_committee_approval_turns_the_hold_into_a_commitment() -> None:
    request, _ = submitted(Outcome.ESCALATE)
    movements = request.approve_by_committee(None, by="cor")
    assert movements == [
        Movement(EntryKind.RELEASE, eur("45.00"), EntryKind.HOLD, "approved by the committee"),
        Movement(EntryKind.COMMITMENT, eur("45.00")),
    ]
    assert (request.status, request.held, request.committed, request.decided_by) == (
        AidStatus.APPROVED, Money(0), eur("45.00"), "cor",
    )  # fmt: skip


def test_the_committee_may_approve_another_amount_with_a_motivation() -> None:
    request, _ = submitted(Outcome.ESCALATE)
    with pytest.raises(InvalidInput) as refused:
        request.approve_by_committee(eur("80.00"), by="cor")  # more than asked: motivated too
    assert refused.value.field == "motivation"
    movements = request.approve_by_committee(eur("80.00"), by="cor", motivation="Twee paar nodig.")
    assert movements[-1] == Movement(EntryKind.COMMITMENT, eur("80.00"))
    assert request.approved_amount == eur("80.00")


def test_approving_less_than_asked_needs_a_motivation() -> None:
    request, _ = submitted(Outcome.ESCALATE)
    with pytest.raises(InvalidInput) as refused:
        request.approve_by_committee(eur("30.00"), by="cor")
    assert refused.value.field == "motivation"
    assert request.status is AidStatus.ESCALATED
    request.approve_by_committee(eur("30.00"), by="cor", motivation="Tweedehands volstaat.")
    assert (request.approved_amount, request.motivation) == (eur("30.00"), "Tweedehands volstaat.")


def test_without_a_hold_the_committee_approval_is_a_commitment_only() -> None:
    request, _ = submitted(Outcome.ESCALATE, available="10.00")
    assert request.approve_by_committee(None, by="cor") == [Movement(EntryKind.COMMITMENT, eur("45.00"))]


def test_a_refusal_needs_a_motivation_and_releases_the_hold() -> None:
    request, _ = submitted(Outcome.ESCALATE)
    with pytest.raises(InvalidInput) as refused:
        request.refuse("  ", by="cor")
    assert refused.value.field == "motivation"
    movements = request.refuse("Geen bewijs van nood.", by="cor")
    assert movements == [
        Movement(EntryKind.RELEASE, eur("45.00"), EntryKind.HOLD, "refused by the committee")
    ]
    assert (request.status, request.held, request.motivation) == (
        AidStatus.REFUSED, Money(0), "Geen bewijs van nood.",
    )  # fmt: skip


def test_returning_needs_a_question_and_keeps_the_hold() -> None:
    request, _ = submitted(Outcome.ESCALATE)
    with pytest.raises(InvalidInput) as refused:
        request.return_for_information("", by="cor")
    assert refused.value.field == "question"
    assert request.return_for_information("Welke maat?", by="cor") == []
    assert (request.status, request.held, request.question) == (
        AidStatus.RETURNED,
        eur("45.00"),
        "Welke maat?",
    )


def test_a_resubmission_releases_the_hold_and_is_decided_again() -> None:
    request, _ = submitted(Outcome.ESCALATE)
    request.return_for_information("Welke maat?", by="cor")
    envelope, balance = envelope_with("100.00")
    balance = balance.plus(EntryKind.HOLD, eur("45.00"))  # the hold of this request
    movements = request.resubmit(
        decided(Outcome.APPROVE, "50.00"), envelope, balance, amount=eur("50.00"), quantity=1,
        justification="maat 34", by="carla",
    )  # fmt: skip
    assert movements == [
        Movement(EntryKind.RELEASE, eur("45.00"), EntryKind.HOLD, "resubmitted"),
        Movement(EntryKind.COMMITMENT, eur("50.00")),
    ]
    assert (request.status, request.amount, request.justification) == (
        AidStatus.APPROVED,
        eur("50.00"),
        "maat 34",
    )


def test_a_resubmission_that_escalates_again_may_hold_what_it_released() -> None:
    request, _ = submitted(Outcome.ESCALATE)
    request.return_for_information("Welke maat?", by="cor")
    envelope, balance = envelope_with("45.00")
    balance = balance.plus(EntryKind.HOLD, eur("45.00"))  # nothing else is available
    movements = request.resubmit(
        decided(Outcome.ESCALATE),
        envelope,
        balance,
        amount=eur("45.00"),
        quantity=1,
        justification="x",
        by="carla",
    )
    assert [m.kind for m in movements] == [EntryKind.RELEASE, EntryKind.HOLD]
    assert request.held == eur("45.00")


@pytest.mark.parametrize("status", [AidStatus.ESCALATED, AidStatus.RETURNED])
def test_an_open_request_can_be_withdrawn_and_its_hold_released(status: AidStatus) -> None:
    request, _ = submitted(Outcome.ESCALATE)
    if status is AidStatus.RETURNED:
        request.return_for_information("?", by="cor")
    assert request.withdraw("opgelost") == [
        Movement(EntryKind.RELEASE, eur("45.00"), EntryKind.HOLD, "withdrawn")
    ]
    assert (request.status, request.held, request.closing_reason) == (
        AidStatus.WITHDRAWN,
        Money(0),
        "opgelost",
    )


def test_approved_aid_is_cancelled_with_a_reason_and_its_commitment_released() -> None:
    request, _ = submitted(Outcome.APPROVE)
    with pytest.raises(InvalidInput):
        request.cancel(" ")
    assert request.cancel("dubbel aangevraagd") == [
        Movement(EntryKind.RELEASE, eur("45.00"), EntryKind.COMMITMENT, "cancelled")
    ]
    assert (request.status, request.committed) == (AidStatus.CANCELLED, Money(0))


def test_a_decision_about_another_request_is_refused() -> None:
    request, _ = submitted(Outcome.ESCALATE)
    request.return_for_information("?", by="cor")
    envelope, balance = envelope_with("100.00")
    with pytest.raises(ValueError, match="another request"):
        request.resubmit(
            decided(Outcome.APPROVE, "12.00"), envelope, balance, amount=eur("45.00"), quantity=1,
            justification="x", by="carla",
        )  # fmt: skip


Act = Callable[[AidRequest], object]
ACTS: dict[str, Act] = {
    "approve": lambda r: r.approve_by_committee(None, by="cor"),
    "refuse": lambda r: r.refuse("nee", by="cor"),
    "return": lambda r: r.return_for_information("?", by="cor"),
    "withdraw": lambda r: r.withdraw(),
    "cancel": lambda r: r.cancel("reden"),
    "resubmit": lambda r: r.resubmit(
        decided(Outcome.APPROVE), *envelope_with("100.00"), amount=eur("45.00"), quantity=1,
        justification="x", by="carla",
    ),
}  # fmt: skip
ALLOWED = {
    AidStatus.APPROVED: {"cancel"},
    AidStatus.ESCALATED: {"approve", "refuse", "return", "withdraw"},
    AidStatus.RETURNED: {"withdraw", "resubmit"},
    AidStatus.REFUSED: set(),
    AidStatus.WITHDRAWN: set(),
    AidStatus.CANCELLED: set(),
}


def in_status(status: AidStatus) -> AidRequest:
    request, _ = submitted(
        Outcome.APPROVE if status in {AidStatus.APPROVED, AidStatus.CANCELLED} else Outcome.ESCALATE
    )
    steps = {
        AidStatus.RETURNED: "return",
        AidStatus.REFUSED: "refuse",
        AidStatus.WITHDRAWN: "withdraw",
        AidStatus.CANCELLED: "cancel",
    }
    if status in steps:
        ACTS[steps[status]](request)
    assert request.status is status
    return request


@pytest.mark.parametrize("status", list(AidStatus))
@pytest.mark.parametrize("act", list(ACTS))
def test_each_state_allows_exactly_its_transitions(status: AidStatus, act: str) -> None:
    request = in_status(status)
    if act in ALLOWED[status]:
        ACTS[act](request)
        assert request.status is not status
    else:
        with pytest.raises(InvalidTransition):
            ACTS[act](request)
        assert request.status is status
