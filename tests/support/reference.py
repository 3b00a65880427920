"""A plain-Python reference evaluator of the compiled rules (the durable_rules JSON form).

It interprets exactly the mapping `rules.compiler.compile_policy` hands to durable_rules, so the differential
tests can show that durable_rules and this interpreter fire the same rules on the same facts.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

_COMPARE: Mapping[str, Callable[[Any, Any], bool]] = {
    "$lt": operator.lt,
    "$lte": operator.le,
    "$gt": operator.gt,
    "$gte": operator.ge,
    "$neq": operator.ne,
}


def fired(rules: Mapping[str, Any], fact: Mapping[str, Any]) -> set[str]:
    """The names of every rule whose single-fact pattern matches `fact`."""
    return {name for name, rule in rules.items() if _matches(_pattern(rule), fact)}


def _pattern(rule: Mapping[str, Any]) -> Mapping[str, Any]:
    (pattern,) = rule["all"]
    return pattern["m"]  # type: ignore[no-any-return]


def _value(rvalue: Any, fact: Mapping[str, Any]) -> Any:
    if isinstance(rvalue, dict):
        (field,) = rvalue.values()
        return fact.get(field)
    return rvalue


def _matches(test: Mapping[str, Any], fact: Mapping[str, Any]) -> bool:
    for key, value in test.items():
        if key == "$and":
            ok = all(_matches(part, fact) for part in value)
        elif key == "$or":
            ok = any(_matches(part, fact) for part in value)
        elif key == "$ex":
            ok = all(field in fact for field in value)
        elif key == "$nex":
            ok = not any(field in fact for field in value)
        elif key in _COMPARE:
            ((field, rvalue),) = value.items()
            left, right = fact.get(field), _value(rvalue, fact)
            ok = left is not None and right is not None and _COMPARE[key](left, right)
        else:
            left, right = fact.get(key), _value(value, fact)
            ok = left is not None and left == right
        if not ok:
            return False
    return True
