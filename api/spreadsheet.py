"""Cells of an exported spreadsheet file (CSV), safe to open.

A spreadsheet runs a text cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return before
one) as a formula: an envelope's team named `=HYPERLINK("http://…", "…")` would become a link that sends
the sheet's figures elsewhere. `cell` neutralises such a text the way OWASP advises (CSV injection): a
leading `'`, which the spreadsheet shows as text. Numbers are written as they are: an amount is a `Money`
(or an int), not a text, so "-100.00" stays a number. JSON exports need none of this: no program runs it.
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """`value` for a CSV cell: a text a spreadsheet would take for a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def cells(values: Iterable[object]) -> list[object]:
    """A row of CSV cells, each as `cell` makes it."""
    return [cell(value) for value in values]
