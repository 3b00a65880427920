"""The finance charts, computed on the server and drawn as SVG by the templates (no script, no library).

- `budget_bars`: per envelope one bar, as long as its budget, split into committed, held and available.
- `spending_bars`: per theme twelve small bars, the net commitments of each month, on one common scale.

Each chart has a text alternative (`title`, `summary`) and the page shows the same figures as a table.
"""

from __future__ import annotations

from dataclasses import dataclass

from envelopes.domain.envelopes import Balance

WIDTH = 600  # the viewBox width of the budget chart
ROW = 46  # the height of one envelope's row: its label, then its bar
BAR = 20
SMALL_WIDTH, SMALL_HEIGHT, SMALL_BAR, SMALL_GAP = 240, 80, 16, 4


@dataclass(frozen=True)
class Segment:
    kind: str  # committed | held | available: the CSS class
    x: float
    width: float
    cents: int


@dataclass(frozen=True)
class BudgetBar:
    label: str
    y: int
    segments: tuple[Segment, ...]
    budget: int  # cents: committed + held + available


@dataclass(frozen=True)
class BudgetChart:
    bars: tuple[BudgetBar, ...]
    width: int
    height: int


def budget(balance: Balance) -> int:
    return balance.committed.cents + balance.held.cents + balance.available.cents


def budget_bars(rows: list[tuple[str, Balance]]) -> BudgetChart:
    """`rows`: (label, balance) per envelope, in the order to draw them."""
    largest = max((budget(balance) for _, balance in rows), default=0) or 1
    bars = []
    for index, (label, balance) in enumerate(rows):
        x, segments = 0.0, []
        for kind, money in (
            ("committed", balance.committed),
            ("held", balance.held),
            ("available", balance.available),
        ):
            width = round(WIDTH * max(money.cents, 0) / largest, 2)
            segments.append(Segment(kind, x, width, money.cents))
            x += width
        bars.append(BudgetBar(label, index * ROW, tuple(segments), budget(balance)))
    return BudgetChart(tuple(bars), WIDTH, max(len(rows) * ROW, ROW))


@dataclass(frozen=True)
class MonthBar:
    month: int  # 1-12
    x: int
    y: float
    height: float
    cents: int


@dataclass(frozen=True)
class ThemeSpending:
    theme: str
    label: str
    bars: tuple[MonthBar, ...]
    total: int


def spending_bars(spending: dict[str, list[int]], labels: dict[str, str]) -> tuple[list[ThemeSpending], int]:
    """Per theme (in `labels`' order) twelve month bars on one scale; and that scale's maximum in cents."""
    largest = max((max(months) for months in spending.values()), default=0)
    scale = largest or 1
    charts = []
    for theme, label in labels.items():
        months = spending.get(theme, [0] * 12)
        bars = []
        for index, cents in enumerate(months):
            height = round((SMALL_HEIGHT - 4) * max(cents, 0) / scale, 2)
            x = index * (SMALL_BAR + SMALL_GAP)
            bars.append(MonthBar(index + 1, x, SMALL_HEIGHT - height, height, cents))
        charts.append(ThemeSpending(theme, label, tuple(bars), sum(months)))
    return charts, largest
