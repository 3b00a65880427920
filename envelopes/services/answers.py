"""What the use cases give back: plain values, built inside the transaction (safe after it closed)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from envelopes.domain.aid_requests import AidRequest
from envelopes.domain.dossiers import ClientDossier
from envelopes.domain.envelopes import Balance, Envelope
from envelopes.domain.policies import PolicyVersion
from envelopes.domain.reasons import reason_from_json, reason_to_json
from envelopes.domain.users import User
from rules.decision import Decision, Facts, Reason
from rules.money import Money


@dataclass(frozen=True)
class EnvelopeAnswer:
    envelope_id: str
    theme: str
    year: int
    team: str | None
    frozen: bool
    balance: Balance

    @classmethod
    def of(cls, envelope: Envelope, balance: Balance) -> EnvelopeAnswer:
        return cls(envelope.id, envelope.theme, envelope.year, envelope.team, envelope.frozen, balance)

    @property
    def available(self) -> Money:
        return self.balance.available


@dataclass(frozen=True)
class TransferAnswer:
    source: EnvelopeAnswer
    target: EnvelopeAnswer


@dataclass(frozen=True)
class DossierAnswer:
    dossier_id: str
    caseworker_id: str
    member_keys: tuple[str, ...]  # in the order the members were given

    @classmethod
    def of(cls, dossier: ClientDossier) -> DossierAnswer:
        return cls(dossier.id, dossier.caseworker_id, tuple(m.key for m in dossier.members))


@dataclass(frozen=True)
class UserAnswer:
    user_id: str
    role: str
    active: bool

    @classmethod
    def of(cls, user: User) -> UserAnswer:
        return cls(user.id, user.role.value, user.active)


@dataclass(frozen=True)
class PolicyVersionAnswer:
    version: str
    effective_from: date
    registered_by: str
    registered_at: datetime

    @classmethod
    def of(cls, version: PolicyVersion) -> PolicyVersionAnswer:
        return cls(version.version, version.effective_from, version.registered_by, version.registered_at)


@dataclass(frozen=True)
class AidAnswer:
    """An aid request after a transition. Stored as JSON for idempotent retries, which get it back with
    `replayed` set."""

    request_id: str
    status: str
    outcome: str  # the engine's latest outcome: approve | escalate
    amount: Money
    approved_amount: Money | None
    held: Money
    reasons: tuple[Reason, ...]
    policy_version: str
    envelope_id: str
    envelope_available: Money
    replayed: bool = False

    @classmethod
    def of(cls, request: AidRequest, available: Money) -> AidAnswer:
        return cls(
            request_id=request.id,
            status=request.status.value,
            outcome=request.outcome.value,
            amount=request.amount,
            approved_amount=request.approved_amount,
            held=request.held,
            reasons=request.reasons,
            policy_version=request.policy_version,
            envelope_id=request.envelope_id,
            envelope_available=available,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "status": self.status,
            "outcome": self.outcome,
            "amount": str(self.amount),
            "approved_amount": None if self.approved_amount is None else str(self.approved_amount),
            "held": str(self.held),
            "reasons": [reason_to_json(reason) for reason in self.reasons],
            "policy_version": self.policy_version,
            "envelope_id": self.envelope_id,
            "envelope_available": str(self.envelope_available),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, replayed: bool = False) -> AidAnswer:
        approved = data["approved_amount"]
        return cls(
            request_id=data["request_id"],
            status=data["status"],
            outcome=data["outcome"],
            amount=Money.parse(data["amount"]),
            approved_amount=None if approved is None else Money.parse(approved),
            held=Money.parse(data["held"]),
            reasons=tuple(reason_from_json(reason) for reason in data["reasons"]),
            policy_version=data["policy_version"],
            envelope_id=data["envelope_id"],
            envelope_available=Money.parse(data["envelope_available"]),
            replayed=replayed,
        )


@dataclass(frozen=True)
class PreviewAnswer:
    """What submitting would do now. Nothing was written."""

    outcome: str
    reasons: tuple[Reason, ...]
    matched: tuple[str, ...]
    policy_version: str
    facts: Facts
    effect: str  # commitment | hold | none
    envelope_id: str
    envelope_available: Money  # before

    @classmethod
    def of(cls, decision: Decision, effect: str, envelope_id: str, available: Money) -> PreviewAnswer:
        return cls(
            outcome=decision.outcome.value,
            reasons=decision.reasons,
            matched=decision.matched,
            policy_version=decision.policy_version,
            facts=decision.facts,
            effect=effect,
            envelope_id=envelope_id,
            envelope_available=available,
        )
