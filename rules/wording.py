"""Conditions in plain words, in Dutch and English: the one place that says what a rule means.

The handbook shows a parameter with all its dated values ("18 jaar"; "€ 60,00 (vanaf 1 januari 2024),
€ 65,00 (vanaf 1 januari 2027)"); a reason shows the value on the request date. Both pass how to show a
parameter, and otherwise say a condition the same way: `beneficiary.age < meerderjarigheid` is "de
begunstigde is jonger dan 18 jaar" / "the beneficiary is under 18".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Literal

from rules.model import (
    All,
    Always,
    Any,
    Compare,
    CompareOp,
    Condition,
    Constant,
    FactRef,
    FactType,
    Not,
    Operand,
    Parameter,
    Policy,
    Unit,
)
from rules.money import format_eur

Lang = Literal["nl", "en"]

#: How to show a parameter, given how to show one of its values.
ShowParameter = Callable[[Parameter, Callable[[int], str]], str]

FACT_NOUNS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "beneficiary.age": ("de leeftijd van de begunstigde", "the beneficiary's age"),
        "beneficiary.relation": ("de relatie van de begunstigde", "the beneficiary's relation"),
        "household.size": ("het aantal gezinsleden", "the number of household members"),
        "household.children": (
            "het aantal kinderen (jonger dan 18) in het gezin",
            "the number of children (under 18) in the household",
        ),
        "household.adults": ("het aantal volwassenen in het gezin", "the number of adults in the household"),
        "household.income_band": ("de inkomenscategorie van het gezin", "the household's income band"),
        "request.amount": ("het gevraagde bedrag", "the amount requested"),
        "request.quantity": ("het gevraagde aantal", "the quantity requested"),
    }
)

#: op -> (nl, en) for any fact, and (nl, en) when "the beneficiary" is compared with an age
_OPS: Mapping[str, tuple[tuple[str, str], tuple[str, str]]] = MappingProxyType(
    {
        "<": (("is kleiner dan", "is less than"), ("is jonger dan", "is under")),
        "<=": (("is hoogstens", "is at most"), ("is hoogstens", "is at most")),
        ">": (("is groter dan", "is more than"), ("is ouder dan", "is over")),
        ">=": (("is minstens", "is at least"), ("is minstens", "is at least")),
        "==": (("is", "is"), ("is", "is")),
        "!=": (("is niet", "is not"), ("is niet", "is not")),
    }
)
_FLIP: Mapping[str, CompareOp] = MappingProxyType(
    {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
)
_NEGATE: Mapping[str, CompareOp] = MappingProxyType(
    {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
)
_WORDS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "always": ("altijd", "always"),
        "never": ("nooit: altijd naar het comité", "never: always to the committee"),
        "years": ("{} jaar", "{} years"),
        "the_beneficiary": ("de begunstigde", "the beneficiary"),
        "not_the_case": ("het is niet zo dat", "it is not the case that"),
        "and": ("en", "and"),
        "or": ("of", "or"),
    }
)


def pick(words: tuple[str, str], lang: str) -> str:
    return words[1 if lang == "en" else 0]


def fact_noun(name: str, lang: str) -> str:
    return pick(FACT_NOUNS.get(name, (name, name)), lang)


def unit_value(value: int, unit: Unit, lang: str) -> str:
    """A parameter value as people read it: "€ 60,00", "18 jaar", "2"."""
    if unit is Unit.EUR:
        return format_eur(value, lang)
    if unit is Unit.YEARS:
        return pick(_WORDS["years"], lang).format(value)
    return str(value)


def condition_text(condition: Condition, policy: Policy, lang: Lang, show: ShowParameter) -> str:
    """`beneficiary.age < meerderjarigheid` → "de begunstigde is jonger dan 18 jaar"."""
    if isinstance(condition, Always):
        return pick(_WORDS["always" if condition.value else "never"], lang)
    if isinstance(condition, Compare):
        return _compare_text(condition, policy, lang, show)
    if isinstance(condition, Not):
        inner = condition.part
        if isinstance(inner, Compare):
            return _compare_text(Compare(_NEGATE[inner.op], inner.left, inner.right), policy, lang, show)
        if isinstance(inner, Always):
            return condition_text(Always(not inner.value), policy, lang, show)
        return f"{pick(_WORDS['not_the_case'], lang)} {_grouped(inner, policy, lang, show)}"
    word = pick(_WORDS["and" if isinstance(condition, All) else "or"], lang)
    return f" {word} ".join(_grouped(part, policy, lang, show) for part in condition.parts)


def _grouped(condition: Condition, policy: Policy, lang: Lang, show: ShowParameter) -> str:
    text = condition_text(condition, policy, lang, show)
    return f"({text})" if isinstance(condition, All | Any) else text


def _compare_text(compare: Compare, policy: Policy, lang: Lang, show: ShowParameter) -> str:
    op, left, right = compare.op, compare.left, compare.right
    if not isinstance(left, FactRef) and isinstance(right, FactRef):
        op, left, right = _FLIP[op], right, left
    if isinstance(left, FactRef) and left.name == "beneficiary.age" and not isinstance(right, FactRef):

        def age(years: int) -> str:
            return pick(_WORDS["years"], "nl").format(years) if lang == "nl" else str(years)

        value = _operand_text(right, policy, lang, show, age)
        return f"{pick(_WORDS['the_beneficiary'], lang)} {pick(_OPS[op][1], lang)} {value}"
    return (
        f"{_operand_text(left, policy, lang, show)} {pick(_OPS[op][0], lang)} "
        f"{_operand_text(right, policy, lang, show)}"
    )


def _operand_text(
    operand: Operand,
    policy: Policy,
    lang: Lang,
    show: ShowParameter,
    number: Callable[[int], str] | None = None,
) -> str:
    if isinstance(operand, FactRef):
        return fact_noun(operand.name, lang)
    if isinstance(operand, Constant):
        if operand.type is FactType.TEXT:
            return f'"{operand.value}"'
        if operand.type is FactType.MONEY:
            return format_eur(int(operand.value), lang)
        return number(int(operand.value)) if number else str(operand.value)
    parameter = policy.parameters.get(operand.name)
    if parameter is None:
        return operand.name
    if number is None or parameter.unit is Unit.EUR:
        unit = parameter.unit

        def number(value: int) -> str:
            return unit_value(value, unit, lang)

    return show(parameter, number)
