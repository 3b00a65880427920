"""Envelopes (a budget per theme and period) and their ledger.

The available balance is never stored: it is derived from the ledger entries,
    available = allocated ± adjustments + transfers in − transfers out − commitments − holds
where a release undoes (part of) a hold or a commitment. It never goes below zero.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum

from envelopes.domain.errors import (
    EnvelopeFrozen,
    InsufficientFunds,
    InvalidInput,
    InvalidTransition,
    positive_amount,
)
from envelopes.domain.ids import new_id
from envelopes.domain.text import required_text
from rules.money import Money

ZERO = Money(0)
_THEME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class EntryKind(Enum):
    ALLOCATION = "allocation"  # the budget the council set when the envelope was opened
    ADJUSTMENT = "adjustment"  # a top-up (+) or a reduction (−), with a reason
    TRANSFER_IN = "transfer_in"  # from another envelope; written together with its transfer_out
    TRANSFER_OUT = "transfer_out"
    COMMITMENT = "commitment"  # approved aid
    HOLD = "hold"  # escalated aid that the envelope can cover, reserved until the committee rules
    RELEASE = "release"  # a hold or a commitment undone, with a reason


@dataclass(frozen=True)
class LedgerEntry:
    """One line of an envelope's ledger. Amounts are positive, except an adjustment's, which is signed."""

    id: str
    envelope_id: str
    kind: EntryKind
    amount: Money
    recorded_at: datetime
    reason: str = ""
    aid_request_id: str | None = None  # for commitments, holds and their releases
    releases: EntryKind | None = None  # HOLD or COMMITMENT, for a release
    transfer_id: str | None = None  # the same on both sides of a transfer


@dataclass(frozen=True)
class Movement:
    """An aid request's effect on its envelope, before it is written as a ledger entry."""

    kind: EntryKind  # COMMITMENT, HOLD or RELEASE
    amount: Money
    releases: EntryKind | None = None
    reason: str = ""


@dataclass(frozen=True)
class Balance:
    """The figures of one envelope, summed from its ledger entries."""

    allocated: Money = ZERO
    adjusted: Money = ZERO  # signed
    transferred_in: Money = ZERO
    transferred_out: Money = ZERO
    committed: Money = ZERO  # commitments minus released commitments
    held: Money = ZERO  # holds minus released holds

    @property
    def available(self) -> Money:
        return (
            self.allocated
            + self.adjusted
            + self.transferred_in
            - self.transferred_out
            - self.committed
            - self.held
        )

    @classmethod
    def of(cls, entries: Iterable[LedgerEntry]) -> Balance:
        balance = cls()
        for entry in entries:
            balance = balance.plus(entry.kind, entry.amount, entry.releases)
        return balance

    def plus(self, kind: EntryKind, amount: Money, releases: EntryKind | None = None) -> Balance:
        if kind is EntryKind.ALLOCATION:
            return replace(self, allocated=self.allocated + amount)
        if kind is EntryKind.ADJUSTMENT:
            return replace(self, adjusted=self.adjusted + amount)
        if kind is EntryKind.TRANSFER_IN:
            return replace(self, transferred_in=self.transferred_in + amount)
        if kind is EntryKind.TRANSFER_OUT:
            return replace(self, transferred_out=self.transferred_out + amount)
        if kind is EntryKind.COMMITMENT or (kind is EntryKind.RELEASE and releases is EntryKind.COMMITMENT):
            sign = amount if kind is EntryKind.COMMITMENT else -amount
            return replace(self, committed=self.committed + sign)
        if kind is EntryKind.HOLD or (kind is EntryKind.RELEASE and releases is EntryKind.HOLD):
            sign = amount if kind is EntryKind.HOLD else -amount
            return replace(self, held=self.held + sign)
        raise ValueError(f"a release must name what it releases, not {releases}")

    def after(self, entries: Iterable[LedgerEntry]) -> Balance:
        balance = self
        for entry in entries:
            balance = balance.plus(entry.kind, entry.amount, entry.releases)
        return balance


