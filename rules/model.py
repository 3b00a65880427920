"""The policy as the loader produces it: complete, immutable, plain Python.

A policy is a folder of rule files: one general file (the conditions that apply to every item) and one file
per theme. Everything here is frozen; collections are tuples or read-only mappings.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum
from types import MappingProxyType
from typing import Literal, TypeAlias


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where something was written: a file relative to the policy folder, 1-based line and column."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Text:
    """A text in Dutch (required) and English (optional; Dutch is shown when it is missing)."""

    nl: str
    en: str | None = None

    def get(self, lang: str) -> str:
        if lang == "en" and self.en:
            return self.en
        return self.nl


# --- parameters -----------------------------------------------------------------------------------------


class Unit(Enum):
    """What a parameter's values are: euros (kept as cents), a count, or a number of years."""

    EUR = "EUR"
    COUNT = "count"
    YEARS = "years"


@dataclass(frozen=True, slots=True)
class DatedValue:
    """A value that applies from `since` (inclusive) until the next dated value."""

    since: date
    value: int  # cents for EUR, a plain integer otherwise


@dataclass(frozen=True, slots=True)
class Parameter:
    """A limit the council set, with its history: a new value adds a date, it never edits one."""

    name: str
    description: Text
    unit: Unit
    reference: str
    values: tuple[DatedValue, ...]  # sorted by date, strictly increasing, at least one
    source: SourceRef

    def value_on(self, day: date) -> int | None:
        """The value in force on `day`, or None before the first date."""
        for dated in reversed(self.values):  # a handful of dates: a reverse scan beats bisect here
            if dated.since <= day:
                return dated.value
        return None


# --- the expression language of delegation conditions ----------------------------------------------------


class FactType(Enum):
    INT = "integer"
    MONEY = "amount"
    TEXT = "text"


#: The facts a delegation condition may name, with their types.
FACT_TYPES: Mapping[str, FactType] = MappingProxyType(
    {
        "beneficiary.age": FactType.INT,
        "beneficiary.relation": FactType.TEXT,
        "household.size": FactType.INT,
        "household.children": FactType.INT,
        "household.adults": FactType.INT,
        "household.income_band": FactType.TEXT,
        "request.amount": FactType.MONEY,
        "request.quantity": FactType.INT,
    }
)

CompareOp = Literal["<", "<=", ">", ">=", "==", "!="]


@dataclass(frozen=True, slots=True)
class FactRef:
    name: str  # a key of FACT_TYPES


@dataclass(frozen=True, slots=True)
class ParamRef:
    name: str  # a parameter of the policy


@dataclass(frozen=True, slots=True)
class Constant:
    value: int | str  # cents for amounts, an integer, or a text
    type: FactType


Operand: TypeAlias = FactRef | ParamRef | Constant


@dataclass(frozen=True, slots=True)
class Compare:
    op: CompareOp
    left: Operand
    right: Operand


@dataclass(frozen=True, slots=True)
class All:
    """`a and b and ...`"""

    parts: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Any:
    """`a or b or ...`"""

    parts: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    part: Condition


@dataclass(frozen=True, slots=True)
class Always:
    """`always` (True) or `never` (False)."""

    value: bool


Condition: TypeAlias = Compare | All | Any | Not | Always


# --- limits and the windows they count over --------------------------------------------------------------


class Measure(Enum):
    AMOUNT = "amount"  # the amount of this request
    COUNT = "count"  # number of approved requests in the window, this one included
    SUM = "sum"  # total approved in the window, this request included


class Scope(Enum):
    REQUEST = "request"
    BENEFICIARY = "beneficiary"
    HOUSEHOLD = "household"
    DOSSIER = "dossier"


class Subject(Enum):
    """What earlier aid a count or sum looks at: the same item, or any item of the same theme."""

    ITEM = "item"
    THEME = "theme"


class WindowKind(Enum):
    CALENDAR_YEAR = "calendar year"
    SCHOOL_YEAR = "school year"  # 1 September - 31 August
    WINTER_SEASON = "winter season"  # 1 October - 31 March; April - September is the summer in between
    ROLLING_DAYS = "rolling days"
    ROLLING_MONTHS = "rolling months"


