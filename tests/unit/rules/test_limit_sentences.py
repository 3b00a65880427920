"""Limit sentences: `measure [of subject] per scope [per window] <= bound`, with their default ids."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.conditions import ExpressionError, Problem
from rules.limit_sentences import MAX_LENGTH, SUPPORTED_WINDOWS, LimitSentence, parse_limit
from rules.model import Bound, Measure, Scope, Subject, Unit, Window, WindowKind

UNITS: Mapping[str, Unit | None] = {
    "winterschoenen_max": Unit.EUR,
    "paren": Unit.COUNT,
    "leeftijd": Unit.YEARS,
    "kapot": None,  # declared, but its unit was broken
}


def problems(text: str) -> list[tuple[int, str]]:
    with pytest.raises(ExpressionError) as raised:
        parse_limit(text, UNITS)
    return [(problem.column, problem.message) for problem in raised.value.problems]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "amount per request <= winterschoenen_max",
            LimitSentence(
                Measure.AMOUNT,
                Subject.ITEM,
                Scope.REQUEST,
                None,
                Bound(parameter="winterschoenen_max"),
                "amount_per_request",
            ),
        ),
        (
            "count per beneficiary per winter season <= 1",
            LimitSentence(
                Measure.COUNT,
                Subject.ITEM,
                Scope.BENEFICIARY,
                Window(WindowKind.WINTER_SEASON),
                Bound(value=1),
                "count_per_beneficiary_winter_season",
            ),
        ),
        (
            'sum of theme per household per rolling 90 days <= "150.00"',
            LimitSentence(
                Measure.SUM,
                Subject.THEME,
                Scope.HOUSEHOLD,
                Window(WindowKind.ROLLING_DAYS, 90),
                Bound(value=15000),
                "sum_of_theme_per_household_rolling_90_days",
            ),
        ),
        (
            "sum of item per dossier per rolling 6 months <= winterschoenen_max",
            LimitSentence(
                Measure.SUM,
                Subject.ITEM,
                Scope.DOSSIER,
                Window(WindowKind.ROLLING_MONTHS, 6),
                Bound(parameter="winterschoenen_max"),
                "sum_of_item_per_dossier_rolling_6_months",
            ),
        ),
        (
            "count per household per school year <= paren",
            LimitSentence(
                Measure.COUNT,
                Subject.ITEM,
                Scope.HOUSEHOLD,
                Window(WindowKind.SCHOOL_YEAR),
                Bound(parameter="paren"),
                "count_per_household_school_year",
            ),
        ),
        (
            "  sum   per beneficiary per calendar year<='0'  ",
            LimitSentence(
                Measure.SUM,
                Subject.ITEM,
                Scope.BENEFICIARY,
                Window(WindowKind.CALENDAR_YEAR),
                Bound(value=0),
                "sum_per_beneficiary_calendar_year",
            ),
        ),
    ],
)
def test_parses(text: str, expected: LimitSentence) -> None:
    assert parse_limit(text, UNITS) == expected


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        ("rolling 1 days", Window(WindowKind.ROLLING_DAYS, 1)),
        ("rolling 3660 days", Window(WindowKind.ROLLING_DAYS, 3660)),
        ("rolling 1 months", Window(WindowKind.ROLLING_MONTHS, 1)),
        ("rolling 120 months", Window(WindowKind.ROLLING_MONTHS, 120)),
    ],
)
def test_rolling_window_bounds(window: str, expected: Window) -> None:
    assert parse_limit(f"count per dossier per {window} <= 2", UNITS).window == expected


def test_a_parameter_with_a_broken_unit_is_accepted_as_bound() -> None:
    assert parse_limit("amount per request <= kapot", UNITS).bound == Bound(parameter="kapot")


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("", 0, "the limit is empty"),
        ("amout per request <= 1", 0, 'expected a measure (amount, count, sum), found "amout"'),
        ("amount request <= winterschoenen_max", 7, 'expected "per" after the measure, found "request"'),
        ("sum of household per beneficiary per calendar year <= '1'", 7, "expected a subject (item, theme)"),
        (
            "sum per person per calendar year <= '1'",
            8,
            "expected a scope (request, beneficiary, household, dossier)",
        ),
        (
            "count per beneficiary per week <= 1",
            26,
            f'unsupported window "week"; supported: {SUPPORTED_WINDOWS}',
        ),
        ("count per beneficiary per decade <= 1", 26, 'unsupported window "decade"'),
        ("count per beneficiary per calendar month <= 1", 26, 'unsupported window "calendar month"'),
        ("count per beneficiary per rolling 0 days <= 1", 34, "a rolling window is 1 to 3660 days"),
        ("count per beneficiary per rolling 3661 days <= 1", 34, "a rolling window is 1 to 3660 days"),
        ("count per beneficiary per rolling 121 months <= 1", 34, "a rolling window is 1 to 120 months"),
        ("count per beneficiary per rolling 2 weeks <= 1", 26, 'write a rolling window as "rolling 90 days"'),
        ("count per beneficiary per rolling <= 1", 26, 'write a rolling window as "rolling 90 days"'),
        ("amount per request < winterschoenen_max", 19, 'expected "<=" before the limit, found "<"'),
        ("amount per request", 18, 'expected "<=" before the limit, found the end of the sentence'),
        ("amount per request <=", 21, 'expected the limit after "<="'),
        ("amount per request <= winterschoenen_max or 5", 41, 'unexpected "or" after the limit'),
        ("amount per request <= onbekend", 22, 'unknown parameter "onbekend"'),
        ("amount per request <= 60.00", 22, 'an amount must be written in quotes: "60.00"'),
        ("amount per request <= 60", 22, 'an amount must be written in quotes: "60.00"'),
        ("amount per request <= '60,00'", 22, "'60,00' is not an amount"),
        ("amount per request <= '-1'", 22, "a limit cannot be negative"),
        ("amount per request <= paren", 22, 'parameter "paren" has unit "count"'),
        ("sum per household per calendar year <= leeftijd", 39, 'parameter "leeftijd" has unit "years"'),
        (
            "count per household per calendar year <= winterschoenen_max",
            41,
            'parameter "winterschoenen_max" has',
        ),
        ("count per household per calendar year <= '1'", 41, "the limit must be a whole number such as 1"),
        ("count per household per calendar year <= 1234567890", 41, "too large"),
        ("amount per request <= 'x", 22, "the quote ' is never closed"),
        (
            "amount per beneficiary <= winterschoenen_max",
            11,
            'an "amount" limit is written "amount per request',
        ),
        ("amount of theme per request <= winterschoenen_max", 7, 'it has no "of item/theme"'),
        (
            "amount per request per calendar year <= winterschoenen_max",
            23,
            '"amount per request" has no window',
        ),
        (
            "count per request per calendar year <= 1",
            10,
            '"count" needs the scope beneficiary, household or dossier',
        ),
        ("sum per household <= winterschoenen_max", 0, '"sum" needs a window, such as "per calendar year"'),
    ],
)
def test_errors_name_the_column(text: str, column: int, message: str) -> None:
    found_column, found_message = problems(text)[0]
    assert found_column == column
    assert message in found_message


def test_every_rule_problem_is_reported() -> None:
    assert [column for column, _ in problems("amount of theme per household per winter season <= '1'")] == [
        7,
        20,
        34,
    ]


def test_length_is_capped() -> None:
    assert problems("amount per request <= " + "x" * MAX_LENGTH) == [
        (0, f"the limit is longer than {MAX_LENGTH} characters")
    ]


PIECES = [
    "amount",
    "count",
    "sum",
    "of",
    "item",
    "theme",
    "per",
    "request",
    "beneficiary",
    "household",
    "dossier",
    "calendar",
    "school",
    "winter",
    "year",
    "season",
    "rolling",
    "90",
    "days",
    "months",
    "<=",
    "<",
    "1",
    "'150.00'",
    "winterschoenen_max",
    "paren",
    '"',
]


@settings(max_examples=300, deadline=2000)
@given(st.lists(st.sampled_from(PIECES) | st.characters(), max_size=20).map(" ".join))
def test_any_text_gives_a_limit_or_an_expression_error(text: str) -> None:
    problems: tuple[Problem, ...] = ()
    try:
        parse_limit(text, UNITS)
    except ExpressionError as error:
        problems = error.problems
        assert problems
    assert all(0 <= problem.column <= len(text) for problem in problems)
