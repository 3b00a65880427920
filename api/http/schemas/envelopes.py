"""Envelopes (a budget per theme and budget year), their ledger, adjustments, transfers and freezes.

Every figure is derived from the ledger: `available = allocated − committed − held`, where `allocated` is
the opening allocation with every adjustment and transfer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from api.http.schemas.common import Amount, Body, Figure, Id, Line, Public, SignedAmount, Text, figure
from envelopes.domain.envelopes import Balance, EntryKind, Envelope, LedgerEntry
from envelopes.services.answers import EnvelopeAnswer, TransferAnswer

Theme = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$", examples=["kleding"])]
Period = Annotated[int, Field(ge=2000, le=2100, description="the budget year", examples=[2026])]


class EnvelopeCreate(Body):
    theme: Theme
    period: Period
    amount: Amount = Field(description="the allocation the council set")
    team: Line | None = Field(
        default=None, description="a team's own envelope; the whole service when left out"
    )


class EnvelopeAdjustmentCreate(Body):
    amount: SignedAmount = Field(description="a top-up (positive) or a reduction (negative)")
    reason: Text


class EnvelopeFreeze(Body):
    reason: Text


class EnvelopeUnfreeze(Body):
    reason: Text


class EnvelopeTransferCreate(Body):
    from_envelope_id: Id
    to_envelope_id: Id
    amount: Amount
    reason: Text


class EnvelopePublic(Public):
    id: Id
    theme: str
    period: int
    team: str | None
    allocated: Figure = Field(description="the opening allocation with every adjustment and transfer")
    committed: Figure
    held: Figure
    available: Figure
    frozen: bool
    opening_allocation: Figure
    adjusted: Figure = Field(description="the sum of the adjustments (signed)")
    transferred_in: Figure
    transferred_out: Figure

    @classmethod
    def of(cls, envelope: Envelope, balance: Balance) -> EnvelopePublic:
        return cls.figures(
            envelope.id, envelope.theme, envelope.year, envelope.team, envelope.frozen, balance
        )

    @classmethod
    def of_answer(cls, answer: EnvelopeAnswer) -> EnvelopePublic:
        return cls.figures(
            answer.envelope_id, answer.theme, answer.year, answer.team, answer.frozen, answer.balance
        )

    @classmethod
    def figures(
        cls, envelope_id: str, theme: str, year: int, team: str | None, frozen: bool, balance: Balance
    ) -> EnvelopePublic:
        allocated = balance.allocated + balance.adjusted + balance.transferred_in - balance.transferred_out
        return cls(
            id=envelope_id,
            theme=theme,
            period=year,
            team=team,
            allocated=figure(allocated),
            committed=figure(balance.committed),
            held=figure(balance.held),
            available=figure(balance.available),
            frozen=frozen,
            opening_allocation=figure(balance.allocated),
            adjusted=figure(balance.adjusted),
            transferred_in=figure(balance.transferred_in),
            transferred_out=figure(balance.transferred_out),
        )


class EnvelopeTransferPublic(Public):
    amount: Figure
    from_envelope: EnvelopePublic
    to_envelope: EnvelopePublic

    @classmethod
    def of(cls, answer: TransferAnswer, amount: str) -> EnvelopeTransferPublic:
        return cls(
            amount=amount,
            from_envelope=EnvelopePublic.of_answer(answer.source),
            to_envelope=EnvelopePublic.of_answer(answer.target),
        )


class LedgerEntryPublic(Public):
    id: Id
    kind: EntryKind
    amount: Figure = Field(description="positive; an adjustment's is signed")
    recorded_at: datetime
    reason: str
    aid_request_id: Id | None
    releases: EntryKind | None = Field(description="for a release: what it releases (hold or commitment)")
    transfer_id: Id | None

    @classmethod
    def of(cls, entry: LedgerEntry) -> LedgerEntryPublic:
        return cls(
            id=entry.id,
            kind=entry.kind,
            amount=figure(entry.amount),
            recorded_at=entry.recorded_at,
            reason=entry.reason,
            aid_request_id=entry.aid_request_id,
            releases=entry.releases,
            transfer_id=entry.transfer_id,
        )
