"""The window of a limit that contains a request date, and its labels, worked out once per date.

A limit counts earlier aid over a window (a calendar year, a school year, a winter season, the last N days or
months). Every decision needs the window's first and last day for its date, and a reason also needs the
window's readable label. Both depend only on the window and the date, so they are kept per date, shared by
every limit with the same window.
"""

from __future__ import annotations

import threading
from datetime import date

from rules.formatting import format_date
from rules.model import Window, WindowKind

#: Dates kept per window before the memory is cleared (decades of dates; a replay of any period fits).
MAX_DAYS = 20_000


class WindowDays:
    """One window's range and labels per request date."""

    __slots__ = ("_labels", "_ranges", "window")

    def __init__(self, window: Window) -> None:
        self.window = window
        self._ranges: dict[date, tuple[date, date]] = {}
        self._labels: dict[date, tuple[str, str, str, str]] = {}

    def range(self, day: date) -> tuple[date, date]:
        """The first and last day (both inclusive) of the window that contains `day`."""
        found = self._ranges.get(day)
        if found is None:
            if len(self._ranges) >= MAX_DAYS:
                self._ranges.clear()
            found = self._ranges[day] = self.window.range_for(day)
        return found

    def labels(self, day: date) -> tuple[str, str, str, str]:
        """(first day ISO, last day ISO, Dutch label, English label) of the window that contains `day`."""
        found = self._labels.get(day)
        if found is None:
            if len(self._labels) >= MAX_DAYS:
                self._labels.clear()
            first, last = self.range(day)
            found = self._labels[day] = (
                first.isoformat(),
                last.isoformat(),
                _label(self.window, first, last, "nl"),
                _label(self.window, first, last, "en"),
            )
        return found


_known: dict[Window, WindowDays] = {}
_lock = threading.Lock()


def window_days(window: Window) -> WindowDays:
    """The shared `WindowDays` of a window (windows are few: one per kind and length in a policy)."""
    found = _known.get(window)
    if found is None:
        with _lock:
            found = _known.setdefault(window, WindowDays(window))
    return found


def window_label(window: Window, day: date, lang: str) -> str:
    """ "winterseizoen 2026-2027", "de 90 dagen tot en met 23 november 2026", ... for the window containing
    `day`."""
    labels = window_days(window).labels(day)
    return labels[3] if lang == "en" else labels[2]


def _label(window: Window, first: date, last: date, lang: str) -> str:
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
