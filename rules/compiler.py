"""Policy -> the compiled form that runs in durable_rules.

The ruleset is small and independent of the number of items: per-item values travel in the fact, as
DURABLE_RULES.md measured to be both the fastest variant and the one far from the engine's hang and crash
limits. The rules compare fields of one fact:

- four general rules: unknown item, mandate ceiling, envelope cover, frozen envelope, and one for a parameter
  without a value on the request date;
- one rule per limit slot `i`: the value with this request (`lv<i>`) is greater than the bound (`lm<i>`);
- per distinct *shape* of delegation condition, two rules: the condition holds, or it does not. A shape is the
  condition with its literals and parameters lifted out into constant slots (`k0`, `k1`, …), so
  `beneficiary.age < 18` and `beneficiary.age < meerderjarigheid` share one shape;
- a catch-all rule that proves the evaluation completed.

Each item carries its shape number, its constants (resolved on the request date) and its limits in slot order.
The reference evaluator (tests/) interprets the same `rules` mapping in plain Python.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from rules.engine import CATCH_ALL
from rules.model import (
    GENERAL_RULES,
    All,
    Always,
    Bound,
    Compare,
    Condition,
    Constant,
    FactRef,
    Item,
    Limit,
    Not,
    Operand,
    ParamRef,
    Policy,
    SourceRef,
)
from rules.model import (
    Any as AnyOf,
)

#: durable_rules loops forever from 511 distinct tests on one field (measured); keep well below.
MAX_TESTS_PER_FIELD = 400
MAX_SHAPES = 150
MAX_LIMITS_PER_ITEM = 16
MAX_CONSTANTS_PER_ITEM = 32

#: Engine field names of the facts a condition may use.
FACT_FIELDS: Mapping[str, str] = MappingProxyType(
    {
        "beneficiary.age": "age",
        "beneficiary.relation": "rel",
        "household.size": "hs",
        "household.children": "hc",
        "household.adults": "ha",
        "household.income_band": "inc",
        "request.amount": "amt",
        "request.quantity": "qty",
    }
)

#: Engine rule name -> policy rule id, for the general rules.
GENERAL_ENGINE_RULES: Mapping[str, str] = MappingProxyType(
    {
        "g_unknown": "general.unknown_item",
        "g_missing": "general.parameter_missing",
        "g_frozen": "general.envelope_frozen",
        "g_cover": "general.envelope_cover",
        "g_ceiling": "general.mandate_ceiling",
    }
)

_NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
_DURABLE_OP = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte", "!=": "$neq"}

UNKNOWN_SHAPE = -1


@dataclass(frozen=True, slots=True)
class CompiledItem:
    item: Item
    shape: int  # delegation shape number; its rules are d<shape>_ok and d<shape>_no
    always: bool | None  # True / False when the condition is constant, else None
    constants: tuple[Operand, ...]  # ParamRef or Constant, in slot order k0, k1, ...
    limits: tuple[Limit, ...]  # in slot order l0, l1, ...
    parameters: tuple[str, ...]  # every parameter this item's rules use, general ones included
    checked: tuple[str, ...]  # every rule id evaluated for a request for this item
    delegation_ok: str  # engine rule names: the delegation holds / does not hold
    delegation_no: str
    limit_rule_names: Mapping[str, str]  # limit rule id -> engine rule name of its slot


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    policy: Policy
    ruleset_name: str
    rules: Mapping[str, Any]  # the durable_rules definition (JSON form)
    items: Mapping[tuple[str, str], CompiledItem]
    limit_slots: int


def compile_policy(policy: Policy) -> CompiledPolicy:
    shapes: dict[str, int] = {}
    shape_rules: dict[str, Any] = {}
    items: dict[tuple[str, str], CompiledItem] = {}
    slots = max((len(item.limits) for item in policy.items()), default=0)
    general_parameters = _bound_parameters(policy.general.mandate_ceiling)
    for item in policy.items():
        condition = _simplify(_push_not(item.delegated_when, negate=False))
        constants: list[Operand] = []
        always: bool | None = None
        shape = UNKNOWN_SHAPE
        if isinstance(condition, Always):
            always = condition.value
            key = "always" if condition.value else "never"
        else:
            key = json.dumps(_to_durable(condition, constants), sort_keys=True)
        if key not in shapes:
            shapes[key] = len(shapes)
            shape_rules.update(_shape_rules(shapes[key], condition))
        shape = shapes[key]
        parameters = {c.name for c in constants if isinstance(c, ParamRef)} | general_parameters
        for limit in item.limits:
            parameters |= _bound_parameters(limit.bound)
        items[(item.theme, item.key)] = CompiledItem(
            item=item,
            shape=shape,
            always=always,
            constants=tuple(constants),
            limits=item.limits,
            parameters=tuple(sorted(parameters)),
            checked=(*GENERAL_RULES, item.delegation_rule_id, *(limit.rule_id for limit in item.limits)),
            delegation_ok=f"d{shape}_ok",
            delegation_no=f"d{shape}_no",
            limit_rule_names=MappingProxyType(
                {limit.rule_id: f"l{slot}" for slot, limit in enumerate(item.limits)}
            ),
        )
    rules: dict[str, Any] = {
        "g_unknown": _when({"known": 0}),
        "g_missing": _when({"missing": 1}),
        "g_frozen": _when({"frozen": 1}),
        "g_cover": _when({"$gt": {"amt": {"$m": "avail"}}}),
        "g_ceiling": _when({"$gt": {"amt": {"$m": "ceil"}}}),
    }
    for slot in range(slots):
        rules[f"l{slot}"] = _when({"$gt": {f"lv{slot}": {"$m": f"lm{slot}"}}})
    rules.update(shape_rules)
    rules[CATCH_ALL] = _when({"$ex": {"amt": 1}})
    digest = hashlib.sha256(json.dumps(rules, sort_keys=True).encode()).hexdigest()[:16]
    return CompiledPolicy(
        policy=policy,
        ruleset_name=f"mandaat_{policy.version[:16]}_{digest}",
        rules=MappingProxyType(rules),
        items=MappingProxyType(items),
        limit_slots=slots,
    )


def capacity_problems(policy: Policy) -> list[tuple[SourceRef, str]]:
    """Where the policy would reach durable_rules' hang or crash limits (DURABLE_RULES.md)."""
    problems: list[tuple[SourceRef, str]] = []
    for item in policy.items():
        if len(item.limits) > MAX_LIMITS_PER_ITEM:
            problems.append(
                (item.source, f"item {item.key} has {len(item.limits)} limits; at most {MAX_LIMITS_PER_ITEM}")
            )
    compiled = compile_policy(policy)
    for entry in compiled.items.values():
        if len(entry.constants) > MAX_CONSTANTS_PER_ITEM:
            problems.append(
                (
                    entry.item.source,
                    f"the condition of item {entry.item.key} uses {len(entry.constants)} values; "
                    f"at most {MAX_CONSTANTS_PER_ITEM}",
                )
            )
    shapes = {item.shape for item in compiled.items.values()}
    first = policy.items()[0].source if policy.items() else SourceRef(policy.general.path, 1, 1)
    if len(shapes) > MAX_SHAPES:
        problems.append(
            (
                first,
                f"the policy has {len(shapes)} differently built delegation conditions; the engine "
                f"supports at most {MAX_SHAPES} (conditions that differ only in their numbers or "
                "parameters count once)",
            )
        )
    tests = Counter(_field_tests(compiled.rules))
    for field_name, count in sorted(tests.items()):
        if count > MAX_TESTS_PER_FIELD:
            problems.append(
                (
                    first,
                    f"the compiled rules test the fact {field_name!r} in {count} different ways; the "
                    f"engine hangs from 511 and we allow at most {MAX_TESTS_PER_FIELD}: use fewer "
                    "differently built conditions",
                )
            )
    return problems


