"""Aid requests and their life.

    submitted ─▶ approved (autonomous; commitment)        approved ─▶ cancelled (reason; commitment released)
             └─▶ escalated (hold when the envelope covers) ─▶ approved by the committee (hold → commitment)
                                                           ├─▶ refused (motivation; hold released)
                                                           └─▶ returned (question; hold kept) ─▶ resubmitted
    escalated | returned ─▶ withdrawn (hold released)

Every transition returns its ledger effect as movements; the envelope writes them (and refuses an overspend).
The engine approves or escalates; only the committee refuses, with a written motivation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from envelopes.domain.envelopes import ZERO, Balance, EntryKind, Envelope, Movement
from envelopes.domain.errors import InvalidInput, InvalidTransition, positive_amount
from envelopes.domain.ids import new_id
from envelopes.domain.text import optional_text, required_text
from rules.decision import Decision, Outcome, Reason
from rules.money import Money

MAX_QUANTITY = 1000


class AidStatus(Enum):
    APPROVED = "approved"
    ESCALATED = "escalated"
    RETURNED = "returned"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"


OPEN = frozenset({AidStatus.ESCALATED, AidStatus.RETURNED})


@dataclass
class AidRequest:
    id: str
    dossier_id: str
    beneficiary_key: str
    envelope_id: str
    theme: str
    item: str
    amount: Money  # as requested (the latest resubmission)
    quantity: int
    date: dt.date  # the request's calendar date (Europe/Brussels); decides the policy version and the windows
    justification: str  # the caseworker's; never copied into the log
    requested_by: str  # the caseworker who first submitted it
    status: AidStatus
    outcome: Outcome  # the engine's latest outcome
    reasons: tuple[Reason, ...]  # every reason it escalated; empty when approved
    policy_version: str
    approved_amount: Money | None = None
    held: Money = ZERO  # the hold on the envelope while it is open
    decided_by: str | None = None  # the committee member who ruled on it as it stands (not on an earlier
    # version that was returned and resubmitted: the log keeps who returned it)
    motivation: str = ""  # the committee's motivation
    question: str = ""  # the committee's question when it returned the request
    closing_reason: str = ""  # why it was withdrawn or cancelled
    resubmitted_by: tuple[str, ...] = ()  # every caseworker who resubmitted it after a return, in order

    @property
    def submitters(self) -> tuple[str, ...]:
        """Everyone who asked for this aid: none of them may decide on it."""
        return (self.requested_by, *self.resubmitted_by)

    @classmethod
    def submit(
        cls,
        *,
        dossier_id: str,
        beneficiary_key: str,
        envelope: Envelope,
        balance: Balance,
        theme: str,
        item: str,
        amount: Money,
        quantity: int,
        day: dt.date,
        justification: str,
        requested_by: str,
        decision: Decision,
    ) -> tuple[AidRequest, list[Movement]]:
        request = cls(
            id=new_id(),
            dossier_id=dossier_id,
            beneficiary_key=beneficiary_key,
            envelope_id=envelope.id,
            theme=theme,
            item=item,
            amount=positive_amount(amount, "amount"),
            quantity=_quantity(quantity),
            date=day,
            justification=required_text(justification, "justification", lines=True),
            requested_by=requested_by,
            status=AidStatus.ESCALATED,
            outcome=decision.outcome,
            reasons=(),
            policy_version=decision.policy_version,
        )
        return request, request._take(decision, envelope, balance)

    @property
    def committed(self) -> Money:
        """What this request has committed on its envelope."""
        if self.status is AidStatus.APPROVED and self.approved_amount is not None:
            return self.approved_amount
        return ZERO

    def resubmit(
        self,
        decision: Decision,
        envelope: Envelope,
        balance: Balance,
        *,
        amount: Money,
        quantity: int,
        justification: str,
        by: str,
    ) -> list[Movement]:
        """A returned request, decided again (possibly for another amount): its hold is released first."""
        self.require(AidStatus.RETURNED, "resubmit")
        self.amount = positive_amount(amount, "amount")
        self.quantity = _quantity(quantity)
        self.justification = required_text(justification, "justification", lines=True)
        self.resubmitted_by = (*self.resubmitted_by, by)
        self.decided_by = None  # the return was a ruling on the old request; this one is decided anew
        released = self._release_hold("resubmitted")
        after_release = (
            balance.plus(EntryKind.RELEASE, released[0].amount, EntryKind.HOLD) if released else balance
        )
        return released + self._take(decision, envelope, after_release)

    def approve_by_committee(self, amount: Money | None, *, by: str, motivation: str = "") -> list[Movement]:
        """The committee approves this amount or another; another amount than asked needs a motivation (the
        law on the formal motivation of administrative acts), whether it is less or more."""
        self.require(AidStatus.ESCALATED, "approve")
        approved = positive_amount(amount if amount is not None else self.amount, "amount")
        motivation = optional_text(motivation, "motivation", lines=True, max_length=10_000)
        if approved != self.amount and not motivation:
            raise InvalidInput(
                "approving another amount than was asked needs a motivation",
                field="motivation",
                figures={"asked": str(self.amount), "approved": str(approved)},
            )
        movements = self._release_hold("approved by the committee")
        self.status, self.approved_amount = AidStatus.APPROVED, approved
        self.decided_by, self.motivation = by, motivation
        return [*movements, Movement(EntryKind.COMMITMENT, approved)]

    def refuse(self, motivation: str, *, by: str) -> list[Movement]:
        self.require(AidStatus.ESCALATED, "refuse")
        self.motivation = required_text(motivation, "motivation", lines=True, max_length=10_000)
        movements = self._release_hold("refused by the committee")
        self.status, self.decided_by = AidStatus.REFUSED, by
        return movements

    def return_for_information(self, question: str, *, by: str) -> list[Movement]:
        """Back to the caseworker with a question; the hold stays until it is resubmitted or withdrawn."""
        self.require(AidStatus.ESCALATED, "return")
        self.question = required_text(question, "question", lines=True)
        self.status, self.decided_by = AidStatus.RETURNED, by
        return []

    def withdraw(self, reason: str = "") -> list[Movement]:
        if self.status not in OPEN:
            raise InvalidTransition(
                f"only an open request can be withdrawn; this one is {self.status.value}",
                figures={"status": self.status.value},
            )
        self.closing_reason = optional_text(reason, "reason", lines=True)
        movements = self._release_hold("withdrawn")
        self.status = AidStatus.WITHDRAWN
        return movements

    def cancel(self, reason: str) -> list[Movement]:
        self.require(AidStatus.APPROVED, "cancel")
        self.closing_reason = required_text(reason, "reason", lines=True)
        released = self.committed
        self.status = AidStatus.CANCELLED
        return [Movement(EntryKind.RELEASE, released, EntryKind.COMMITMENT, "cancelled")]

    def _take(self, decision: Decision, envelope: Envelope, balance: Balance) -> list[Movement]:
        """Apply the engine's decision: approve → commitment; escalate → hold when the envelope covers it."""
        if decision.facts.amount != self.amount.cents or decision.facts.item != self.item:
            raise ValueError("the decision is about another request")
        self.outcome, self.policy_version = decision.outcome, decision.policy_version
        if decision.outcome is Outcome.APPROVE:
            self.status, self.approved_amount, self.reasons = AidStatus.APPROVED, self.amount, ()
            return [Movement(EntryKind.COMMITMENT, self.amount)]
        self.status, self.approved_amount, self.reasons = AidStatus.ESCALATED, None, decision.reasons
        if envelope.can_hold(self.amount, balance):
            self.held = self.amount
            return [Movement(EntryKind.HOLD, self.amount)]
        return []

    def _release_hold(self, reason: str) -> list[Movement]:
        held, self.held = self.held, ZERO
        return [Movement(EntryKind.RELEASE, held, EntryKind.HOLD, reason)] if held.cents > 0 else []

    def require(self, status: AidStatus, act: str) -> None:
        """Refuse `act` (resubmit, approve, refuse, return, cancel) unless the request is `status`."""
        if self.status is not status:
            raise InvalidTransition(
                f"only a request that is {status.value} can be {_PAST[act]}; this one is {self.status.value}",
                figures={"status": self.status.value},
            )


_PAST = {
    "resubmit": "resubmitted",
    "approve": "approved",
    "refuse": "refused",
    "return": "returned",
    "cancel": "cancelled",
}


def _quantity(quantity: int) -> int:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidInput(f"quantity is 1 to {MAX_QUANTITY}", field="quantity")
    return quantity
