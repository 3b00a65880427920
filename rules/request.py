"""The request as it arrives at the edge (JSON for `mandaat decide`), validated strictly.

Extra keys are refused, amounts are decimal strings with at most two decimals (never JSON numbers), dates are
ISO calendar dates. Every error names the field at fault.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from rules.money import parse_cents


def _cents(value: object) -> int:
    if not isinstance(value, str):
        raise ValueError('an amount must be a decimal string such as "55.00", not a number')
    return parse_cents(value)


def _strict_date(value: object) -> object:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value) if len(value) == 10 else _bad_date(value)
        except ValueError:
            _bad_date(value)
    if isinstance(value, date):
        return value
    raise ValueError("a date must be written as YYYY-MM-DD")


def _bad_date(value: str) -> date:
    raise ValueError(f'"{value}" is not a date; write YYYY-MM-DD')


Cents = Annotated[int, BeforeValidator(_cents)]
Day = Annotated[date, BeforeValidator(_strict_date)]
Key = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
Word = Annotated[str, Field(min_length=1, max_length=64)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Member(_Strict):
    id: Key
    birth_date: Day
    relation: Word | None = None


class Beneficiary(_Strict):
    id: Key
    birth_date: Day
    relation: Word | None = None


class Household(_Strict):
    id: Key
    members: list[Member] = Field(min_length=1, max_length=50)
    income_band: Word | None = None


class HistoryEntry(_Strict):
    """Earlier approved aid of this household."""

    date: Day
    theme: Word
    item: Word
    amount: Cents = Field(ge=0)
    quantity: int = Field(default=1, ge=1, le=1000, strict=True)
    beneficiary_id: Key
    dossier_id: Key | None = None


class EnvelopeState(_Strict):
    available: Cents
    frozen: bool = False


class Caseworker(_Strict):
    mandate_ceiling: Cents | None = Field(default=None, ge=0)


class DecisionRequest(_Strict):
    date: Day
    theme: Word
    item: Word
    amount: Cents = Field(gt=0)
    quantity: int = Field(default=1, ge=1, le=1000, strict=True)
    beneficiary: Beneficiary
    household: Household
    history: list[HistoryEntry] = Field(default_factory=list, max_length=10_000)
    envelope: EnvelopeState
    caseworker: Caseworker | None = None
    dossier_id: Key | None = None

    @model_validator(mode="after")
    def _consistent(self) -> DecisionRequest:
        if self.beneficiary.birth_date > self.date:
            raise ValueError("beneficiary.birth_date: is after the request date")
        if self.beneficiary.id not in {m.id for m in self.household.members}:
            raise ValueError("beneficiary.id: is not one of household.members")
        return self


class RequestError(ValueError):
    """A request that cannot be decided; `problems` holds (field, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{where}: {what}" for where, what in problems))


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "request"


def parse_request(data: Any) -> DecisionRequest:
    """Validate decoded JSON into a request, or raise RequestError naming every bad field."""
    if not isinstance(data, dict):
        raise RequestError([("request", "must be a JSON object")])
    try:
        return DecisionRequest.model_validate(data)
    except ValidationError as error:
        problems: list[tuple[str, str]] = []
        for detail in error.errors(include_url=False):
            message = str(detail["msg"]).removeprefix("Value error, ")
            where = _field_path(tuple(detail["loc"]))
            if ": " in message and where == "request":
                where, message = message.split(": ", 1)
            if detail["type"] == "extra_forbidden":
                message = "is not a known field"
            problems.append((where, message))
        raise RequestError(problems) from None