# --- conditions -> durable_rules JSON -------------------------------------------------------------------


def _push_not(condition: Condition, negate: bool) -> Condition:
    """Move every `not` down to the comparisons (durable_rules has no `$not` on a single fact)."""
    if isinstance(condition, Not):
        return _push_not(condition.part, not negate)
    if isinstance(condition, Compare):
        return Compare(_NEGATED[condition.op], condition.left, condition.right) if negate else condition  # type: ignore[arg-type]
    if isinstance(condition, Always):
        return Always(condition.value != negate)
    parts = tuple(_push_not(part, negate) for part in condition.parts)
    if isinstance(condition, All):
        return AnyOf(parts) if negate else All(parts)
    return All(parts) if negate else AnyOf(parts)


def _simplify(condition: Condition) -> Condition:
    """Fold `always`/`never` inside `and`/`or`; flatten nested groups of the same kind."""
    if isinstance(condition, All | AnyOf):
        unit = isinstance(condition, All)  # `and` ignores True parts, is False with a False part
        kept: list[Condition] = []
        for part in (_simplify(p) for p in condition.parts):
            if isinstance(part, Always):
                if part.value != unit:
                    return Always(not unit)
                continue
            if isinstance(part, All | AnyOf) and type(part) is type(condition):
                kept.extend(part.parts)
            else:
                kept.append(part)
        if not kept:
            return Always(unit)
        if len(kept) == 1:
            return kept[0]
        return All(tuple(kept)) if unit else AnyOf(tuple(kept))
    return condition


