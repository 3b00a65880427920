"""The committee's queue and its rulings."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from api.http.schemas.common import Amount, Body, LongText
from envelopes.services.commands import CommitteeDecision, Ruling


class EscalationQueue(StrEnum):
    OPEN = "open"  # escalated, waiting for the committee
    RETURNED = "returned"  # returned to the caseworker with a question


class EscalationDecisionCreate(Body):
    decision: Annotated[Ruling, Field(strict=False)] = Field(
        description="approve (this amount or another), refuse, or return with a question"
    )
    amount: Amount | None = Field(default=None, description="approve: another amount than was asked")
    motivation: LongText | None = Field(
        default=None,
        description="required to refuse, and to approve less than asked; the question when returning",
    )

    def command(self, actor_id: str, request_id: str) -> CommitteeDecision:
        text = self.motivation or ""
        return CommitteeDecision(
            actor_id=actor_id,
            request_id=request_id,
            ruling=self.decision,
            amount=self.amount,
            motivation=text if self.decision is not Ruling.RETURN else "",
            question=text if self.decision is Ruling.RETURN else "",
        )
