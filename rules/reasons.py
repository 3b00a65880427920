"""Readable reasons, in Dutch and English, with the numbers as people read them.

Every reason names its rule, its legal basis and the figures compared. Limit texts can be overridden in a rule
file; the placeholders a file may use are `OVERRIDE_PLACEHOLDERS`.

A decision explains only the rules that fired, and everything about a reason that does not depend on the
request (which template, the item's title, the scope and subject, the legal basis, the facts a condition names
and their nouns) is worked out once per item when a policy is first used: `GeneralReasons`, `LimitReasons` and
`DelegationReasons`. Per decision only the figures are filled in: an amount's edge, Dutch and English texts
come from one look-up (`money_texts` keeps the amounts it has seen), window labels are kept per date.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import partial

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
)
from rules.money import MoneyTexts, format_cents, money_texts
from rules.records import builder
from rules.windows import WindowDays, window_days, window_label
from rules.wording import Lang, ShowParameter, condition_text, fact_noun

__all__ = [
    "OVERRIDE_PLACEHOLDERS",
    "DelegationReasons",
    "GeneralReasons",
    "LimitReasons",
    "condition_names",
    "parameter_edge",
    "parameter_text",
    "window_label",
]

OVERRIDE_PLACEHOLDERS = frozenset({"item", "amount", "max", "total", "used", "count", "window", "basis"})
LANGS: tuple[Lang, Lang] = ("nl", "en")

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

_reason = builder(Reason)

_SCOPES = {
    Scope.BENEFICIARY: Text("voor deze begunstigde", "for this beneficiary"),
    Scope.HOUSEHOLD: Text("voor dit gezin", "for this household"),
    Scope.DOSSIER: Text("in dit dossier", "in this dossier"),
    Scope.REQUEST: Text("per aanvraag", "per request"),
}


def parameter_text(parameter: Parameter, value: int, lang: str = "nl") -> str:
    if parameter.unit is Unit.EUR:
        return format_eur(value, lang)
    return str(value)


def parameter_edge(parameter: Parameter, value: int) -> str:
    return format_cents(value) if parameter.unit is Unit.EUR else str(value)


# --- the general conditions -----------------------------------------------------------------------------


class GeneralReasons:
    """The reasons of the general conditions of one policy."""

    __slots__ = ("basis",)

    def __init__(self, policy: Policy) -> None:
        self.basis = policy.general.basis

    def reason(
        self, rule: str, facts: Facts, title: Text | None, missing: Sequence[str], ceiling: int
    ) -> Reason:
        """A general condition that failed, with the figures compared; `title` is the item's, if known."""
        nl, en = _GENERAL_PAIRS[rule]
        if rule == "general.envelope_frozen":
            return _reason(rule, nl, en, self.basis, {})
        if rule == "general.unknown_item":
            theme = facts.theme
            return _reason(
                rule,
                nl.format(item=title.nl if title else facts.item, theme=theme),
                en.format(item=title.get("en") if title else facts.item, theme=theme),
                self.basis,
                {},
            )
        day = facts.date
        if rule == "general.parameter_missing":
            names = ", ".join(sorted(set(missing)))
            return _reason(
                rule,
                nl.format(parameters=names, date=format_date(day, "nl")),
                en.format(parameters=names, date=format_date(day, "en")),
                self.basis,
                {"parameters": names, "date": day.isoformat()},
            )
        other, nl, en = _COMPARED[rule]
        amount = money_texts(facts.amount)
        value = money_texts(facts.envelope_available if other == "available" else ceiling)
        return _reason(
            rule,
            nl.format(amount[1], value[1]),
            en.format(amount[2], value[2]),
            self.basis,
            {"amount": amount[0], other: value[0]},
        )


_GENERAL_PAIRS: Mapping[str, tuple[str, str]] = {
    rule: (text.nl, text.get("en")) for rule, text in _GENERAL_TEXTS.items()
}


def _compared(rule: str, other: str) -> tuple[str, str, str]:
    """A general reason that compares the amount with one other figure: that figure's name, and the Dutch
    and English texts with the amount as `{0}` and the figure as `{1}`."""
    nl, en = _GENERAL_PAIRS[rule]
    positions = {"amount": "{0}", other: "{1}"}
    return other, nl.format_map(positions), en.format_map(positions)


_COMPARED = {
    "general.envelope_cover": _compared("general.envelope_cover", "available"),
    "general.mandate_ceiling": _compared("general.mandate_ceiling", "max"),
}