@dataclass
class Envelope:
    """A budget for one theme in one budget year, for the whole service or for one team."""

    id: str
    theme: str
    year: int
    team: str | None = None
    frozen: bool = False
    frozen_reason: str = ""

    @classmethod
    def open(
        cls, *, theme: str, year: int, team: str | None, allocation: Money, at: datetime
    ) -> tuple[Envelope, list[LedgerEntry]]:
        if not _THEME.fullmatch(theme):
            raise InvalidInput(f'"{theme}" is not a theme id: [a-z][a-z0-9_]*', field="theme")
        if not 2000 <= year <= 2100:
            raise InvalidInput(f"{year} is not a budget year", field="year")
        if allocation.cents < 0:
            raise InvalidInput("the allocation cannot be negative", field="allocation")
        envelope = cls(
            id=new_id(),
            theme=theme,
            year=year,
            team=None if team is None else required_text(team, "team", lines=False, max_length=64),
        )
        entries = []
        if allocation.cents > 0:
            entries.append(envelope._entry(EntryKind.ALLOCATION, allocation, at, reason="opened"))
        return envelope, entries

    def adjust(self, amount: Money, reason: str, balance: Balance, at: datetime) -> LedgerEntry:
        """Top up (amount > 0) or reduce (amount < 0); a reduction may not take available below zero."""
        if amount.cents == 0:
            raise InvalidInput("an adjustment cannot be 0.00", field="amount")
        reason = required_text(reason, "reason", lines=True)
        if amount.cents < 0 and balance.available + amount < ZERO:
            raise InsufficientFunds(self.id, available=balance.available, required=-amount)
        return self._entry(EntryKind.ADJUSTMENT, amount, at, reason=reason)

    def transfer_to(
        self, target: Envelope, amount: Money, reason: str, balance: Balance, at: datetime
    ) -> tuple[LedgerEntry, LedgerEntry]:
        """Both sides of a transfer; refused when this envelope would go below zero."""
        if target.id == self.id:
            raise InvalidInput("an envelope cannot transfer to itself", field="to_envelope_id")
        if target.year != self.year:
            raise InvalidInput(
                f"a transfer stays within one budget year ({self.year} → {target.year})",
                field="to_envelope_id",
            )
        positive_amount(amount, "amount")
        reason = required_text(reason, "reason", lines=True)
        if balance.available < amount:
            raise InsufficientFunds(self.id, available=balance.available, required=amount)
        transfer_id = new_id()
        return (
            self._entry(EntryKind.TRANSFER_OUT, amount, at, reason=reason, transfer_id=transfer_id),
            target._entry(EntryKind.TRANSFER_IN, amount, at, reason=reason, transfer_id=transfer_id),
        )

    def freeze(self, reason: str) -> str:
        """Frozen, for `reason` (returned as kept: checked and stripped)."""
        if self.frozen:
            raise InvalidTransition(f"envelope {self.id} is already frozen")
        self.frozen, self.frozen_reason = True, required_text(reason, "reason", lines=True)
        return self.frozen_reason

    def unfreeze(self, reason: str) -> str:
        """Open again, for `reason` (returned checked and stripped)."""
        if not self.frozen:
            raise InvalidTransition(f"envelope {self.id} is not frozen")
        checked = required_text(reason, "reason", lines=True)
        self.frozen, self.frozen_reason = False, ""
        return checked

    def can_hold(self, amount: Money, balance: Balance) -> bool:
        """Whether an escalated request gets a hold: the envelope is open and covers the amount."""
        return not self.frozen and balance.available >= amount

    def post(
        self, movements: Sequence[Movement], balance: Balance, *, aid_request_id: str, at: datetime
    ) -> list[LedgerEntry]:
        """Write an aid request's ledger effect. Refused when available would go below zero, or when a
        frozen envelope would give out new money (releasing, or turning a hold into a commitment of at
        most the held amount, stays possible)."""
        entries = [
            self._entry(
                m.kind, m.amount, at, reason=m.reason, aid_request=aid_request_id, releases=m.releases
            )
            for m in movements
        ]
        after = balance.after(entries)
        if after.available < ZERO:
            raise InsufficientFunds(
                self.id,
                available=balance.available + sum_of(movements, EntryKind.RELEASE),
                required=sum_of(movements, EntryKind.HOLD) + sum_of(movements, EntryKind.COMMITMENT),
            )
        if self.frozen and after.available < balance.available:
            raise EnvelopeFrozen(
                f"envelope {self.id} is frozen ({self.frozen_reason}): it takes no new holds or commitments",
                figures={"envelope_id": self.id, "available": str(balance.available)},
            )
        return entries

    def _entry(
        self,
        kind: EntryKind,
        amount: Money,
        at: datetime,
        *,
        reason: str = "",
        aid_request: str | None = None,
        releases: EntryKind | None = None,
        transfer_id: str | None = None,
    ) -> LedgerEntry:
        return LedgerEntry(
            id=new_id(),
            envelope_id=self.id,
            kind=kind,
            amount=amount,
            recorded_at=at,
            reason=reason,
            aid_request_id=aid_request,
            releases=releases,
            transfer_id=transfer_id,
        )


def sum_of(movements: Iterable[Movement], kind: EntryKind) -> Money:
    return sum((m.amount for m in movements if m.kind is kind), ZERO)
