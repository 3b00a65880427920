"""Windows a limit counts over, ages, and money at the edges."""

from __future__ import annotations

from datetime import date

import pytest

from rules.evaluation import age_on
from rules.model import Window, WindowKind
from rules.money import Money, MoneyFormatError, format_cents, format_eur, parse_cents


@pytest.mark.parametrize(
    ("kind", "length", "day", "first", "last"),
    [
        (WindowKind.CALENDAR_YEAR, 0, date(2026, 11, 23), date(2026, 1, 1), date(2026, 12, 31)),
        (WindowKind.SCHOOL_YEAR, 0, date(2026, 8, 31), date(2025, 9, 1), date(2026, 8, 31)),
        (WindowKind.SCHOOL_YEAR, 0, date(2026, 9, 1), date(2026, 9, 1), date(2027, 8, 31)),
        (WindowKind.WINTER_SEASON, 0, date(2026, 10, 1), date(2026, 10, 1), date(2027, 3, 31)),
        (WindowKind.WINTER_SEASON, 0, date(2027, 3, 31), date(2026, 10, 1), date(2027, 3, 31)),
        (WindowKind.WINTER_SEASON, 0, date(2027, 4, 1), date(2027, 4, 1), date(2027, 9, 30)),
        (WindowKind.WINTER_SEASON, 0, date(2026, 9, 30), date(2026, 4, 1), date(2026, 9, 30)),
        (WindowKind.ROLLING_DAYS, 90, date(2026, 3, 31), date(2026, 1, 1), date(2026, 3, 31)),
        (WindowKind.ROLLING_DAYS, 1, date(2026, 3, 31), date(2026, 3, 31), date(2026, 3, 31)),
        (WindowKind.ROLLING_MONTHS, 3, date(2026, 5, 31), date(2026, 3, 1), date(2026, 5, 31)),
        (WindowKind.ROLLING_MONTHS, 1, date(2026, 3, 31), date(2026, 3, 1), date(2026, 3, 31)),
        (WindowKind.ROLLING_MONTHS, 12, date(2024, 2, 29), date(2023, 3, 1), date(2024, 2, 29)),
    ],
)
def test_window_contains_the_request_date(
    kind: WindowKind, length: int, day: date, first: date, last: date
) -> None:
    assert Window(kind, length).range_for(day) == (first, last)


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(2008, 11, 23), date(2026, 11, 22), 17),
        (date(2008, 11, 23), date(2026, 11, 23), 18),
        (date(2008, 2, 29), date(2026, 2, 28), 17),
        (date(2008, 2, 29), date(2026, 3, 1), 18),
    ],
)
def test_age_in_full_years_on_the_date(born: date, day: date, age: int) -> None:
    assert age_on(born, day) == age


@pytest.mark.parametrize(
    ("text", "cents"), [("55.00", 5500), ("55", 5500), ("55.5", 5550), ("0.01", 1), ("-3.50", -350)]
)
def test_amounts_are_parsed_to_cents(text: str, cents: int) -> None:
    assert parse_cents(text) == cents
    assert Money.parse(text).cents == cents


@pytest.mark.parametrize("text", ["55.001", "55,00", "1.234,50", "€55", "", "1e3", "abc", "5 5"])
def test_anything_but_a_plain_decimal_is_refused(text: str) -> None:
    with pytest.raises(MoneyFormatError):
        parse_cents(text)


def test_a_float_is_refused() -> None:
    with pytest.raises(MoneyFormatError, match="decimal string"):
        parse_cents(55.0)  # type: ignore[arg-type]


def test_money_as_people_read_it() -> None:
    assert format_eur(123450) == "€ 1.234,50"
    assert format_eur(123450, "en") == "€1,234.50"
    assert format_eur(-5) == "-€ 0,05"
    assert format_cents(123450) == "1234.50"
    assert str(Money(5) - Money(10)) == "-0.05"
