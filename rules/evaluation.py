"""Facts in, decision out: gather the facts a policy needs, evaluate them in durable_rules, explain.

`evaluate(policy, request)` = `decide(policy, derive_facts(policy, request))`. `derive_facts` does the
counting (age on the date, household, earlier aid per limit window); `decide` lets the engine compare and
builds every reason. The engine approves or escalates, never refuses, and escalates by default: a request is
approved only when its item's delegation rule fired and no escalation rule did.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from typing import Any

from rules import engine
from rules.compiler import (
    GENERAL_ENGINE_RULES,
    UNKNOWN_SHAPE,
    CompiledItem,
    CompiledPolicy,
    compile_policy,
    resolve_constant,
)
from rules.decision import Decision, Facts, Outcome, Reason
from rules.model import GENERAL_RULES, Measure, ParamRef, Policy, Scope, Subject
from rules.reasons import LimitFigures, delegation_reason, general_reason, limit_reason, parameter_edge
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
    engine_fact, limit_figures, missing, ceiling = build_fact(compiled_policy, item, facts)
    fired = set(engine.fire(compiled_policy.ruleset_name, engine_fact))
    return explain(compiled_policy, item, facts, fired, limit_figures, missing, ceiling)


def build_fact(
    compiled_policy: CompiledPolicy, item: CompiledItem | None, facts: Facts
) -> tuple[dict[str, Any], list[LimitFigures], list[str], int]:
    """The one fact the engine sees, plus what is needed to explain its answer."""
    policy = compiled_policy.policy
    day = facts.date
    missing: list[str] = []
    ceiling = policy.general.mandate_ceiling.value_on(policy.parameters, day)
    if ceiling is None:
        missing.append(policy.general.mandate_ceiling.parameter or "mandate_ceiling")
        ceiling = facts.amount
    if facts.caseworker_ceiling is not None:
        ceiling = min(ceiling, facts.caseworker_ceiling)
    fact: dict[str, Any] = {
        "known": 1 if item is not None else 0,
        "shape": item.shape if item is not None else UNKNOWN_SHAPE,
        "age": facts.beneficiary_age,
        "rel": facts.beneficiary_relation,
        "hs": facts.household_size,
        "hc": facts.household_children,
        "ha": facts.household_size - facts.household_children,
        "inc": facts.household_income_band,
        "amt": facts.amount,
        "qty": facts.quantity,
        "avail": facts.envelope_available,
        "frozen": 1 if facts.envelope_frozen else 0,
        "ceil": ceiling,
    }
    limit_figures: list[LimitFigures] = []
    if item is not None:
        for slot, operand in enumerate(item.constants):
            value = resolve_constant(operand, policy, day)
            if value is None and isinstance(operand, ParamRef):
                missing.append(operand.name)
                fact["shape"] = UNKNOWN_SHAPE  # neither delegation rule can fire: escalate
            fact[f"k{slot}"] = value
        for slot, limit in enumerate(item.limits):
            bound = limit.bound.value_on(policy.parameters, day)
            used = facts.usage.get(limit.rule_id, 0)
            if limit.measure is Measure.AMOUNT:
                value = facts.amount
            elif limit.measure is Measure.SUM:
                value = used + facts.amount
            else:  # a count counts units: two pairs in one request are two pairs
                value = used + facts.quantity
            if bound is None:
                missing.append(limit.bound.parameter or limit.rule_id)
                fact[f"lv{slot}"] = fact[f"lm{slot}"] = 0
                continue
            fact[f"lv{slot}"] = value
            fact[f"lm{slot}"] = bound
            limit_figures.append(LimitFigures(limit, used, value, bound))
    for slot in range(len(item.limits) if item is not None else 0, compiled_policy.limit_slots):
        fact[f"lv{slot}"] = fact[f"lm{slot}"] = 0
    fact["missing"] = 1 if missing else 0
    return fact, limit_figures, missing, ceiling


def explain(
    compiled_policy: CompiledPolicy,
    item: CompiledItem | None,
    facts: Facts,
    fired: set[str],
    limit_figures: list[LimitFigures],
    missing: list[str],
    ceiling: int,
) -> Decision:
    policy = compiled_policy.policy
    reasons: list[Reason] = []
    matched: list[str] = []
    for name, rule in GENERAL_ENGINE_RULES.items():
        if name in fired:
            matched.append(rule)
            reasons.append(general_reason(rule, policy, facts, missing, ceiling))
    delegated = False
    if item is not None:
        if f"d{item.shape}_ok" in fired:
            delegated = True
            matched.append(item.item.delegation_rule_id)
        if f"d{item.shape}_no" in fired:
            matched.append(item.item.delegation_rule_id)
            reasons.append(delegation_reason(item.item, policy, facts, _fact_values(facts)))
        by_rule = {figures.limit.rule_id: figures for figures in limit_figures}
        for slot, limit in enumerate(item.limits):
            if f"l{slot}" in fired and limit.rule_id in by_rule:
                matched.append(limit.rule_id)
                reasons.append(limit_reason(item.item, by_rule[limit.rule_id], facts))
    outcome = Outcome.APPROVE if delegated and not reasons else Outcome.ESCALATE
    return Decision(
        outcome=outcome,
        reasons=tuple(reasons),
        matched=tuple(matched),
        checked=item.checked if item is not None else GENERAL_RULES,
        parameters=_parameters(policy, item, facts.date),
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


def _parameters(policy: Policy, item: CompiledItem | None, day: date) -> Mapping[str, str]:
    names = (
        item.parameters
        if item is not None
        else tuple(p for p in (policy.general.mandate_ceiling.parameter,) if p is not None)
    )
    values: dict[str, str] = {}
    for name in names:
        parameter = policy.parameters[name]
        value = parameter.value_on(day)
        if value is not None:
            values[name] = parameter_edge(parameter, value)
    return MappingProxyType(values)
