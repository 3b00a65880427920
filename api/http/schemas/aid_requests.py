"""Aid requests: what a caseworker asks, the answer at once (approved or escalated, with every reason), and
the request's life after."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field

from api.http.schemas.common import (
    Amount,
    Body,
    Figure,
    Id,
    IsoDate,
    OptionalText,
    Public,
    ReasonPublic,
    Text,
    figure,
)
from envelopes.domain.aid_requests import MAX_QUANTITY, AidRequest, AidStatus
from envelopes.services.answers import AidAnswer, PreviewAnswer
from envelopes.services.commands import SubmitAidRequest
from rules.decision import Outcome

Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
Quantity = Annotated[int, Field(ge=1, le=MAX_QUANTITY)]


class Effect(StrEnum):
    """What a decision does to the envelope."""

    COMMITMENT = "commitment"
    HOLD = "hold"
    NONE = "none"


class AidRequestCreate(Body):
    dossier_id: Id
    beneficiary_id: Id = Field(description="the household member the aid is for (their id in the dossier)")
    theme: Key = Field(examples=["kleding"])
    item: Key = Field(examples=["winterschoenen"])
    amount: Amount
    quantity: Quantity = 1
    justification: Text = Field(examples=["kind van 8 heeft geen waterdichte winterschoenen"])
    date: IsoDate | None = Field(
        default=None, description="the request's date; today in Brussels when left out"
    )

    def command(self, actor_id: str, idempotency_key: str | None = None) -> SubmitAidRequest:
        return SubmitAidRequest(
            actor_id=actor_id,
            dossier_id=self.dossier_id,
            beneficiary_key=self.beneficiary_id,
            theme=self.theme,
            item=self.item,
            amount=self.amount,
            quantity=self.quantity,
            justification=self.justification,
            date=self.date,
            idempotency_key=idempotency_key,
        )


class AidRequestWithdraw(Body):
    reason: OptionalText = ""


class AidRequestResubmit(Body):
    justification: Text = Field(description="the answer to the committee's question")
    amount: Amount | None = Field(default=None, description="another amount; the same when left out")
    quantity: Quantity | None = None


class AidRequestCancel(Body):
    reason: Text


class AidDecisionPublic(Public):
    """The state of a request after an act on it, and the effect on its envelope."""

    id: Id
    status: AidStatus
    outcome: Outcome = Field(description="the engine's latest outcome")
    amount: Figure
    approved_amount: Figure | None
    held: Figure = Field(description="held on the envelope while the request is open")
    reasons: list[ReasonPublic] = Field(description="every reason it escalated; empty when approved")
    envelope_id: Id
    envelope_available: Figure = Field(description="the envelope's available balance after this act")
    policy_version: str

    @classmethod
    def of(cls, answer: AidAnswer) -> AidDecisionPublic:
        return cls(
            id=answer.request_id,
            status=AidStatus(answer.status),
            outcome=Outcome(answer.outcome),
            amount=figure(answer.amount),
            approved_amount=None if answer.approved_amount is None else figure(answer.approved_amount),
            held=figure(answer.held),
            reasons=[ReasonPublic.of(reason) for reason in answer.reasons],
            envelope_id=answer.envelope_id,
            envelope_available=figure(answer.envelope_available),
            policy_version=answer.policy_version,
        )


class AidPreviewPublic(Public):
    """What submitting would decide now. Nothing was written."""

    outcome: Outcome
    effect: Effect
    reasons: list[ReasonPublic]
    matched: list[str] = Field(description="the rules whose condition held")
    policy_version: str
    envelope_id: Id
    envelope_available: Figure = Field(description="before the request")
    facts: dict[str, Any] = Field(description="the derived facts the rules used (an age, never a birth date)")

    @classmethod
    def of(cls, answer: PreviewAnswer) -> AidPreviewPublic:
        return cls(
            outcome=Outcome(answer.outcome),
            effect=Effect(answer.effect),
            reasons=[ReasonPublic.of(reason) for reason in answer.reasons],
            matched=list(answer.matched),
            policy_version=answer.policy_version,
            envelope_id=answer.envelope_id,
            envelope_available=figure(answer.envelope_available),
            facts=answer.facts.to_json(),
        )


class AidRequestPublic(Public):
    id: Id
    dossier_id: Id
    beneficiary_id: Id
    envelope_id: Id
    theme: str
    item: str
    amount: Figure
    quantity: int
    date: date
    justification: str
    requested_by: str
    status: AidStatus
    outcome: Outcome
    reasons: list[ReasonPublic]
    policy_version: str
    approved_amount: Figure | None
    held: Figure
    decided_by: str | None = Field(description="the committee member who ruled")
    motivation: str = Field(description="the committee's motivation")
    question: str = Field(description="the committee's question when it returned the request")
    closing_reason: str = Field(description="why it was withdrawn or cancelled")

    @classmethod
    def of(cls, aid: AidRequest) -> AidRequestPublic:
        return cls(
            id=aid.id,
            dossier_id=aid.dossier_id,
            beneficiary_id=aid.beneficiary_key,
            envelope_id=aid.envelope_id,
            theme=aid.theme,
            item=aid.item,
            amount=figure(aid.amount),
            quantity=aid.quantity,
            date=aid.date,
            justification=aid.justification,
            requested_by=aid.requested_by,
            status=aid.status,
            outcome=aid.outcome,
            reasons=[ReasonPublic.of(reason) for reason in aid.reasons],
            policy_version=aid.policy_version,
            approved_amount=None if aid.approved_amount is None else figure(aid.approved_amount),
            held=figure(aid.held),
            decided_by=aid.decided_by,
            motivation=aid.motivation,
            question=aid.question,
            closing_reason=aid.closing_reason,
        )