# --- limits ---------------------------------------------------------------------------------------------

#: The placeholders of a limit text that change with the request, by their position in `LimitReasons`.
_PER_REQUEST = ("amount", "max", "used", "total", "count", "window")


#: Writes a limit's text in one language from the six figures, in the order of `_PER_REQUEST`.
TextWriter = Callable[..., str]


class LimitReasons:
    """The reason of one limit of one item. Its texts are turned into templates once, with the fixed words
    (item, subject, scope, basis) filled in and the figures as positions: `{0}` the amount, `{1}` the maximum,
    `{2}` earlier aid, `{3}` the total, `{4}` the count, `{5}` the window."""

    __slots__ = ("basis", "days", "measure", "money", "rule_id", "writers")

    def __init__(self, item: Item, limit: Limit) -> None:
        self.rule_id = limit.rule_id
        self.basis = item.basis
        self.measure = limit.measure
        self.money = limit.measure is not Measure.COUNT  # are the maximum and earlier aid amounts?
        self.days: WindowDays | None = window_days(limit.window) if limit.window is not None else None
        writers: list[TextWriter] = []
        for lang in LANGS:
            template = (limit.text or _LIMIT_TEXTS[limit.measure]).get(lang)
            fixed = partial(_fixed_value, item=item, limit=limit, lang=lang)
            positional = _positional(template, fixed)
            writers.append(positional.format if positional is not None else _by_name(template, fixed))
        self.writers: tuple[TextWriter, TextWriter] = (writers[0], writers[1])

    def reason(self, used: int, value: int, bound: int, amount: int, day: date) -> Reason:
        """`value` is this request's figure (the amount, used + amount, or used + quantity), `bound` the
        limit's value on `day`."""
        measure = self.measure
        amounts, totals = money_texts(amount), money_texts(value)
        maxima, earlier = (
            (money_texts(bound), money_texts(used)) if self.money else (_plain(bound), _plain(used))
        )
        count = str(value)
        edge = {"amount": amounts[0], "max": maxima[0]}
        if measure is Measure.SUM:
            edge["used"] = earlier[0]
            edge["total"] = totals[0]
        elif measure is Measure.COUNT:
            edge["used"] = earlier[0]
            edge["count"] = count
        window_nl = window_en = ""
        if self.days is not None:
            edge["window_start"], edge["window_end"], window_nl, window_en = self.days.labels(day)
        nl, en = self.writers
        return _reason(
            self.rule_id,
            nl(amounts[1], maxima[1], earlier[1], totals[1], count, window_nl),
            en(amounts[2], maxima[2], earlier[2], totals[2], count, window_en),
            self.basis,
            edge,
        )


def _plain(number: int) -> MoneyTexts:
    """A count shown the same way at the edge and in both languages."""
    text = str(number)
    return text, text, text


def _by_name(template: str, fixed: Callable[[str], str]) -> TextWriter:
    """A text `_positional` could not prepare: every placeholder by name, as written."""

    def write(*figures: str) -> str:
        shown = {
            name: figures[_PER_REQUEST.index(name)] if name in _PER_REQUEST else fixed(name)
            for name in _fields(template)
        }
        return template.format_map(shown)

    return write


