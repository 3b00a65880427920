"""What each use case is asked to do. The actor is the authenticated user; the API fills it in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from envelopes.domain.dossiers import NewMember
from envelopes.domain.users import Role
from rules.money import Money

# --- envelopes (finance) ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenEnvelope:
    actor_id: str
    theme: str
    year: int
    allocation: Money
    team: str | None = None


@dataclass(frozen=True)
class AdjustEnvelope:
    actor_id: str
    envelope_id: str
    amount: Money  # > 0 tops up, < 0 reduces
    reason: str


@dataclass(frozen=True)
class TransferBetweenEnvelopes:
    actor_id: str
    from_envelope_id: str
    to_envelope_id: str
    amount: Money
    reason: str


@dataclass(frozen=True)
class FreezeEnvelope:
    actor_id: str
    envelope_id: str
    reason: str


@dataclass(frozen=True)
class UnfreezeEnvelope:
    actor_id: str
    envelope_id: str
    reason: str


# --- dossiers (caseworker) --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateDossier:
    actor_id: str
    reference: str
    members: tuple[NewMember, ...]


@dataclass(frozen=True)
class ReassignDossier:
    actor_id: str
    dossier_id: str
    caseworker_id: str


# --- aid requests ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmitAidRequest:
    """Also the body of a preview (which ignores the idempotency key)."""

    actor_id: str
    dossier_id: str
    beneficiary_key: str
    theme: str
    item: str
    amount: Money
    justification: str
    quantity: int = 1
    date: date | None = None  # today in Brussels when not given
    idempotency_key: str | None = None

    def normalized_body(self) -> dict[str, Any]:
        """What a retry must repeat: everything but the actor and the key, in edge form."""
        return {
            "dossier_id": self.dossier_id.strip(),
            "beneficiary_key": self.beneficiary_key.strip(),
            "theme": self.theme.strip(),
            "item": self.item.strip(),
            "amount": str(self.amount),
            "quantity": self.quantity,
            "date": None if self.date is None else self.date.isoformat(),
            "justification": " ".join(self.justification.split()),
        }


@dataclass(frozen=True)
class ResubmitAidRequest:
    actor_id: str
    request_id: str
    justification: str  # the answer to the committee's question
    amount: Money | None = None  # None keeps the amount
    quantity: int | None = None


@dataclass(frozen=True)
class WithdrawAidRequest:
    actor_id: str
    request_id: str
    reason: str = ""


class Ruling(Enum):
    APPROVE = "approve"
    REFUSE = "refuse"
    RETURN = "return"


@dataclass(frozen=True)
class CommitteeDecision:
    actor_id: str
    request_id: str
    ruling: Ruling
    amount: Money | None = None  # approve: None approves the amount asked
    motivation: str = ""  # required to refuse, and to approve less than asked
    question: str = ""  # required to return


@dataclass(frozen=True)
class CancelAid:
    actor_id: str
    request_id: str
    reason: str


# --- policy and users -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterPolicyVersion:
    actor_id: str
    files: Mapping[str, str]  # rule file name -> its text (UTF-8), as in the policy folder
    effective_from: date
    expected_version: str | None = None  # the version the policy officer tested; refused if it differs


@dataclass(frozen=True)
class AddUser:
    actor_id: str
    user_id: str
    name: str
    role: Role
    team: str | None = None
    mandate_ceiling: Money | None = None


@dataclass(frozen=True)
class SetRole:
    actor_id: str
    user_id: str
    role: Role


@dataclass(frozen=True)
class DisableUser:
    actor_id: str
    user_id: str


@dataclass(frozen=True)
class BootstrapAdmin:
    """The first user of an empty installation (the CLI); refused once any user exists."""

    user_id: str
    name: str
