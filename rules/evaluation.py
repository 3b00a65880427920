"""Facts in, decision out: gather the facts a policy needs, evaluate them in durable_rules, explain.

`evaluate(policy, request)` = `decide(policy, derive_facts(policy, request))`. `derive_facts` does the
counting (age on the date, household, earlier aid per limit window); `decide` lets the engine compare and
builds every reason. The engine approves or escalates, never refuses, and escalates by default: a request is
approved only when its item's delegation rule fired and no escalation rule did.

This is the hot path (a replay decides thousands of requests a second), so what is fixed per item and per
parameter period is worked out once (`rules.plans`, `rules.periods`): a decision counts, appends its figures
to the period's pre-encoded engine fact, and formats only the reasons of the rules that fired.
"""

from __future__ import annotations

import calendar
import json
import threading
from collections.abc import Collection, Mapping
from datetime import date
from types import MappingProxyType
from typing import Any, NamedTuple

from rules import engine
from rules.compiler import GENERAL_ENGINE_RULES, CompiledItem, CompiledPolicy, compile_policy
from rules.decision import Decision, Facts, Outcome, Reason
from rules.engine import quote
from rules.model import Policy
from rules.periods import Period
from rules.plans import AMOUNT, SUM, ItemPlan, PolicyPlan, plan_policy
from rules.records import builder
from rules.request import DecisionRequest

ADULT_AGE = 18

_compiled: dict[str, CompiledPolicy] = {}
_plans: dict[str, PolicyPlan] = {}
_compile_lock = threading.Lock()
_GENERAL = tuple(GENERAL_ENGINE_RULES.items())
_GENERAL_NAMES = frozenset(GENERAL_ENGINE_RULES)
_APPROVE, _ESCALATE = Outcome.APPROVE, Outcome.ESCALATE
_new_facts = builder(Facts)
_new_decision = builder(Decision)


def compiled(policy: Policy) -> CompiledPolicy:
    """The compiled form of a policy version, registered in the engine once per process."""
    return planned(policy).compiled


def planned(policy: Policy) -> PolicyPlan:
    """The plan of a policy version (its compiled form, registered in the engine once per process)."""
    found = _plans.get(policy.version)
    if found is not None:
        return found
    with _compile_lock:
        found = _plans.get(policy.version)
        if found is None:
            compiled_policy = compile_policy(policy)
            engine.register(compiled_policy.ruleset_name, compiled_policy.rules)
            _compiled[policy.version] = compiled_policy
            found = _plans[policy.version] = plan_policy(compiled_policy)
    return found


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


_adult_cutoffs: dict[date, date | None] = {}
_UNSEEN = date.min


def _adult_cutoff(day: date) -> date | None:
    """The last birth date of someone who is an adult on `day` (born later: a child); None before year 19.
    Kept per date: `age_on` for every member of every household is the bulk of deriving the facts."""
    found = _adult_cutoffs.get(day, _UNSEEN)
    if found is _UNSEEN:
        if len(_adult_cutoffs) >= 20_000:
            _adult_cutoffs.clear()
        year = day.year - ADULT_AGE
        if year < 1:
            found = None
        elif day.month == 2 and day.day == 29 and not calendar.isleap(year):
            found = date(year, 2, 28)  # nobody was born on a 29 February that did not exist
        else:
            found = date(year, day.month, day.day)
        _adult_cutoffs[day] = found
    return found


def derive_facts(policy: Policy, request: DecisionRequest) -> Facts:
    """The facts the rules use, derived from the request: no birth dates, no ids, no history lines."""
    return _derive(planned(policy).item(request.theme, request.item), request)


def _derive(plan: ItemPlan, request: DecisionRequest) -> Facts:
    day = request.date
    members = request.household.members
    cutoff = _adult_cutoff(day)
    children = 0
    if cutoff is None:
        children = sum(1 for member in members if age_on(member.birth_date, day) < ADULT_AGE)
    else:
        for member in members:
            if member.birth_date > cutoff:
                children += 1
    usage: dict[str, int] = {}
    if plan.counters:
        theme, key = request.theme, request.item
        beneficiary, dossier = request.beneficiary.id, request.dossier_id
        history = [entry for entry in request.history if entry.theme == theme]
        for rule_id, days, sums, same_item, per_beneficiary, per_dossier in plan.counters:
            first, last = days.range(day)
            used = 0
            for entry in history:
                if not first <= entry.date <= last:
                    continue
                if same_item and entry.item != key:
                    continue
                if per_beneficiary and entry.beneficiary_id != beneficiary:
                    continue
                if per_dossier and dossier is not None and entry.dossier_id != dossier:
                    continue
                used += entry.amount if sums else entry.quantity
            usage[rule_id] = used
    caseworker = request.caseworker
    beneficiary_person = request.beneficiary
    household = request.household
    return _new_facts(
        day,
        request.theme,
        request.item,
        request.amount,
        request.quantity,
        age_on(beneficiary_person.birth_date, day),
        beneficiary_person.relation or "",
        len(members),
        children,
        household.income_band or "",
        request.envelope.available,
        request.envelope.frozen,
        caseworker.mandate_ceiling if caseworker is not None else None,
        MappingProxyType(usage),
    )


def evaluate(policy: Policy, request: DecisionRequest) -> Decision:
    plan = planned(policy)
    item = plan.item(request.theme, request.item)
    return _decide(plan, item, _derive(item, request))


