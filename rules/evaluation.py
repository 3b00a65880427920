"""Facts in, decision out: gather the facts a policy needs, evaluate them in durable_rules, explain.

`evaluate(policy, request)` = `decide(policy, derive_facts(policy, request))`. `derive_facts` does the
counting (age on the date, household, earlier aid per limit window); `decide` lets the engine compare and
builds every reason. The engine approves or escalates, never refuses, and escalates by default: a request is
approved only when its item's delegation rule fired and no escalation rule did.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any

from rules import engine
from rules.compiler import (
    GENERAL_ENGINE_RULES,
    MAX_LIMITS_PER_ITEM,
    CompiledItem,
    CompiledPolicy,
    compile_policy,
)
from rules.decision import Decision, Facts, Outcome, Reason
from rules.model import GENERAL_RULES, Measure, Policy, Scope, Subject
from rules.periods import period_for
from rules.reasons import LimitFigures, delegation_reason, general_reason, limit_reason
from rules.request import DecisionRequest

ADULT_AGE = 18

_compiled: dict[str, CompiledPolicy] = {}
_compile_lock = threading.Lock()


def compiled(policy: Policy) -> CompiledPolicy:
    """The compiled form of a policy version, registered in the engine once per process."""
    found = _compiled.get(policy.version)
    if found is not None:
        return found
    with _compile_lock:
        found = _compiled.get(policy.version)
        if found is None:
            found = compile_policy(policy)
            engine.register(found.ruleset_name, found.rules)
            _compiled[policy.version] = found
    return found


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def derive_facts(policy: Policy, request: DecisionRequest) -> Facts:
    """The facts the rules use, derived from the request: no birth dates, no ids, no history lines."""
    day = request.date
    children = sum(1 for member in request.household.members if age_on(member.birth_date, day) < ADULT_AGE)
    usage: dict[str, int] = {}
    item = policy.item(request.theme, request.item)
    for limit in item.limits if item is not None else ():
        if limit.window is None:
            continue
        first, last = limit.window.range_for(day)
        used = 0
        for entry in request.history:
            if not first <= entry.date <= last or entry.theme != request.theme:
                continue
            if limit.subject is Subject.ITEM and entry.item != request.item:
                continue
            if limit.scope is Scope.BENEFICIARY and entry.beneficiary_id != request.beneficiary.id:
                continue
            if (
                limit.scope is Scope.DOSSIER
                and request.dossier_id is not None
                and entry.dossier_id != request.dossier_id
            ):
                continue
            used += entry.amount if limit.measure is Measure.SUM else entry.quantity
        usage[limit.rule_id] = used
    caseworker = request.caseworker
    return Facts(
        date=day,
        theme=request.theme,
        item=request.item,
        amount=request.amount,
        quantity=request.quantity,
        beneficiary_age=age_on(request.beneficiary.birth_date, day),
        beneficiary_relation=request.beneficiary.relation or "",
        household_size=len(request.household.members),
        household_children=children,
        household_income_band=request.household.income_band or "",
        envelope_available=request.envelope.available,
        envelope_frozen=request.envelope.frozen,
        caseworker_ceiling=caseworker.mandate_ceiling if caseworker is not None else None,
        usage=MappingProxyType(usage),
    )


def evaluate(policy: Policy, request: DecisionRequest) -> Decision:
    return decide(policy, derive_facts(policy, request))


def decide(policy: Policy, facts: Facts) -> Decision:
    """Evaluate derived facts against a policy version. The same facts and version give the same decision."""
    compiled_policy = compiled(policy)
    item = compiled_policy.items.get((facts.theme, facts.item))
    given = build_fact(compiled_policy, item, facts)
    fired = set(engine.fire(compiled_policy.ruleset_name, given.fact))
    return explain(compiled_policy, item, facts, fired, given)


@dataclass(frozen=True, slots=True)
class EngineInput:
    """The one fact the engine sees, and what is needed to explain its answer."""

    fact: dict[str, Any]
    limits: tuple[LimitFigures, ...]  # the limits that have a bound on the date, with their figures
    missing: tuple[str, ...]  # parameters without a value on the date
    ceiling: int  # the mandate ceiling that applies: the policy's, or the caseworker's when lower
    parameters: Mapping[str, str]  # parameter values used on the date


_LV = tuple(f"lv{slot}" for slot in range(MAX_LIMITS_PER_ITEM))
_LM = tuple(f"lm{slot}" for slot in range(MAX_LIMITS_PER_ITEM))


def build_fact(compiled_policy: CompiledPolicy, item: CompiledItem | None, facts: Facts) -> EngineInput:
    period = period_for(compiled_policy, item, facts.date)
    ceiling = period.ceiling if period.ceiling is not None else facts.amount
    if facts.caseworker_ceiling is not None:
        ceiling = min(ceiling, facts.caseworker_ceiling)
    fact = period.static.copy()
    fact["age"] = facts.beneficiary_age
    fact["rel"] = facts.beneficiary_relation
    fact["hs"] = facts.household_size
    fact["hc"] = facts.household_children
    fact["ha"] = facts.household_size - facts.household_children
    fact["inc"] = facts.household_income_band
    fact["amt"] = facts.amount
    fact["qty"] = facts.quantity
    fact["avail"] = facts.envelope_available
    fact["frozen"] = 1 if facts.envelope_frozen else 0
    fact["ceil"] = ceiling
    figures: list[LimitFigures] = []
    if item is not None:
        usage = facts.usage
        for slot, (limit, bound) in enumerate(zip(item.limits, period.bounds, strict=True)):
            if bound is None:
                fact[_LV[slot]] = fact[_LM[slot]] = 0  # general.parameter_missing escalates instead
                continue
            used = usage.get(limit.rule_id, 0)
            if limit.measure is Measure.AMOUNT:
                value = facts.amount
            elif limit.measure is Measure.SUM:
                value = used + facts.amount
            else:  # a count counts units: two pairs in one request are two pairs
                value = used + facts.quantity
            fact[_LV[slot]] = value
            fact[_LM[slot]] = bound
            figures.append(LimitFigures(limit, used, value, bound))
    return EngineInput(fact, tuple(figures), period.missing, ceiling, period.parameters)


def explain(
    compiled_policy: CompiledPolicy,
    item: CompiledItem | None,
    facts: Facts,
    fired: set[str],
    given: EngineInput,
) -> Decision:
    """The decision for the rules that fired: approve only when the delegation held and nothing escalated."""
    policy = compiled_policy.policy
    reasons: list[Reason] = []
    matched: list[str] = []
    for name, rule in GENERAL_ENGINE_RULES.items():
        if name in fired:
            matched.append(rule)
            reasons.append(general_reason(rule, policy, facts, given.missing, given.ceiling))
    delegated = False
    if item is not None:
        if item.delegation_ok in fired:
            delegated = True
            matched.append(item.item.delegation_rule_id)
        if item.delegation_no in fired:
            matched.append(item.item.delegation_rule_id)
            reasons.append(delegation_reason(item.item, policy, facts, _fact_values(facts)))
        for figures in given.limits:
            if item.limit_rule_names[figures.limit.rule_id] in fired:
                matched.append(figures.limit.rule_id)
                reasons.append(limit_reason(item.item, figures, facts))
    outcome = Outcome.APPROVE if delegated and not reasons else Outcome.ESCALATE
    return Decision(
        outcome=outcome,
        reasons=tuple(reasons),
        matched=tuple(matched),
        checked=item.checked if item is not None else GENERAL_RULES,
        parameters=given.parameters,
        policy_version=policy.version,
        facts=facts,
    )


def _fact_values(facts: Facts) -> Mapping[str, int | str]:
    return {
        "beneficiary.age": facts.beneficiary_age,
        "beneficiary.relation": facts.beneficiary_relation,
        "household.size": facts.household_size,
        "household.children": facts.household_children,
        "household.adults": facts.household_size - facts.household_children,
        "household.income_band": facts.household_income_band,
        "request.amount": facts.amount,
        "request.quantity": facts.quantity,
    }
