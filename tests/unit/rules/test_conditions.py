"""The `delegated_when` language: parsing into model conditions, type checks, and errors with columns."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.conditions import MAX_LENGTH, MAX_NESTING, ExpressionError, Problem, parse_condition, tokenize
from rules.model import (
    All,
    Always,
    Any,
    Compare,
    Constant,
    FactRef,
    FactType,
    Not,
    ParamRef,
)

PARAMETERS: Mapping[str, FactType | None] = {
    "meerderjarigheid": FactType.INT,
    "plafond": FactType.MONEY,
    "kapot": None,  # declared, but its unit was broken
}
AGE = FactRef("beneficiary.age")


def parse(text: str) -> object:
    return parse_condition(text, PARAMETERS)


def problems(text: str) -> list[tuple[int, str]]:
    with pytest.raises(ExpressionError) as raised:
        parse_condition(text, PARAMETERS)
    return [(problem.column, problem.message) for problem in raised.value.problems]


def only_problem(text: str) -> tuple[int, str]:
    [problem] = problems(text)
    return problem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("always", Always(True)),
        ("never", Always(False)),
        ("  always  ", Always(True)),
        ("beneficiary.age < 18", Compare("<", AGE, Constant(18, FactType.INT))),
        ("beneficiary.age<meerderjarigheid", Compare("<", AGE, ParamRef("meerderjarigheid"))),
        ("18 > beneficiary.age", Compare(">", Constant(18, FactType.INT), AGE)),
        (
            'request.amount <= "250.00"',
            Compare("<=", FactRef("request.amount"), Constant(25000, FactType.MONEY)),
        ),
        ("request.amount > '60.5'", Compare(">", FactRef("request.amount"), Constant(6050, FactType.MONEY))),
        ("request.amount >= plafond", Compare(">=", FactRef("request.amount"), ParamRef("plafond"))),
        (
            'beneficiary.relation == "kind"',
            Compare("==", FactRef("beneficiary.relation"), Constant("kind", FactType.TEXT)),
        ),
        (
            "household.income_band != ''",
            Compare("!=", FactRef("household.income_band"), Constant("", FactType.TEXT)),
        ),
        (
            "household.size >= household.adults",
            Compare(">=", FactRef("household.size"), FactRef("household.adults")),
        ),
        ("not beneficiary.age < 18", Not(Compare("<", AGE, Constant(18, FactType.INT)))),
        ("not not beneficiary.age < 18", Not(Not(Compare("<", AGE, Constant(18, FactType.INT))))),
    ],
)
def test_parses(text: str, expected: object) -> None:
    assert parse(text) == expected


def test_and_binds_tighter_than_or_and_chains_are_flat() -> None:
    a = Compare("<", AGE, Constant(1, FactType.INT))
    b = Compare("<", AGE, Constant(2, FactType.INT))
    c = Compare("<", AGE, Constant(3, FactType.INT))
    d = Compare("<", AGE, Constant(4, FactType.INT))
    text = "beneficiary.age < 1 or beneficiary.age < 2 and beneficiary.age < 3 or beneficiary.age < 4"
    assert parse(text) == Any((a, All((b, c)), d))
    assert parse("beneficiary.age < 1 and beneficiary.age < 2 and beneficiary.age < 3") == All((a, b, c))
    assert parse("(beneficiary.age < 1 or beneficiary.age < 2) and beneficiary.age < 3") == All(
        (Any((a, b)), c)
    )
    assert parse("not (beneficiary.age < 1 or beneficiary.age < 2)") == Not(Any((a, b)))


def test_a_parameter_with_a_broken_unit_is_not_type_checked_again() -> None:
    assert parse("beneficiary.age < kapot") == Compare("<", AGE, ParamRef("kapot"))


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("", 0, "the condition is empty"),
        (
            "beneficiary.leeftijd < 18",
            0,
            'unknown fact "beneficiary.leeftijd"; known facts: beneficiary.age,',
        ),
        ("beneficiary.age < meerderjarig", 18, 'unknown parameter "meerderjarig"'),
        ("beneficiary.age < plafond", 16, 'cannot compare fact "beneficiary.age" (integer) with parameter'),
        (
            'beneficiary.age < "18"',
            18,
            '"18" in quotes is a text and cannot be compared with a number; write 18',
        ),
        ('beneficiary.age == "kind"', 19, '"kind" in quotes is a text and cannot be compared with a number'),
        ("beneficiary.relation == 5", 21, "cannot compare fact"),
        ('beneficiary.relation < "kind"', 21, 'texts can only be compared with == or !=, not "<"'),
        ("request.amount <= 250", 18, 'an amount must be written in quotes: write "250.00", not 250'),
        ("request.amount <= 60.5", 18, 'write it in quotes: "60.50"'),
        ('request.amount <= "60,00"', 18, '"60,00" is not an amount'),
        ("beneficiary.age < 1234567890123", 18, "too large"),
        ("18 < 19", 0, "at least one side must be a fact or a parameter"),
        ('"a" == "b"', 0, "at least one side must be a fact or a parameter"),
        ("always and beneficiary.age < 18", 0, '"always" must stand alone'),
        ("not never", 4, '"never" must stand alone'),
        ("beneficiary.age", 15, "expected a comparison such as < or == after"),
        ("beneficiary.age < 18 and", 24, "expected a fact, a parameter or a value, found the end"),
        ("beneficiary.age < 18 beneficiary.age", 21, 'expected "and", "or" or the end of the condition'),
        ("beneficiary.age < < 18", 18, 'expected a fact, a parameter or a value, found "<"'),
        ("(beneficiary.age < 18", 21, 'expected ")" to close the "("'),
        ("beneficiary.age < 18)", 20, 'expected "and", "or" or the end of the condition, found ")"'),
        ("beneficiary.age = 18", 16, 'write "==" to compare for equality'),
        ("beneficiary.age ! 18", 16, 'write "!="'),
        ("beneficiary.age < 18 && household.size > 2", 21, 'unexpected character "&"'),
        ('beneficiary.relation == "kind', 24, 'the quote " is never closed'),
        ("beneficiary.age < 18 AND household.size > 1", 21, 'expected "and", "or"'),
        ("__import__('os').system('true')", 16, 'unexpected character "."'),
    ],
)
def test_errors_name_the_column(text: str, column: int, message: str) -> None:
    found_column, found_message = problems(text)[0]
    assert found_column == column
    assert message in found_message


def test_every_semantic_problem_is_reported() -> None:
    found = problems("beneficiary.foo < 1 or bar == 2 or request.amount < 5")
    assert [column for column, _ in found] == [0, 23, 52]


def test_a_syntax_error_keeps_the_problems_found_before_it() -> None:
    assert [column for column, _ in problems("foo < 1 and (")] == [0, 13]


def test_length_is_capped() -> None:
    text = " or ".join(["beneficiary.age < 18"] * 30)
    assert len(text) > MAX_LENGTH
    assert only_problem(text) == (0, f"the condition is longer than {MAX_LENGTH} characters")


@pytest.mark.parametrize("opening", ["(", "not "])
def test_nesting_is_capped(opening: str) -> None:
    text = (
        opening * (MAX_NESTING + 5)
        + "beneficiary.age < 18"
        + (")" * (MAX_NESTING + 5) if opening == "(" else "")
    )
    column, message = only_problem(text)
    assert column == len(opening) * MAX_NESTING
    assert f"nested more than {MAX_NESTING} levels" in message
    assert parse(
        opening * (MAX_NESTING - 1)
        + "beneficiary.age < 18"
        + (")" * (MAX_NESTING - 1) if opening == "(" else "")
    )


def test_tokens_carry_their_columns() -> None:
    tokens = tokenize('not (beneficiary.age<=18 or x == "a b")')
    assert [(token.kind, token.text, token.column) for token in tokens] == [
        ("word", "not", 0),
        ("(", "(", 4),
        ("name", "beneficiary.age", 5),
        ("op", "<=", 20),
        ("number", "18", 22),
        ("word", "or", 25),
        ("name", "x", 28),
        ("op", "==", 30),
        ("quoted", '"a b"', 33),
        (")", ")", 38),
        ("end", "", 39),
    ]


PIECES = [
    "beneficiary.age",
    "request.amount",
    "beneficiary.relation",
    "meerderjarigheid",
    "plafond",
    "onbekend",
    "18",
    "60.5",
    '"250.00"',
    "'kind'",
    '"',
    "<",
    "<=",
    "==",
    "!=",
    "=",
    "and",
    "or",
    "not",
    "always",
    "never",
    "(",
    ")",
    " ",
]


@settings(max_examples=300, deadline=2000)
@given(st.lists(st.sampled_from(PIECES) | st.characters(), max_size=40).map(" ".join))
def test_any_text_gives_a_condition_or_an_expression_error(text: str) -> None:
    problems: tuple[Problem, ...] = ()
    try:
        parse_condition(text, PARAMETERS)
    except ExpressionError as error:
        problems = error.problems
        assert problems
    assert all(0 <= problem.column <= len(text) for problem in problems)