def decide(policy: Policy, facts: Facts) -> Decision:
    """Evaluate derived facts against a policy version. The same facts and version give the same decision."""
    plan = planned(policy)
    return _decide(plan, plan.item(facts.theme, facts.item), facts)


def _decide(plan: PolicyPlan, item: ItemPlan, facts: Facts) -> Decision:
    text, limits, period, ceiling = _build(item, facts)
    fired = engine.fire_text(plan.ruleset_name, text)
    return _explain(plan, item, facts, fired, limits, period, ceiling)


#: What `_build` gives: the fact's JSON text, (slot, used, value, bound) of every limit with a bound, the
#: period, the mandate ceiling that applies.
Built = tuple[str, list[tuple[int, int, int, int]], Period, int]


class EngineInput(NamedTuple):
    """The one fact the engine sees (as JSON text), and what is needed to explain its answer."""

    text: str
    limits: tuple[tuple[int, int, int, int], ...]  # (slot, used, value, bound) of the limits with a bound
    period: Period
    ceiling: int  # the mandate ceiling that applies: the policy's, or the caseworker's when lower

    @property
    def fact(self) -> dict[str, Any]:
        """The fact as a mapping (for tests and the reference interpreter)."""
        decoded: dict[str, Any] = json.loads(self.text)
        return decoded

    @property
    def missing(self) -> tuple[str, ...]:
        return self.period.missing

    @property
    def parameters(self) -> Mapping[str, str]:
        return self.period.parameters


def build_fact(compiled_policy: CompiledPolicy, item: CompiledItem | None, facts: Facts) -> EngineInput:
    """The engine fact for `facts` (`item` is the compiled item the facts are about, if it is known)."""
    text, limits, period, ceiling = _build(_plan_of(planned(compiled_policy.policy), item), facts)
    return EngineInput(text, tuple(limits), period, ceiling)


def _plan_of(plan: PolicyPlan, item: CompiledItem | None) -> ItemPlan:
    return plan.item(item.item.theme, item.item.key) if item is not None else plan.unknown


def _build(plan: ItemPlan, facts: Facts) -> Built:
    period = plan.periods.period(facts.date)
    amount = facts.amount
    ceiling = period.ceiling if period.ceiling is not None else amount
    own = facts.caseworker_ceiling
    if own is not None and own < ceiling:
        ceiling = own
    text = f'{period.prefix},"amt":{amount},"avail":{facts.envelope_available},"ceil":{ceiling}'
    if facts.envelope_frozen:
        text += ',"frozen":1'
    if plan.condition_format:
        size, children = facts.household_size, facts.household_children
        text += plan.condition_format.format(
            facts.beneficiary_age,
            quote(facts.beneficiary_relation),
            size,
            children,
            size - children,
            quote(facts.household_income_band),
            facts.quantity,
        )
    limits: list[tuple[int, int, int, int]] = []
    if plan.slots:
        usage = facts.usage
        for slot, ((rule_id, kind, field), bound) in enumerate(zip(plan.slots, period.bounds, strict=True)):
            if bound is None:
                continue  # general.parameter_missing escalates instead
            used = usage.get(rule_id, 0)
            if kind == AMOUNT:
                value = amount
            elif kind == SUM:
                value = used + amount
            else:  # a count counts units: two pairs in one request are two pairs
                value = used + facts.quantity
            text += f"{field}{value}"
            limits.append((slot, used, value, bound))
    return text + "}", limits, period, ceiling


def explain(
    compiled_policy: CompiledPolicy,
    item: CompiledItem | None,
    facts: Facts,
    fired: Collection[str],
    given: EngineInput,
) -> Decision:
    """The decision for the rules that fired: approve only when the delegation held and nothing escalated."""
    plan = planned(compiled_policy.policy)
    limits = list(given.limits)
    return _explain(plan, _plan_of(plan, item), facts, fired, limits, given.period, given.ceiling)


def _explain(
    plan: PolicyPlan,
    item: ItemPlan,
    facts: Facts,
    fired: Collection[str],
    limits: list[tuple[int, int, int, int]],
    period: Period,
    ceiling: int,
) -> Decision:
    if len(fired) == 1 and item.delegation_ok in fired:  # the everyday case: delegated, nothing escalates
        return _new_decision(
            _APPROVE, (), item.delegated, item.checked, period.parameters, plan.version, facts
        )
    reasons: list[Reason] = []
    matched: list[str] = []
    if not _GENERAL_NAMES.isdisjoint(fired):
        for name, rule in _GENERAL:
            if name in fired:
                matched.append(rule)
                reasons.append(plan.general.reason(rule, facts, item.title, period.missing, ceiling))
    delegated = False
    if item.delegation_ok in fired:
        delegated = True
        matched.append(item.delegation_rule_id)
    if item.delegation_no in fired and item.delegation is not None:
        matched.append(item.delegation_rule_id)
        reasons.append(item.delegation.reason(facts, period.conditions))
    for slot, used, value, bound in limits:
        if item.limit_names[slot] in fired:
            matched.append(item.slots[slot][0])
            reasons.append(item.limit_reasons[slot].reason(used, value, bound, facts.amount, facts.date))
    return _new_decision(
        _APPROVE if delegated and not reasons else _ESCALATE,
        tuple(reasons),
        tuple(matched),
        item.checked,
        period.parameters,
        plan.version,
        facts,
    )