def _shift_months(day: date, months: int) -> date:
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@dataclass(frozen=True, slots=True)
class Window:
    kind: WindowKind
    length: int = 0  # days or months for the rolling kinds

    def range_for(self, day: date) -> tuple[date, date]:
        """The first and last day (both inclusive) of the window that contains `day`."""
        if self.kind is WindowKind.CALENDAR_YEAR:
            return date(day.year, 1, 1), date(day.year, 12, 31)
        if self.kind is WindowKind.SCHOOL_YEAR:
            start_year = day.year if day.month >= 9 else day.year - 1
            return date(start_year, 9, 1), date(start_year + 1, 8, 31)
        if self.kind is WindowKind.WINTER_SEASON:
            if day.month >= 10:
                return date(day.year, 10, 1), date(day.year + 1, 3, 31)
            if day.month <= 3:
                return date(day.year - 1, 10, 1), date(day.year, 3, 31)
            return date(day.year, 4, 1), date(day.year, 9, 30)
        if self.kind is WindowKind.ROLLING_DAYS:
            return day - timedelta(days=self.length - 1), day
        return _shift_months(day, -self.length) + timedelta(days=1), day

    def describe(self) -> Text:
        if self.kind is WindowKind.CALENDAR_YEAR:
            return Text("per kalenderjaar", "per calendar year")
        if self.kind is WindowKind.SCHOOL_YEAR:
            return Text(
                "per schooljaar (1 september - 31 augustus)", "per school year (1 September - 31 August)"
            )
        if self.kind is WindowKind.WINTER_SEASON:
            return Text(
                "per winterseizoen (1 oktober - 31 maart)", "per winter season (1 October - 31 March)"
            )
        if self.kind is WindowKind.ROLLING_DAYS:
            return Text(f"per {self.length} dagen", f"per {self.length} days")
        return Text(f"per {self.length} maanden", f"per {self.length} months")


@dataclass(frozen=True, slots=True)
class Bound:
    """The right-hand side of a limit: a parameter (dated values) or a fixed number."""

    parameter: str | None = None
    value: int | None = None  # cents for amounts and sums, a plain count otherwise

    def value_on(self, parameters: Mapping[str, Parameter], day: date) -> int | None:
        if self.parameter is not None:
            return parameters[self.parameter].value_on(day)
        return self.value


@dataclass(frozen=True, slots=True)
class Limit:
    """`<measure> [of <subject>] per <scope> [per <window>] <= <bound>`, e.g. `count per beneficiary per
    winter season <= 1`."""

    rule_id: str  # "<theme>.<item>.<local id>"
    measure: Measure
    scope: Scope
    bound: Bound
    source: SourceRef
    subject: Subject = Subject.ITEM
    window: Window | None = None  # None only for `amount per request`
    text: Text | None = None  # overrides the standard reason text; may use the standard placeholders
    expression: str = ""  # the limit as written in the file


@dataclass(frozen=True, slots=True)
class Item:
    theme: str
    key: str
    title: Text
    delegated_when: Condition
    delegated_when_text: str  # as written in the file, for explanations
    limits: tuple[Limit, ...]
    basis: str  # the item's own legal basis, or its theme's
    source: SourceRef
    note: Text | None = None

    @property
    def delegation_rule_id(self) -> str:
        return f"{self.theme}.{self.key}.delegation"


@dataclass(frozen=True, slots=True)
class Theme:
    key: str
    title: Text
    basis: str
    items: Mapping[str, Item]
    path: str  # the file, relative to the policy folder


@dataclass(frozen=True, slots=True)
class General:
    """The conditions that hold for every item: the caseworker's mandate ceiling, envelope cover, a frozen
    envelope, and items that are unknown or never delegated."""

    title: Text
    basis: str
    mandate_ceiling: Bound
    path: str


#: Rule ids of the general conditions.
GENERAL_RULES: tuple[str, ...] = (
    "general.unknown_item",
    "general.parameter_missing",
    "general.mandate_ceiling",
    "general.envelope_cover",
    "general.envelope_frozen",
)


@dataclass(frozen=True, slots=True)
class Policy:
    """A complete policy version. `version` is the content hash of its rule files."""

    version: str
    general: General
    themes: Mapping[str, Theme]
    parameters: Mapping[str, Parameter]
    files: tuple[tuple[str, str], ...] = field(default=())  # (relative path, sha256 of the bytes)

    def item(self, theme: str, key: str) -> Item | None:
        found = self.themes.get(theme)
        return found.items.get(key) if found is not None else None

    def items(self) -> tuple[Item, ...]:
        return tuple(item for theme in self.themes.values() for item in theme.items.values())

    def history_since(self, day: date) -> date:
        """The earliest date of earlier aid that any limit needs to decide a request dated `day`."""
        earliest = day
        for item in self.items():
            for limit in item.limits:
                if limit.window is not None:
                    earliest = min(earliest, limit.window.range_for(day)[0])
        return earliest
