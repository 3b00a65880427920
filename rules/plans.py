"""What a decision needs about an item that is fixed once its policy is compiled.

A `PolicyPlan` holds, per item of a compiled policy (and once for requests for an unknown item), an
`ItemPlan`: which earlier aid each limit counts, how the engine fact is written, the item's parameter
periods, its reason makers and the rule ids it checks. Plans are made for every item when the policy is first
used (with every parameter period of each item), so a decision only does its own arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from rules.compiler import FACT_FIELDS, CompiledItem, CompiledPolicy
from rules.model import GENERAL_RULES, FactRef, Measure, Scope, Subject, Text
from rules.periods import PeriodTable
from rules.reasons import DelegationReasons, GeneralReasons, LimitReasons, condition_names
from rules.windows import WindowDays, window_days

#: Engine fields a delegation condition may read besides the amount (which every fact carries), in the order
#: of the arguments `ItemPlan.condition_format` is formatted with.
CONDITION_FIELDS = ("age", "rel", "hs", "hc", "ha", "inc", "qty")

#: How a limit's figure is made: the amount, earlier sums plus the amount, earlier counts plus the quantity.
AMOUNT, SUM, COUNT = 0, 1, 2
_KINDS = {Measure.AMOUNT: AMOUNT, Measure.SUM: SUM, Measure.COUNT: COUNT}

#: A limit that counts earlier aid: (rule id, its window, sums amounts (else quantities), same item only,
#: same beneficiary only, same dossier only).
Counter = tuple[str, WindowDays, bool, bool, bool, bool]
#: A limit slot: (rule id, AMOUNT | SUM | COUNT, the engine field of its figure as JSON text: ',"lv0":').
Slot = tuple[str, int, str]


@dataclass(frozen=True, slots=True)
class ItemPlan:
    compiled: CompiledItem | None  # None: the plan for requests for an item no file names
    title: Text | None
    counters: tuple[Counter, ...]
    slots: tuple[Slot, ...]
    condition_format: str  # ',"age":{0},"rel":{1}': the fields the item's condition reads, to str.format
    periods: PeriodTable
    checked: tuple[str, ...]
    limit_names: tuple[str, ...]  # engine rule name per limit slot
    limit_reasons: tuple[LimitReasons, ...]  # per limit slot
    delegation: DelegationReasons | None
    delegation_rule_id: str  # "" for unknown items
    delegation_ok: str  # engine rule names: the delegation holds / does not hold ("" for unknown items)
    delegation_no: str
    delegated: tuple[str, ...]  # `matched` of a request that is approved: the delegation rule id


@dataclass(frozen=True, slots=True)
class PolicyPlan:
    compiled: CompiledPolicy
    ruleset_name: str
    version: str
    general: GeneralReasons
    unknown: ItemPlan
    items: Mapping[tuple[str, str], ItemPlan]

    def item(self, theme: str, key: str) -> ItemPlan:
        """The plan of an item, or the one for requests for an item no file names."""
        return self.items.get((theme, key), self.unknown)


def plan_policy(compiled_policy: CompiledPolicy) -> PolicyPlan:
    """The plan of every item, made at once: a decision never pays for planning its item."""
    return PolicyPlan(
        compiled=compiled_policy,
        ruleset_name=compiled_policy.ruleset_name,
        version=compiled_policy.policy.version,
        general=GeneralReasons(compiled_policy.policy),
        unknown=plan_item(compiled_policy, None),
        items=MappingProxyType(
            {key: plan_item(compiled_policy, item) for key, item in compiled_policy.items.items()}
        ),
    )


def plan_item(compiled_policy: CompiledPolicy, compiled_item: CompiledItem | None) -> ItemPlan:
    if compiled_item is None:
        return ItemPlan(
            compiled=None,
            title=None,
            counters=(),
            slots=(),
            condition_format="",
            periods=PeriodTable(compiled_policy, None),
            checked=GENERAL_RULES,
            limit_names=(),
            limit_reasons=(),
            delegation=None,
            delegation_rule_id="",
            delegation_ok="",
            delegation_no="",
            delegated=(),
        )
    item = compiled_item.item
    counters: list[Counter] = []
    slots: list[Slot] = []
    for slot, limit in enumerate(compiled_item.limits):
        slots.append((limit.rule_id, _KINDS[limit.measure], f',"lv{slot}":'))
        if limit.window is not None:
            counters.append(
                (
                    limit.rule_id,
                    window_days(limit.window),
                    limit.measure is Measure.SUM,
                    limit.subject is Subject.ITEM,
                    limit.scope is Scope.BENEFICIARY,
                    limit.scope is Scope.DOSSIER,
                )
            )
    read = {FACT_FIELDS[name] for name in condition_names(item.delegated_when, FactRef)}
    delegation = DelegationReasons(item, compiled_policy.policy)
    return ItemPlan(
        compiled=compiled_item,
        title=item.title,
        counters=tuple(counters),
        slots=tuple(slots),
        condition_format="".join(
            f',"{name}":{{{index}}}' for index, name in enumerate(CONDITION_FIELDS) if name in read
        ),
        periods=PeriodTable(
            compiled_policy,
            compiled_item,
            conditions=None if delegation.never is not None else delegation.condition_texts,
            also=delegation.parameters,
        ),
        checked=compiled_item.checked,
        limit_names=tuple(compiled_item.limit_rule_names[limit.rule_id] for limit in compiled_item.limits),
        limit_reasons=tuple(LimitReasons(item, limit) for limit in compiled_item.limits),
        delegation=delegation,
        delegation_rule_id=item.delegation_rule_id,
        delegation_ok=compiled_item.delegation_ok,
        delegation_no=compiled_item.delegation_no,
        delegated=(item.delegation_rule_id,),
    )
