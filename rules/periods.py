"""Parameter periods: the stretches of time in which every parameter an item uses keeps one value.

Between two dates on which one of its parameters changes, everything about an item that depends on the date
only — its constants, its limit bounds, the mandate ceiling, which parameters have no value yet — is the same.
It is worked out once per period and kept, so a decision only looks up its period (a bisect) and copies it.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from rules.compiler import UNKNOWN_SHAPE, CompiledItem, CompiledPolicy, resolve_constant
from rules.engine import SESSION_ID
from rules.model import ParamRef, Policy
from rules.reasons import parameter_edge


@dataclass(frozen=True, slots=True)
class Period:
    # The engine fields fixed in this period (sid, known, shape, k*, padding, missing). A plain dict, as every
    # decision copies it; never changed once built.
    static: dict[str, Any]
    bounds: tuple[int | None, ...]  # per limit slot; None: its parameter has no value yet
    ceiling: int | None  # the policy's mandate ceiling; None: no value yet
    missing: tuple[str, ...]  # parameters without a value in this period
    parameters: Mapping[str, str]  # every parameter the item uses that has a value, as edge strings


@dataclass(slots=True)
class PeriodTable:
    """The periods of one item (or of requests for unknown items), computed when first needed."""

    starts: tuple[date, ...]  # sorted dates on which some parameter changes
    periods: dict[int, Period] = field(default_factory=dict)


_tables: dict[tuple[str, str, str], PeriodTable] = {}
_lock = threading.Lock()


def period_for(compiled_policy: CompiledPolicy, item: CompiledItem | None, day: date) -> Period:
    key = (compiled_policy.ruleset_name, *((item.item.theme, item.item.key) if item else ("", "")))
    table = _tables.get(key)
    if table is None:
        with _lock:
            table = _tables.setdefault(key, PeriodTable(_change_dates(compiled_policy.policy, item)))
    index = bisect.bisect_right(table.starts, day)
    period = table.periods.get(index)
    if period is None:
        # Any day of the period gives the same values: take the period's first day (or `day` before it).
        first = table.starts[index - 1] if index > 0 else day
        period = _compute(compiled_policy, item, first)
        table.periods[index] = period
    return period


def _parameter_names(policy: Policy, item: CompiledItem | None) -> tuple[str, ...]:
    if item is not None:
        return item.parameters
    ceiling = policy.general.mandate_ceiling.parameter
    return (ceiling,) if ceiling is not None else ()


def _change_dates(policy: Policy, item: CompiledItem | None) -> tuple[date, ...]:
    names = _parameter_names(policy, item)
    return tuple(sorted({dated.since for name in names for dated in policy.parameters[name].values}))


def _compute(compiled_policy: CompiledPolicy, item: CompiledItem | None, day: date) -> Period:
    policy = compiled_policy.policy
    missing: list[str] = []
    ceiling = policy.general.mandate_ceiling.value_on(policy.parameters, day)
    if ceiling is None:
        missing.append(policy.general.mandate_ceiling.parameter or "mandate_ceiling")
    static: dict[str, Any] = {
        "sid": SESSION_ID,
        "known": 1 if item is not None else 0,
        "shape": item.shape if item is not None else UNKNOWN_SHAPE,
    }
    bounds: list[int | None] = []
    if item is not None:
        for slot, operand in enumerate(item.constants):
            value = resolve_constant(operand, policy, day)
            if value is None and isinstance(operand, ParamRef):
                missing.append(operand.name)
                static["shape"] = UNKNOWN_SHAPE  # neither delegation rule can fire: escalate
            static[f"k{slot}"] = value
        for limit in item.limits:
            bound = limit.bound.value_on(policy.parameters, day)
            if bound is None:
                missing.append(limit.bound.parameter or limit.rule_id)
            bounds.append(bound)
    for slot in range(len(bounds), compiled_policy.limit_slots):
        static[f"lv{slot}"] = static[f"lm{slot}"] = 0
    static["missing"] = 1 if missing else 0
    parameters: dict[str, str] = {}
    for name in _parameter_names(policy, item):
        parameter = policy.parameters[name]
        value = parameter.value_on(day)
        if value is not None:
            parameters[name] = parameter_edge(parameter, value)
    return Period(
        static=static,
        bounds=tuple(bounds),
        ceiling=ceiling,
        missing=tuple(missing),
        parameters=MappingProxyType(parameters),
    )
