"""Numbers and dates as people read them, in Dutch (default) and English."""

from __future__ import annotations

from datetime import date

from rules.money import format_eur

__all__ = ["format_count", "format_date", "format_eur"]

_MONTHS = {
    "nl": (
        "januari", "februari", "maart", "april", "mei", "juni",
        "juli", "augustus", "september", "oktober", "november", "december",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip


def format_date(day: date, lang: str = "nl") -> str:
    """ "23 november 2026" / "23 November 2026"."""
    months = _MONTHS["en" if lang == "en" else "nl"]
    return f"{day.day} {months[day.month - 1]} {day.year}"


def format_count(count: int) -> str:
    return str(count)
