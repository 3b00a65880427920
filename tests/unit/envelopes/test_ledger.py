"""Envelopes and their ledger: the available balance is derived from the entries and never goes below zero."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from envelopes.domain.envelopes import Balance, EntryKind, Envelope, LedgerEntry, Movement
from envelopes.domain.errors import EnvelopeFrozen, InsufficientFunds, InvalidInput, InvalidTransition
from rules.money import Money

AT = datetime(2026, 11, 23, 10, tzinfo=UTC)


def eur(text: str) -> Money:
    return Money.parse(text)


def entry(envelope: Envelope, kind: EntryKind, amount: str, releases: EntryKind | None = None) -> LedgerEntry:
    return LedgerEntry("e", envelope.id, kind, eur(amount), AT, releases=releases)


def opened(amount: str = "100.00", theme: str = "kleding", year: int = 2026) -> tuple[Envelope, Balance]:
    envelope, entries = Envelope.open(theme=theme, year=year, team=None, allocation=eur(amount), at=AT)
    return envelope, Balance.of(entries)


def test_available_is_allocated_plus_adjustments_and_transfers_minus_commitments_and_holds() -> None:
    envelope, _ = opened()
    other, _ = opened(theme="energie")
    entries = [
        entry(envelope, EntryKind.ALLOCATION, "1000.00"),
        entry(envelope, EntryKind.ADJUSTMENT, "200.00"),
        entry(envelope, EntryKind.ADJUSTMENT, "-50.00"),
        entry(envelope, EntryKind.TRANSFER_IN, "100.00"),
        entry(envelope, EntryKind.TRANSFER_OUT, "30.00"),
        entry(envelope, EntryKind.COMMITMENT, "60.00"),
        entry(envelope, EntryKind.HOLD, "40.00"),
        entry(envelope, EntryKind.RELEASE, "40.00", EntryKind.HOLD),
        entry(envelope, EntryKind.HOLD, "25.00"),
        entry(envelope, EntryKind.RELEASE, "20.00", EntryKind.COMMITMENT),
    ]
    balance = Balance.of(entries)
    assert balance == Balance(
        allocated=eur("1000.00"),
        adjusted=eur("150.00"),
        transferred_in=eur("100.00"),
        transferred_out=eur("30.00"),
        committed=eur("40.00"),
        held=eur("25.00"),
    )
    assert balance.available == eur("1155.00")
    assert Balance.of(e for e in entries if e.envelope_id == other.id) == Balance()


def test_a_release_must_say_what_it_releases() -> None:
    with pytest.raises(ValueError, match="release"):
        Balance().plus(EntryKind.RELEASE, eur("1.00"))


def test_opening_writes_the_allocation() -> None:
    envelope, balance = opened("250.00")
    assert (envelope.theme, envelope.year, envelope.team, envelope.frozen) == ("kleding", 2026, None, False)
    assert balance.allocated == balance.available == eur("250.00")


def test_an_envelope_opened_empty_has_no_entries() -> None:
    _, entries = Envelope.open(theme="kleding", year=2026, team="noord", allocation=Money(0), at=AT)
    assert entries == []


@pytest.mark.parametrize(
    ("theme", "year", "amount", "field"),
    [
        ("Kleding", 2026, "1.00", "theme"),
        ("kleding", 1999, "1.00", "year"),
        ("kleding", 2026, "-1.00", "allocation"),
    ],
)
def test_opening_refuses_bad_input(theme: str, year: int, amount: str, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        Envelope.open(theme=theme, year=year, team=None, allocation=eur(amount), at=AT)
    assert refused.value.field == field


def test_top_up_and_reduce() -> None:
    envelope, balance = opened("100.00")
    balance = balance.after([envelope.adjust(eur("50.00"), "begrotingswijziging", balance, AT)])
    balance = balance.after([envelope.adjust(eur("-150.00"), "besparing", balance, AT)])
    assert balance.available == Money(0)
    assert balance.adjusted == eur("-100.00")


def test_a_reduction_below_zero_is_refused_with_the_figures() -> None:
    envelope, balance = opened("100.00")
    balance = balance.plus(EntryKind.COMMITMENT, eur("70.00"))
    with pytest.raises(InsufficientFunds) as refused:
        envelope.adjust(eur("-40.00"), "besparing", balance, AT)
    assert refused.value.status == 409
    assert refused.value.code == "insufficient_funds"
    assert dict(refused.value.figures) == {
        "envelope_id": envelope.id,
        "available": "30.00",
        "required": "40.00",
        "shortfall": "10.00",
    }


def test_an_adjustment_needs_an_amount_and_a_reason() -> None:
    envelope, balance = opened()
    with pytest.raises(InvalidInput, match=r"cannot be 0\.00"):
        envelope.adjust(Money(0), "niets", balance, AT)
    with pytest.raises(InvalidInput) as refused:
        envelope.adjust(eur("5.00"), "   ", balance, AT)
    assert refused.value.field == "reason"


def test_a_transfer_writes_both_sides_with_one_transfer_id() -> None:
    source, balance = opened("100.00")
    target, _ = opened("0.00", theme="energie")
    out, into = source.transfer_to(target, eur("40.00"), "winterprik", balance, AT)
    assert (out.kind, out.envelope_id, out.amount) == (EntryKind.TRANSFER_OUT, source.id, eur("40.00"))
    assert (into.kind, into.envelope_id, into.amount) == (EntryKind.TRANSFER_IN, target.id, eur("40.00"))
    assert out.transfer_id == into.transfer_id is not None
    assert balance.after([out]).available == eur("60.00")
    assert Balance().after([into]).available == eur("40.00")


def test_a_transfer_that_would_take_the_source_below_zero_is_refused_with_the_figures() -> None:
    source, balance = opened("100.00")
    target, _ = opened("0.00", theme="energie")
    with pytest.raises(InsufficientFunds) as refused:
        source.transfer_to(target, eur("100.01"), "te veel", balance, AT)
    assert refused.value.figures["available"] == "100.00"
    assert refused.value.figures["required"] == "100.01"
    assert refused.value.figures["shortfall"] == "0.01"


@pytest.mark.parametrize(
    ("theme", "year", "field"), [("kleding", 2026, "to_envelope_id"), ("energie", 2027, "to_envelope_id")]
)
def test_a_transfer_goes_to_another_envelope_of_the_same_year(theme: str, year: int, field: str) -> None:
    source, balance = opened("100.00")
    target = source if theme == "kleding" else opened(theme=theme, year=year)[0]
    with pytest.raises(InvalidInput) as refused:
        source.transfer_to(target, eur("1.00"), "reden", balance, AT)
    assert refused.value.field == field


def test_freeze_and_unfreeze_with_a_reason() -> None:
    envelope, _ = opened()
    envelope.freeze("begrotingscontrole")
    assert (envelope.frozen, envelope.frozen_reason) == (True, "begrotingscontrole")
    with pytest.raises(InvalidTransition):
        envelope.freeze("nog eens")
    with pytest.raises(InvalidInput):
        envelope.unfreeze(" ")
    envelope.unfreeze("controle klaar")
    assert (envelope.frozen, envelope.frozen_reason) == (False, "")
    with pytest.raises(InvalidTransition):
        envelope.unfreeze("nog eens")


def test_a_commitment_beyond_what_is_available_is_refused_with_the_figures() -> None:
    envelope, balance = opened("50.00")
    with pytest.raises(InsufficientFunds) as refused:
        envelope.post([Movement(EntryKind.COMMITMENT, eur("60.00"))], balance, aid_request_id="r", at=AT)
    assert dict(refused.value.figures) == {
        "envelope_id": envelope.id,
        "available": "50.00",
        "required": "60.00",
        "shortfall": "10.00",
    }


def test_a_released_hold_counts_towards_the_commitment_that_replaces_it() -> None:
    envelope, balance = opened("50.00")
    balance = balance.plus(EntryKind.HOLD, eur("40.00"))
    movements = [
        Movement(EntryKind.RELEASE, eur("40.00"), EntryKind.HOLD),
        Movement(EntryKind.COMMITMENT, eur("55.00")),
    ]
    with pytest.raises(InsufficientFunds) as refused:
        envelope.post(movements, balance, aid_request_id="r", at=AT)
    assert (refused.value.figures["available"], refused.value.figures["required"]) == ("50.00", "55.00")
    movements[1] = Movement(EntryKind.COMMITMENT, eur("50.00"))
    entries = envelope.post(movements, balance, aid_request_id="r", at=AT)
    assert [e.aid_request_id for e in entries] == ["r", "r"]
    assert balance.after(entries) == Balance(allocated=eur("50.00"), committed=eur("50.00"))


def test_a_frozen_envelope_takes_no_new_money_out() -> None:
    envelope, balance = opened("100.00")
    envelope.freeze("controle")
    with pytest.raises(EnvelopeFrozen) as refused:
        envelope.post([Movement(EntryKind.COMMITMENT, eur("10.00"))], balance, aid_request_id="r", at=AT)
    assert refused.value.status == 409
    assert not envelope.can_hold(eur("10.00"), balance)


def test_a_frozen_envelope_still_releases_and_converts_a_hold_of_at_most_its_amount() -> None:
    envelope, balance = opened("100.00")
    balance = balance.plus(EntryKind.HOLD, eur("40.00"))
    envelope.freeze("controle")
    release = Movement(EntryKind.RELEASE, eur("40.00"), EntryKind.HOLD)
    assert envelope.post([release], balance, aid_request_id="r", at=AT)
    convert = [release, Movement(EntryKind.COMMITMENT, eur("40.00"))]
    assert len(envelope.post(convert, balance, aid_request_id="r", at=AT)) == 2
    with pytest.raises(EnvelopeFrozen):
        envelope.post(
            [release, Movement(EntryKind.COMMITMENT, eur("40.01"))], balance, aid_request_id="r", at=AT
        )


def test_a_hold_needs_an_open_envelope_that_covers_the_amount() -> None:
    envelope, balance = opened("50.00")
    assert envelope.can_hold(eur("50.00"), balance)
    assert not envelope.can_hold(eur("50.01"), balance)
