"""What the engine gives back: facts in, a decision out.

`Facts` are the derived facts the rules use: an age, not a birth date; totals per limit, not the history; no
names, no references. They are what the decision log keeps, and replaying them against the same policy version
gives the same decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from types import MappingProxyType
from typing import Any

from pydantic_core import to_json

from rules.money import format_cents, parse_cents


class Outcome(Enum):
    """The engine approves or escalates; it never refuses."""

    APPROVE = "approve"
    ESCALATE = "escalate"


@dataclass(frozen=True, slots=True)
class Facts:
    date: date
    theme: str
    item: str
    amount: int  # cents
    quantity: int
    beneficiary_age: int
    beneficiary_relation: str  # "" when not recorded
    household_size: int
    household_children: int  # members under 18 on the date
    household_income_band: str  # "" when not recorded
    envelope_available: int  # cents
    envelope_frozen: bool
    caseworker_ceiling: int | None  # the caseworker's own ceiling, if lower than the policy's
    usage: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    """Per limit rule id: what was used before this request in its window (cents for sums, a count)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "theme": self.theme,
            "item": self.item,
            "amount": format_cents(self.amount),
            "quantity": self.quantity,
            "beneficiary_age": self.beneficiary_age,
            "beneficiary_relation": self.beneficiary_relation,
            "household_size": self.household_size,
            "household_children": self.household_children,
            "household_income_band": self.household_income_band,
            "envelope_available": format_cents(self.envelope_available),
            "envelope_frozen": self.envelope_frozen,
            "caseworker_ceiling": (
                None if self.caseworker_ceiling is None else format_cents(self.caseworker_ceiling)
            ),
            "usage": dict(sorted(self.usage.items())) if len(self.usage) > 1 else dict(self.usage),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Facts:
        ceiling = data["caseworker_ceiling"]
        return cls(
            date=date.fromisoformat(data["date"]),
            theme=data["theme"],
            item=data["item"],
            amount=parse_cents(data["amount"]),
            quantity=int(data["quantity"]),
            beneficiary_age=int(data["beneficiary_age"]),
            beneficiary_relation=data["beneficiary_relation"],
            household_size=int(data["household_size"]),
            household_children=int(data["household_children"]),
            household_income_band=data["household_income_band"],
            envelope_available=parse_cents(data["envelope_available"]),
            envelope_frozen=bool(data["envelope_frozen"]),
            caseworker_ceiling=None if ceiling is None else parse_cents(ceiling),
            usage=MappingProxyType({k: int(v) for k, v in data["usage"].items()}),
        )


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a request escalates: the rule, a readable text in both languages, the legal basis, the numbers."""

    rule: str
    text_nl: str
    text_en: str
    basis: str
    figures: Mapping[str, str]

    def text(self, lang: str = "nl") -> str:
        return self.text_en if lang == "en" else self.text_nl

    def to_json(self, lang: str = "nl") -> dict[str, Any]:
        return {
            "rule": self.rule,
            "text": self.text(lang),
            "text_nl": self.text_nl,
            "text_en": self.text_en,
            "basis": self.basis,
            "figures": dict(self.figures),
        }


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    reasons: tuple[Reason, ...]
    matched: tuple[str, ...]  # rule ids whose condition held: a delegation that applies, every failed check
    checked: tuple[str, ...]  # every rule id that was evaluated for this request
    parameters: Mapping[str, str]  # parameter values used on the request date, as edge strings
    policy_version: str
    facts: Facts

    @property
    def approved(self) -> bool:
        return self.outcome is Outcome.APPROVE

    def to_json(self, lang: str = "nl") -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "reasons": [reason.to_json(lang) for reason in self.reasons],
            "matched": list(self.matched),
            "checked": list(self.checked),
            "parameters": dict(self.parameters),
            "policy_version": self.policy_version,
            "facts": self.facts.to_json(),
        }

    def to_json_bytes(self, lang: str = "nl") -> bytes:
        """`to_json(lang)` as compact UTF-8 JSON. A replay writes thousands a second, so the mapping handed
        to the encoder is built without `to_json`'s copies: the tuples and the reasons' figures go as is."""
        english = lang == "en"
        return to_json(
            {
                "outcome": self.outcome.value,
                "reasons": [
                    {
                        "rule": reason.rule,
                        "text": reason.text_en if english else reason.text_nl,
                        "text_nl": reason.text_nl,
                        "text_en": reason.text_en,
                        "basis": reason.basis,
                        "figures": reason.figures if type(reason.figures) is dict else dict(reason.figures),
                    }
                    for reason in self.reasons
                ],
                "matched": self.matched,
                "checked": self.checked,
                "parameters": dict(self.parameters),
                "policy_version": self.policy_version,
                "facts": self.facts.to_json(),
            }
        )