def _field(operand: Operand, constants: list[Operand]) -> str:
    if isinstance(operand, FactRef):
        return FACT_FIELDS[operand.name]
    constants.append(operand)
    return f"k{len(constants) - 1}"


def _to_durable(condition: Condition, constants: list[Operand]) -> dict[str, Any]:
    if isinstance(condition, Compare):
        left = _field(condition.left, constants)
        right = _field(condition.right, constants)
        if condition.op == "==":
            return {left: {"$m": right}}
        return {_DURABLE_OP[condition.op]: {left: {"$m": right}}}
    if isinstance(condition, All):
        return {"$and": [_to_durable(part, constants) for part in condition.parts]}
    if isinstance(condition, AnyOf):
        return {"$or": [_to_durable(part, constants) for part in condition.parts]}
    raise AssertionError(f"not a simplified condition: {condition!r}")


def _shape_rules(shape: int, condition: Condition) -> dict[str, Any]:
    """The two rules of a shape: `d<n>_ok` when the condition holds, `d<n>_no` when it does not."""
    selector = {"shape": shape}
    if isinstance(condition, Always):
        return {f"d{shape}_ok" if condition.value else f"d{shape}_no": _when(selector)}
    holds = _to_durable(condition, [])
    fails = _to_durable(_simplify(_push_not(condition, negate=True)), [])
    return {
        f"d{shape}_ok": _when({"$and": [selector, holds]}),
        f"d{shape}_no": _when({"$and": [selector, fails]}),
    }


def _when(test: dict[str, Any]) -> dict[str, Any]:
    return {"all": [{"m": test}]}


def _bound_parameters(bound: Bound) -> set[str]:
    return {bound.parameter} if bound.parameter is not None else set()


def _field_tests(rules: Mapping[str, Any]) -> list[str]:
    """The field of every distinct test in the ruleset (identical tests are shared by the engine; it is the
    number of distinct tests on one field that makes it loop, measured at 511)."""
    distinct: set[tuple[str, str]] = set()

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for part in node:
                walk(part)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key in ("all", "m", "$and", "$or"):
                    walk(value)
                elif key.startswith("$"):  # {"$gt": {field: rvalue}}, {"$ex": {field: 1}}
                    for field_name, rvalue in value.items():
                        distinct.add((field_name, json.dumps([key, rvalue], sort_keys=True)))
                else:  # equality: {field: rvalue}
                    distinct.add((key, json.dumps(["==", value], sort_keys=True)))

    walk(dict(rules))
    return [field_name for field_name, _ in distinct]


def resolve_constant(operand: Operand, policy: Policy, day: Any) -> int | str | None:
    """The value of a lifted constant on the request date (None: a parameter without a value then)."""
    if isinstance(operand, Constant):
        return operand.value
    assert isinstance(operand, ParamRef)
    return policy.parameters[operand.name].value_on(day)
