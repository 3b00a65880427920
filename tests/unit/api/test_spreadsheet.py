"""A CSV cell a spreadsheet would run as a formula is written as text; anything else, numbers above all, as it
is (api/spreadsheet.py)."""

from __future__ import annotations

import pytest

from api.spreadsheet import cell, cells
from rules.money import Money


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(1)", "\t=1+1", "\r=1+1", "=", "-"]
)
def test_a_text_that_starts_like_a_formula_gets_a_quote(text: str) -> None:
    assert cell(text) == "'" + text


@pytest.mark.parametrize("text", ["", "kleding", "team 1=2", " =1", "'=1", "wijk-noord", "1-2"])
def test_any_other_text_is_left_as_it_is(text: str) -> None:
    assert cell(text) == text


def test_numbers_are_left_as_they_are_also_below_zero() -> None:
    amount = Money.parse("-100.00")

    assert cells([amount, -3, 2026, None]) == [amount, -3, 2026, None]
    assert str(cell(amount)) == "-100.00"
