"""Money: an integer number of euro cents inside, a decimal string at the edges, never a float."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_MONEY_TEXT = re.compile(r"^(-)?(\d{1,12})(?:\.(\d{1,2}))?$")


class MoneyFormatError(ValueError):
    """A text that is not an amount of money with at most two decimals."""


def parse_cents(text: str) -> int:
    """Parse "55", "55.5" or "55.00" (optionally with a leading minus) into cents.

    Refuses anything else, in particular floats, thousands separators and more than two decimals.
    """
    if not isinstance(text, str):
        raise MoneyFormatError(
            f'an amount must be a decimal string such as "55.00", not {type(text).__name__}'
        )
    match = _MONEY_TEXT.match(text.strip())
    if match is None:
        raise MoneyFormatError(
            f'"{text}" is not an amount: write euros with at most two decimals, such as "55.00"'
        )
    sign, euros, decimals = match.groups()
    cents = int(euros) * 100 + int((decimals or "0").ljust(2, "0"))
    return -cents if sign else cents


_TWO_DIGITS = tuple(f"{part:02d}" for part in range(100))


def format_cents(cents: int) -> str:
    """Cents as the edge format: "55.00", "-3.50"."""
    if cents < 0:
        return f"-{format_cents(-cents)}"
    return f"{cents // 100}.{_TWO_DIGITS[cents % 100]}"


@functools.lru_cache(maxsize=16_384)
def format_eur(cents: int, lang: str = "nl") -> str:
    """Cents as people read them: "€ 1.234,50" in Dutch, "€1,234.50" in English."""
    return _format_eur(cents, lang)


#: An amount's three texts: the edge form, Dutch and English.
MoneyTexts = tuple[str, str, str]
_texts: dict[int, MoneyTexts] = {}
_MAX_TEXTS = 65_536


def money_texts(cents: int) -> MoneyTexts:
    """("1234.50", "€ 1.234,50", "€1,234.50"): what a reason shows of an amount, in one look-up. They depend
    on the cents alone, so they are kept per amount (a replay meets the same amounts again and again)."""
    found = _texts.get(cents)
    if found is None:
        if len(_texts) >= _MAX_TEXTS:
            _texts.clear()
        found = _texts[cents] = (format_cents(cents), _format_eur(cents, "nl"), _format_eur(cents, "en"))
    return found


def _format_eur(cents: int, lang: str) -> str:
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    grouped = f"{whole:,}"
    if lang == "nl":
        return f"{sign}€ {grouped.replace(',', '.')},{part:02d}"
    return f"{sign}€{grouped}.{part:02d}"


@dataclass(frozen=True, order=True, slots=True)
class Money:
    """An amount in euro cents."""

    cents: int

    @classmethod
    def parse(cls, text: str) -> Money:
        return cls(parse_cents(text))

    @classmethod
    def zero(cls) -> Money:
        return cls(0)

    def __add__(self, other: Money) -> Money:
        return Money(self.cents + other.cents)

    def __sub__(self, other: Money) -> Money:
        return Money(self.cents - other.cents)

    def __neg__(self) -> Money:
        return Money(-self.cents)

    def __str__(self) -> str:
        return format_cents(self.cents)

    def display(self, lang: str = "nl") -> str:
        return format_eur(self.cents, lang)