def _positional(template: str, fixed: Callable[[str], str]) -> str | None:
    """`template` with the per-request placeholders as positions and the fixed ones filled in; None for a
    text that is not plain `{name}` placeholders (a format spec, a conversion, an index, a broken brace)."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:
        return None
    out: list[str] = []
    for literal, name, spec, conversion in parts:
        out.append(_escape(literal))
        if name is None:
            continue
        if spec or conversion or not name.isidentifier():
            return None
        if name in _PER_REQUEST:
            out.append(f"{{{_PER_REQUEST.index(name)}}}")
        else:
            out.append(_escape(fixed(name)))
    return "".join(out)


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _fixed_value(name: str, item: Item, limit: Limit, lang: str) -> str:
    """A placeholder of a limit text that does not depend on the request."""
    if name == "scope":
        return _SCOPES[limit.scope].get(lang)
    if name == "subject":
        if limit.subject is Subject.ITEM:
            return item.title.get(lang).lower()
        return "dit thema" if lang == "nl" else "this theme"
    if name == "basis":
        return item.basis
    return item.title.get(lang)  # "item"; the loader refuses any other placeholder


def _fields(template: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in string.Formatter().parse(template) if name)


# --- the delegation condition ---------------------------------------------------------------------------

#: How each fact a condition may name is read from the derived facts.
_FACT_VALUES: Mapping[str, Callable[[Facts], int | str]] = {
    "beneficiary.age": lambda facts: facts.beneficiary_age,
    "beneficiary.relation": lambda facts: facts.beneficiary_relation,
    "household.size": lambda facts: facts.household_size,
    "household.children": lambda facts: facts.household_children,
    "household.adults": lambda facts: facts.household_size - facts.household_children,
    "household.income_band": lambda facts: facts.household_income_band,
    "request.amount": lambda facts: facts.amount,
    "request.quantity": lambda facts: facts.quantity,
}


class DelegationReasons:
    """The reason of an item whose delegation condition does not hold (or that is never delegated)."""

    __slots__ = ("basis", "item", "never", "parameters", "policy", "reads", "rule_id", "tails", "titles")

    def __init__(self, item: Item, policy: Policy) -> None:
        self.item = item
        self.policy = policy
        self.rule_id = item.delegation_rule_id
        self.basis = item.basis
        condition = item.delegated_when
        self.never: tuple[str, str] | None = None
        if isinstance(condition, Always):
            self.never = (
                _NEVER.nl.format(item=item.title.nl),
                _NEVER.get("en").format(item=item.title.get("en")),
            )
        # Per fact the condition names: (its name, how to read it, is it the amount, "<noun> is " in Dutch and
        # in English).
        self.reads: tuple[tuple[str, Callable[[Facts], int | str], bool, str, str], ...] = tuple(
            (
                name,
                _FACT_VALUES[name],
                name == "request.amount",
                f"{fact_noun(name, 'nl')} is ",
                f"{fact_noun(name, 'en')} is ",
            )
            for name in sorted(condition_names(condition, FactRef))
        )
        self.titles = tuple(item.title.get(lang).lower() for lang in LANGS)
        self.tails = tuple(_NOT_DELEGATED.get(lang).split("{observed}")[1].format() for lang in LANGS)
        self.parameters = tuple(sorted(condition_names(condition, ParamRef)))

    def condition_texts(self, day: date) -> tuple[str, str]:
        """The reason's text up to the facts observed (Dutch, English): the item and its condition in words,
        its parameters shown by their value on `day`. It changes only when one of those values does, so a
        caller keeps it per parameter period."""
        show = _value_on(day)
        heads = [
            _NOT_DELEGATED.get(lang)
            .split("{observed}")[0]
            .format(
                item_lower=self.titles[index],
                condition=condition_text(self.item.delegated_when, self.policy, lang, show),
            )
            for index, lang in enumerate(LANGS)
        ]
        return heads[0], heads[1]

    def reason(self, facts: Facts, heads: tuple[str, str] | None) -> Reason:
        """`heads` are `condition_texts` for the request date (None when the item is never delegated)."""
        if self.never is not None:
            return _reason(self.rule_id, self.never[0], self.never[1], self.basis, {})
        assert heads is not None, "a delegable item's periods word its condition"
        figures: dict[str, str] = {}
        nl: list[str] = []
        en: list[str] = []
        for name, read, is_amount, noun_nl, noun_en in self.reads:
            value = read(facts)
            if is_amount:
                figures[name], amount_nl, amount_en = money_texts(int(value))
                nl.append(noun_nl + amount_nl)
                en.append(noun_en + amount_en)
            else:
                figures[name] = text = str(value)
                if isinstance(value, str):
                    text = f'"{value}"'
                nl.append(noun_nl + text)
                en.append(noun_en + text)
        return _reason(
            self.rule_id,
            heads[0] + ", ".join(nl) + self.tails[0],
            heads[1] + ", ".join(en) + self.tails[1],
            self.basis,
            figures,
        )


def _value_on(day: date) -> ShowParameter:
    """Show a parameter by its value on the request date (its name when it has none yet)."""

    def show(parameter: Parameter, number: Callable[[int], str]) -> str:
        value = parameter.value_on(day)
        return parameter.name if value is None else number(value)

    return show


def condition_names(condition: Condition, wanted: type[FactRef] | type[ParamRef]) -> set[str]:
    """The names of the facts (FactRef) or parameters (ParamRef) a condition compares."""
    if isinstance(condition, Compare):
        return {o.name for o in (condition.left, condition.right) if isinstance(o, wanted)}
    if isinstance(condition, Not):
        return condition_names(condition.part, wanted)
    if isinstance(condition, All | Any):
        return {name for part in condition.parts for name in condition_names(part, wanted)}
    return set()
