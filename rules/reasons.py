"""Readable reasons, in Dutch and English, with the numbers as people read them.

Every reason names its rule, its legal basis and the figures compared. Limit texts can be overridden in a rule
file; the placeholders a file may use are `OVERRIDE_PLACEHOLDERS`.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from rules.decision import Facts, Reason
from rules.formatting import format_date, format_eur
from rules.model import (
    All,
    Always,
    Any,
    Compare,
    Condition,
    FactRef,
    Item,
    Limit,
    Measure,
    Not,
    Parameter,
    ParamRef,
    Policy,
    Scope,
    Subject,
    Text,
    Unit,
    Window,
    WindowKind,
)
from rules.money import format_cents
from rules.wording import ShowParameter, condition_text, fact_noun

OVERRIDE_PLACEHOLDERS = frozenset({"item", "amount", "max", "total", "used", "count", "window", "basis"})

_GENERAL_TEXTS: Mapping[str, Text] = {
    "general.unknown_item": Text(
        "Er is geen regel voor '{item}' in thema '{theme}': wat niet gedelegeerd is, beslist het comité",
        "No rule covers '{item}' in theme '{theme}': what is not delegated goes to the committee",
    ),
    "general.parameter_missing": Text(
        "{parameters} heeft geen waarde op {date}: het comité beslist",
        "{parameters} has no value on {date}: the committee decides",
    ),
    "general.envelope_frozen": Text(
        "Het budget voor dit thema is bevroren",
        "The envelope for this theme is frozen",
    ),
    "general.envelope_cover": Text(
        "Het budget kan {amount} niet dekken: er is nog {available} beschikbaar",
        "The envelope cannot cover {amount}: {available} is available",
    ),
    "general.mandate_ceiling": Text(
        "{amount} is meer dan het mandaatplafond van {max} per aanvraag",
        "{amount} is more than the mandate ceiling of {max} per request",
    ),
}

_LIMIT_TEXTS: Mapping[Measure, Text] = {
    Measure.AMOUNT: Text(
        "{amount} is meer dan het maximum van {max} per aanvraag voor {subject}",
        "{amount} is more than the maximum of {max} per request for {subject}",
    ),
    Measure.SUM: Text(
        "Met deze aanvraag komt het totaal voor {subject} {scope} in {window} op {total}, meer dan het "
        "maximum van {max} (al toegekend: {used})",
        "With this request the total for {subject} {scope} in {window} comes to {total}, more than the "
        "maximum of {max} (already granted: {used})",
    ),
    Measure.COUNT: Text(
        "Met deze aanvraag komt het aantal voor {subject} {scope} in {window} op {count}, meer dan het "
        "maximum van {max} (al toegekend: {used})",
        "With this request the number for {subject} {scope} in {window} comes to {count}, more than the "
        "maximum of {max} (already granted: {used})",
    ),
}

_NEVER = Text(
    "{item} wordt nooit door de maatschappelijk assistent alleen beslist: de aanvraag gaat naar het comité",
    "{item} is never decided by the caseworker alone: the request goes to the committee",
)
_NOT_DELEGATED = Text(
    "Zelf beslissen over {item_lower} mag alleen als deze voorwaarde geldt: {condition}. Hier: {observed}.",
    "The caseworker may decide alone on {item_lower} only when this condition holds: {condition}. "
    "Here: {observed}.",
)

_SCOPES = {
    Scope.BENEFICIARY: Text("voor deze begunstigde", "for this beneficiary"),
    Scope.HOUSEHOLD: Text("voor dit gezin", "for this household"),
    Scope.DOSSIER: Text("in dit dossier", "in this dossier"),
    Scope.REQUEST: Text("per aanvraag", "per request"),
}


def window_label(window: Window, day: date, lang: str) -> str:
    first, last = window.range_for(day)
    return _window_label(window, first, last, lang)


@functools.lru_cache(maxsize=4096)
def _window_label(window: Window, first: date, last: date, lang: str) -> str:
    nl = lang != "en"
    if window.kind is WindowKind.CALENDAR_YEAR:
        return f"kalenderjaar {first.year}" if nl else f"calendar year {first.year}"
    if window.kind is WindowKind.SCHOOL_YEAR:
        return f"schooljaar {first.year}-{last.year}" if nl else f"school year {first.year}-{last.year}"
    if window.kind is WindowKind.WINTER_SEASON and first.month == 10:
        return f"winterseizoen {first.year}-{last.year}" if nl else f"winter season {first.year}-{last.year}"
    span = f"{format_date(first, lang)} - {format_date(last, lang)}"
    if window.kind is WindowKind.WINTER_SEASON:
        return f"periode tussen twee winters ({span})" if nl else f"period between two winters ({span})"
    unit = (
        ("dagen" if nl else "days")
        if window.kind is WindowKind.ROLLING_DAYS
        else ("maanden" if nl else "months")
    )
    return (
        f"de {window.length} {unit} tot en met {span.split(' - ')[1]}"
        if nl
        else (f"the {window.length} {unit} up to {format_date(last, lang)}")
    )


def parameter_text(parameter: Parameter, value: int, lang: str = "nl") -> str:
    if parameter.unit is Unit.EUR:
        return format_eur(value, lang)
    return str(value)


def parameter_edge(parameter: Parameter, value: int) -> str:
    return format_cents(value) if parameter.unit is Unit.EUR else str(value)


@dataclass(frozen=True, slots=True)
class LimitFigures:
    limit: Limit
    used: int
    value: int  # with this request: amount, used + amount, or used + quantity
    bound: int


def general_reason(rule: str, policy: Policy, facts: Facts, missing: Sequence[str], ceiling: int) -> Reason:
    """A general condition that failed, with the figures compared."""
    money: dict[str, int] = {}
    figures: dict[str, str] = {}
    if rule == "general.mandate_ceiling":
        money = {"amount": facts.amount, "max": ceiling}
    elif rule == "general.envelope_cover":
        money = {"amount": facts.amount, "available": facts.envelope_available}
    elif rule == "general.parameter_missing":
        figures = {"parameters": ", ".join(sorted(set(missing))), "date": facts.date.isoformat()}
    figures |= {key: format_cents(value) for key, value in money.items()}
    item = policy.item(facts.theme, facts.item)
    texts = []
    for lang in ("nl", "en"):
        values = {
            "item": item.title.get(lang) if item else facts.item,
            "theme": facts.theme,
            "parameters": figures.get("parameters", ""),
            "date": format_date(facts.date, lang),
            **{key: format_eur(value, lang) for key, value in money.items()},
        }
        texts.append(_GENERAL_TEXTS[rule].get(lang).format_map(values))
    return Reason(rule, texts[0], texts[1], policy.general.basis, figures)


def limit_reason(item: Item, figures: LimitFigures, facts: Facts) -> Reason:
    limit = figures.limit
    money = limit.measure is not Measure.COUNT
    edge = {
        "amount": format_cents(facts.amount),
        "max": format_cents(figures.bound) if money else str(figures.bound),
    }
    if limit.measure is Measure.SUM:
        edge |= {"used": format_cents(figures.used), "total": format_cents(figures.value)}
    if limit.measure is Measure.COUNT:
        edge |= {"used": str(figures.used), "count": str(figures.value)}
    if limit.window is not None:
        first, last = limit.window.range_for(facts.date)
        edge |= {"window_start": first.isoformat(), "window_end": last.isoformat()}
    texts = []
    for lang in ("nl", "en"):
        template = (limit.text or _LIMIT_TEXTS[limit.measure]).get(lang)
        shown = {name: _limit_value(name, item, figures, facts, lang) for name in _fields(template)}
        texts.append(template.format_map(shown))
    return Reason(limit.rule_id, texts[0], texts[1], item.basis, edge)


def _limit_value(name: str, item: Item, figures: LimitFigures, facts: Facts, lang: str) -> str:
    """One placeholder of a limit text; only the ones a text uses are worked out."""
    limit = figures.limit
    money = limit.measure is not Measure.COUNT
    if name == "amount":
        return format_eur(facts.amount, lang)
    if name in ("max", "used"):
        value = figures.bound if name == "max" else figures.used
        return format_eur(value, lang) if money else str(value)
    if name == "total":
        return format_eur(figures.value, lang)
    if name == "count":
        return str(figures.value)
    if name == "window":
        return window_label(limit.window, facts.date, lang) if limit.window else ""
    if name == "scope":
        return _SCOPES[limit.scope].get(lang)
    if name == "subject":
        if limit.subject is Subject.ITEM:
            return item.title.get(lang).lower()
        return "dit thema" if lang == "nl" else "this theme"
    if name == "basis":
        return item.basis
    return item.title.get(lang)  # "item"; the loader refuses any other placeholder


@functools.lru_cache(maxsize=1024)
def _fields(template: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in string.Formatter().parse(template) if name)


def delegation_reason(
    item: Item, policy: Policy, facts: Facts, fact_values: Mapping[str, int | str]
) -> Reason:
    condition = item.delegated_when
    if isinstance(condition, Always):
        texts = [_NEVER.get(lang).format(item=item.title.get(lang)) for lang in ("nl", "en")]
        return Reason(item.delegation_rule_id, texts[0], texts[1], item.basis, {})
    names = _named_in(item, "fact")
    figures = {name: _edge_fact(name, fact_values[name]) for name in names}
    texts = []
    for lang in ("nl", "en"):
        observed = ", ".join(f"{fact_noun(n, lang)} is {_shown_fact(n, fact_values[n], lang)}" for n in names)
        texts.append(
            _NOT_DELEGATED.get(lang).format(
                item_lower=item.title.get(lang).lower(),
                condition=_condition_text(item, policy, facts.date, lang),
                observed=observed,
            )
        )
    return Reason(item.delegation_rule_id, texts[0], texts[1], item.basis, figures)


_condition_texts: dict[tuple[object, ...], str] = {}


def _condition_text(item: Item, policy: Policy, day: date, lang: str) -> str:
    """An item's condition in words. It changes only with the values of the parameters it names, so it is
    kept per policy version, item, language and those values."""
    names = _named_in(item, "parameter")
    key = (policy.version, item.theme, item.key, lang, *(policy.parameters[n].value_on(day) for n in names))
    text = _condition_texts.get(key)
    if text is None:
        if len(_condition_texts) > 50_000:
            _condition_texts.clear()
        text = _condition_texts[key] = condition_text(
            item.delegated_when, policy, "en" if lang == "en" else "nl", _value_on(day)
        )
    return text


def _value_on(day: date) -> ShowParameter:
    """Show a parameter by its value on the request date (its name when it has none yet)."""

    def show(parameter: Parameter, number: Callable[[int], str]) -> str:
        value = parameter.value_on(day)
        return parameter.name if value is None else number(value)

    return show


_names: dict[tuple[str, str, str, str], tuple[str, ...]] = {}


def _named_in(item: Item, kind: str) -> tuple[str, ...]:
    """The facts (kind "fact") or parameters an item's condition names, sorted. Kept per item and condition
    text: hashing the condition itself would walk the whole tree on every decision."""
    key = (item.theme, item.key, item.delegated_when_text, kind)
    names = _names.get(key)
    if names is None:
        names = _names[key] = tuple(
            sorted(_collect(item.delegated_when, FactRef if kind == "fact" else ParamRef))
        )
    return names


def _collect(condition: Condition, wanted: type[FactRef] | type[ParamRef]) -> set[str]:
    if isinstance(condition, Compare):
        return {o.name for o in (condition.left, condition.right) if isinstance(o, wanted)}
    if isinstance(condition, Not):
        return _collect(condition.part, wanted)
    if isinstance(condition, All | Any):
        return {name for part in condition.parts for name in _collect(part, wanted)}
    return set()


def _edge_fact(name: str, value: int | str) -> str:
    return format_cents(int(value)) if name == "request.amount" else str(value)


def _shown_fact(name: str, value: int | str, lang: str) -> str:
    if name == "request.amount":
        return format_eur(int(value), lang)
    return f'"{value}"' if isinstance(value, str) else str(value)
