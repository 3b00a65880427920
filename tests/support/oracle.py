"""An independent oracle: decides a request from the policy model directly, without the compiler.

It reads the conditions as written (the AST with `not`, `and`, `or`), counts earlier aid itself, and applies
the general conditions. It gives the outcome and the set of rule ids that must be reasons.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from rules.model import (
    All,
    Always,
    Compare,
    Condition,
    Constant,
    FactRef,
    Item,
    Measure,
    Not,
    Operand,
    ParamRef,
    Policy,
    Scope,
    Subject,
)
from rules.model import (
    Any as AnyOf,
)
from rules.request import DecisionRequest

_OPS: Mapping[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


def _age(born: date, day: date) -> int:
    years = day.year - born.year
    if (day.month, day.day) < (born.month, born.day):
        years -= 1
    return years


def _facts(request: DecisionRequest) -> dict[str, int | str]:
    day = request.date
    ages = [_age(m.birth_date, day) for m in request.household.members]
    children = len([a for a in ages if a < 18])
    return {
        "beneficiary.age": _age(request.beneficiary.birth_date, day),
        "beneficiary.relation": request.beneficiary.relation or "",
        "household.size": len(ages),
        "household.children": children,
        "household.adults": len(ages) - children,
        "household.income_band": request.household.income_band or "",
        "request.amount": request.amount,
        "request.quantity": request.quantity,
    }


class _Missing(Exception):
    pass


def _operand(operand: Operand, facts: Mapping[str, int | str], policy: Policy, day: date) -> int | str:
    if isinstance(operand, FactRef):
        return facts[operand.name]
    if isinstance(operand, Constant):
        return operand.value
    value = policy.parameters[operand.name].value_on(day)
    if value is None:
        raise _Missing(operand.name)
    return value


def holds(condition: Condition, facts: Mapping[str, int | str], policy: Policy, day: date) -> bool:
    if isinstance(condition, Always):
        return condition.value
    if isinstance(condition, Not):
        return not holds(condition.part, facts, policy, day)
    if isinstance(condition, All):
        return all(holds(p, facts, policy, day) for p in condition.parts)
    if isinstance(condition, AnyOf):
        return any(holds(p, facts, policy, day) for p in condition.parts)
    assert isinstance(condition, Compare)
    left = _operand(condition.left, facts, policy, day)
    right = _operand(condition.right, facts, policy, day)
    return _OPS[condition.op](left, right)


def _parameters(condition: Condition) -> set[str]:
    if isinstance(condition, Compare):
        return {o.name for o in (condition.left, condition.right) if isinstance(o, ParamRef)}
    if isinstance(condition, Not):
        return _parameters(condition.part)
    if isinstance(condition, All | AnyOf):
        return set().union(*(_parameters(p) for p in condition.parts))
    return set()


def _usage(
    item: Item,
    request: DecisionRequest,
    measure: Measure,
    scope: Scope,
    subject: Subject,
    first: date,
    last: date,
) -> int:
    total = 0
    for entry in request.history:
        same_subject = entry.theme == request.theme and (
            subject is Subject.THEME or entry.item == request.item
        )
        in_scope = (
            scope is Scope.HOUSEHOLD
            or (scope is Scope.BENEFICIARY and entry.beneficiary_id == request.beneficiary.id)
            or (
                scope is Scope.DOSSIER
                and (request.dossier_id is None or entry.dossier_id == request.dossier_id)
            )
        )
        if same_subject and in_scope and first <= entry.date <= last:
            total += entry.amount if measure is Measure.SUM else entry.quantity
    return total


def oracle(policy: Policy, request: DecisionRequest) -> tuple[str, set[str]]:
    """(outcome, rule ids of every reason)."""
    day = request.date
    reasons: set[str] = set()
    missing = False
    item = policy.item(request.theme, request.item)
    facts = _facts(request)
    ceiling = policy.general.mandate_ceiling.value_on(policy.parameters, day)
    if ceiling is None:
        missing = True
        ceiling = request.amount
    if request.caseworker is not None and request.caseworker.mandate_ceiling is not None:
        ceiling = min(ceiling, request.caseworker.mandate_ceiling)
    if request.envelope.frozen:
        reasons.add("general.envelope_frozen")
    if request.amount > request.envelope.available:
        reasons.add("general.envelope_cover")
    if request.amount > ceiling:
        reasons.add("general.mandate_ceiling")
    delegated = False
    if item is None:
        reasons.add("general.unknown_item")
    else:
        # A condition that names a parameter without a value on the date is not evaluated at all.
        if any(policy.parameters[name].value_on(day) is None for name in _parameters(item.delegated_when)):
            missing = True
        else:
            delegated = holds(item.delegated_when, facts, policy, day)
            if not delegated:
                reasons.add(item.delegation_rule_id)
        for limit in item.limits:
            bound = limit.bound.value_on(policy.parameters, day)
            if bound is None:
                missing = True
                continue
            if limit.measure is Measure.AMOUNT:
                value = request.amount
            else:
                assert limit.window is not None
                first, last = limit.window.range_for(day)
                used = _usage(item, request, limit.measure, limit.scope, limit.subject, first, last)
                value = used + (request.amount if limit.measure is Measure.SUM else request.quantity)
            if value > bound:
                reasons.add(limit.rule_id)
    if missing:
        reasons.add("general.parameter_missing")
    return ("approve" if delegated and not reasons else "escalate"), reasons
