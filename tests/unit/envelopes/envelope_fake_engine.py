"""A small policy and a fake rules engine, so the use-case tests do not depend on the real engine."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

from envelopes.services.engine import DecisionEngine
from rules.decision import Decision, Facts, Outcome, Reason
from rules.errors import LoadError, PolicyError
from rules.model import (
    Always,
    Bound,
    Compare,
    Constant,
    FactRef,
    FactType,
    General,
    Item,
    Limit,
    Measure,
    Policy,
    Scope,
    SourceRef,
    Text,
    Theme,
    Window,
    WindowKind,
)
from rules.request import DecisionRequest
from rules.sizes import SizeLimits

CEILING = 25_000  # the policy's mandate ceiling: € 250,00
WINTER_SHOES_MAX = 6_000  # € 60,00 per pair
_HERE = SourceRef("fake.yaml", 1, 1)


def make_policy(version: str) -> Policy:
    """kleding.winterschoenen (under 18; at most € 60,00; one pair per beneficiary per calendar year),
    energie.energiefactuur (always), huisvesting.huurwaarborg (never)."""
    under_18 = Compare("<", FactRef("beneficiary.age"), Constant(18, FactType.INT))
    shoes = Item(
        theme="kleding",
        key="winterschoenen",
        title=Text("Winterschoenen", "Winter shoes"),
        delegated_when=under_18,
        delegated_when_text="beneficiary.age < 18",
        limits=(
            Limit("kleding.winterschoenen.amount_per_request", Measure.AMOUNT, Scope.REQUEST,
                  Bound(value=WINTER_SHOES_MAX), _HERE),
            Limit("kleding.winterschoenen.count_per_beneficiary_calendar_year", Measure.COUNT,
                  Scope.BENEFICIARY, Bound(value=1), _HERE, window=Window(WindowKind.CALENDAR_YEAR)),
        ),
        basis="kader art. 4",
        source=_HERE,
    )  # fmt: skip
    energy = Item(
        "energie", "energiefactuur", Text("Energiefactuur"), Always(True), "always", (), "art. 5", _HERE
    )
    deposit = Item(
        "huisvesting", "huurwaarborg", Text("Huurwaarborg"), Always(False), "never", (), "art. 6", _HERE
    )
    themes = {
        item.theme: Theme(item.theme, Text(item.theme), "kader", {item.key: item}, f"{item.theme}.yaml")
        for item in (shoes, energy, deposit)
    }
    general = General(Text("Algemeen"), "kader art. 2", Bound(value=CEILING), "algemeen.yaml")
    return Policy(version=version, general=general, themes=MappingProxyType(themes), parameters={})


def fake_compile(files: Mapping[str, str], limits: SizeLimits | None = None) -> Policy:
    """Rule files to the fake policy; a file containing "kapot:" does not load (limits are not checked)."""
    problems = [
        LoadError(name, text.splitlines().index(line) + 1, 1, "unknown key 'kapot'")
        for name, text in sorted(files.items())
        for line in text.splitlines()
        if line.startswith("kapot:")
    ]
    if problems:
        raise PolicyError(problems)
    digest = hashlib.sha256()
    for name, text in sorted(files.items()):
        digest.update(name.encode() + b"\0" + text.encode() + b"\0")
    return make_policy(digest.hexdigest())


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class FakeEvaluator:
    """Approves only when the item is delegated, its limits hold, the amount is within the ceiling and the
    envelope is open and covers it; otherwise escalates with every reason. Keeps the requests it was given."""

    def __init__(self) -> None:
        self.requests: list[DecisionRequest] = []

    def __call__(self, policy: Policy, request: DecisionRequest) -> Decision:
        self.requests.append(request)
        day, amount = request.date, request.amount
        count_rule = "kleding.winterschoenen.count_per_beneficiary_calendar_year"
        used = sum(
            1
            for h in request.history
            if h.item == request.item
            and h.beneficiary_id == request.beneficiary.id
            and h.date.year == day.year
        )
        own = request.caseworker.mandate_ceiling if request.caseworker else None
        facts = Facts(
            date=day,
            theme=request.theme,
            item=request.item,
            amount=amount,
            quantity=request.quantity,
            beneficiary_age=age_on(request.beneficiary.birth_date, day),
            beneficiary_relation=request.beneficiary.relation or "",
            household_size=len(request.household.members),
            household_children=sum(age_on(m.birth_date, day) < 18 for m in request.household.members),
            household_income_band=request.household.income_band or "",
            envelope_available=request.envelope.available,
            envelope_frozen=request.envelope.frozen,
            caseworker_ceiling=own,
            usage=MappingProxyType({count_rule: used} if request.item == "winterschoenen" else {}),
        )
        failed: list[str] = []
        item = policy.item(request.theme, request.item)
        if item is None:
            failed.append("general.unknown_item")
        else:
            delegated = item.delegated_when
            if isinstance(delegated, Always) and not delegated.value:
                failed.append(item.delegation_rule_id)
            if isinstance(delegated, Compare) and facts.beneficiary_age >= 18:
                failed.append(item.delegation_rule_id)
            if item.key == "winterschoenen" and amount > WINTER_SHOES_MAX:
                failed.append("kleding.winterschoenen.amount_per_request")
            if item.key == "winterschoenen" and used + 1 > 1:
                failed.append(count_rule)
        if amount > min(CEILING, own if own is not None else CEILING):
            failed.append("general.mandate_ceiling")
        if request.envelope.available < amount:
            failed.append("general.envelope_cover")
        if request.envelope.frozen:
            failed.append("general.envelope_frozen")
        reasons = tuple(
            Reason(
                rule, f"niet voldaan: {rule}", f"not met: {rule}", "kader", MappingProxyType({"amount": "x"})
            )
            for rule in failed
        )
        return Decision(
            outcome=Outcome.ESCALATE if failed else Outcome.APPROVE,
            reasons=reasons,
            matched=tuple(failed) or (f"{request.theme}.{request.item}.delegation",),
            checked=tuple(failed),
            parameters=MappingProxyType({}),
            policy_version=policy.version,
            facts=facts,
        )


def fake_engine(evaluator: FakeEvaluator | None = None) -> DecisionEngine:
    return DecisionEngine(fake_compile, evaluator or FakeEvaluator())
