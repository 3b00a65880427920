"""Parameter periods: the stretches of time in which every parameter an item uses keeps one value.

Between two dates on which one of its parameters changes, everything about an item that depends on the date
only — its constants, its limit bounds, the mandate ceiling, which parameters have no value yet, the words of
its delegation condition — is the same. It is worked out once per period and kept, so a decision only looks up
its period (a bisect) and appends its own figures to the period's pre-encoded part of the engine fact.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

from rules import engine
from rules.compiler import UNKNOWN_SHAPE, CompiledItem, CompiledPolicy, resolve_constant
from rules.model import ParamRef, Policy
from rules.reasons import parameter_edge


@dataclass(frozen=True, slots=True)
class Period:
    """What an item's decisions share in one period."""

    # The engine fields fixed in this period, as the start of the fact's JSON text (`engine.open_fact`): the
    # item's shape and constants, the limit bounds (`lm<slot>`), and `known`/`missing` when they hold. A field
    # the rules would only compare with a missing value is left out: a test on a missing field never matches.
    prefix: str
    bounds: tuple[int | None, ...]  # per limit slot; None: its parameter has no value yet
    ceiling: int | None  # the policy's mandate ceiling; None: no value yet
    missing: tuple[str, ...]  # parameters without a value in this period
    parameters: Mapping[str, str]  # every parameter the item uses that has a value, as edge strings
    conditions: tuple[str, str] | None  # the delegation condition in words (Dutch, English), if it has one


class PeriodTable:
    """The periods of one item (or of requests for unknown items), all worked out when the item is planned, so
    that no decision pays for a period it is the first to see."""

    __slots__ = ("_periods", "_starts")

    def __init__(
        self,
        compiled_policy: CompiledPolicy,
        item: CompiledItem | None,
        conditions: Callable[[date], tuple[str, str]] | None = None,
        also: Iterable[str] = (),
    ) -> None:
        """`conditions` words the item's delegation condition on a date; `also` names the parameters that do
        not reach the engine but whose values those words show."""
        policy = compiled_policy.policy
        names = {*_parameter_names(policy, item), *also}
        self._starts = sorted({dated.since for name in names for dated in policy.parameters[name].values})
        # Any day of a period gives the same values: take its first day. Before the first change date every
        # parameter is still without a value, whatever the day (there is no day before date.min).
        before = self._starts[0] if self._starts else date.max
        if before > date.min:
            before -= timedelta(days=1)
        self._periods = tuple(
            _compute(compiled_policy, item, first, conditions(first) if conditions is not None else None)
            for first in (before, *self._starts)
        )

    def period(self, day: date) -> Period:
        return self._periods[bisect.bisect_right(self._starts, day)]


def _parameter_names(policy: Policy, item: CompiledItem | None) -> tuple[str, ...]:
    if item is not None:
        return item.parameters
    ceiling = policy.general.mandate_ceiling.parameter
    return (ceiling,) if ceiling is not None else ()


def _compute(
    compiled_policy: CompiledPolicy,
    item: CompiledItem | None,
    day: date,
    conditions: tuple[str, str] | None,
) -> Period:
    policy = compiled_policy.policy
    missing: list[str] = []
    ceiling = policy.general.mandate_ceiling.value_on(policy.parameters, day)
    if ceiling is None:
        missing.append(policy.general.mandate_ceiling.parameter or "mandate_ceiling")
    fields: dict[str, Any] = {}
    bounds: list[int | None] = []
    if item is None:
        fields["known"] = 0
        fields["shape"] = UNKNOWN_SHAPE
    else:
        fields["shape"] = item.shape
        for slot, operand in enumerate(item.constants):
            value = resolve_constant(operand, policy, day)
            if value is None and isinstance(operand, ParamRef):
                missing.append(operand.name)
                fields["shape"] = UNKNOWN_SHAPE  # neither delegation rule can fire: escalate
            elif value is not None:
                fields[f"k{slot}"] = value
        for slot, limit in enumerate(item.limits):
            bound = limit.bound.value_on(policy.parameters, day)
            if bound is None:
                missing.append(limit.bound.parameter or limit.rule_id)
            else:
                fields[f"lm{slot}"] = bound
            bounds.append(bound)
    if missing:
        fields["missing"] = 1
    parameters: dict[str, str] = {}
    for name in _parameter_names(policy, item):
        parameter = policy.parameters[name]
        value = parameter.value_on(day)
        if value is not None:
            parameters[name] = parameter_edge(parameter, value)
    return Period(
        prefix=engine.open_fact(fields),
        bounds=tuple(bounds),
        ceiling=ceiling,
        missing=tuple(missing),
        parameters=MappingProxyType(parameters),
        conditions=conditions,
    )
