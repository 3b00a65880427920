"""What every resource's schemas share: amounts as decimal strings, ids, calendar dates, texts, reasons,
problems.

Request bodies are strict (`Body`): a number where an amount is expected, a string where a number is, or a
field nobody asked for is refused with the field named, never coerced. Free texts are `Text` and its kin: line
breaks made LF, control characters refused as the domain refuses them (`envelopes.domain.text`).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from envelopes.domain.text import LINE_PATTERN, LINES_PATTERN, control_character, refusal_text, with_lf
from rules.decision import Reason
from rules.money import Money

AMOUNT_PATTERN = r"^[0-9]{1,9}(\.[0-9]{1,2})?$"
SIGNED_AMOUNT_PATTERN = r"^-?[0-9]{1,9}(\.[0-9]{1,2})?$"
FIGURE_PATTERN = r"^-?[0-9]{1,15}\.[0-9]{2}$"  # what the API writes: always two decimals
ID_PATTERN = r"^[0-9a-f]{32}$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


MAX_UNKNOWN_FIELDS = 10_000
"""More fields nobody asked for than this are refused as one error, not one each: making hundreds of thousands
of errors would hold the server for a second or more."""


class Body(BaseModel):
    """A request body: strict types, no unknown fields."""

    model_config = ConfigDict(strict=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _not_too_many_unknown_fields(cls, data: Any) -> Any:
        if isinstance(data, dict) and len(data) > MAX_UNKNOWN_FIELDS:
            unknown = [key for key in data if key not in cls.model_fields]
            if len(unknown) > MAX_UNKNOWN_FIELDS:
                raise PydanticCustomError(
                    "too_many_fields",
                    "{count} fields this request does not take, such as {first}",
                    {"count": len(unknown), "first": ", ".join(map(str, unknown[:3]))},
                )
        return data


class Public(BaseModel):
    """A response body."""


def _amount(pattern: str) -> Any:
    compiled = re.compile(pattern)

    def parse(value: object) -> Money:
        if not isinstance(value, str):
            raise PydanticCustomError(
                "amount_type", 'an amount is a decimal string such as "55.00", never a number'
            )
        if not compiled.fullmatch(value):
            raise PydanticCustomError(
                "amount_format",
                'an amount is written as euros with at most two decimals, such as "55.00"'
                + ("" if pattern.startswith("^-") else ", not negative"),
            )
        return Money.parse(value)

    return parse


def _iso_date(value: object) -> date:
    if isinstance(value, str) and re.fullmatch(DATE_PATTERN, value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("date_format", "a date is written YYYY-MM-DD, such as 2026-11-23")


Amount = Annotated[
    Money,
    PlainValidator(_amount(AMOUNT_PATTERN)),
    WithJsonSchema({"type": "string", "pattern": AMOUNT_PATTERN, "examples": ["55.00"]}),
]
"""An amount in a request: a decimal string, at most two decimals, not negative."""

SignedAmount = Annotated[
    Money,
    PlainValidator(_amount(SIGNED_AMOUNT_PATTERN)),
    WithJsonSchema({"type": "string", "pattern": SIGNED_AMOUNT_PATTERN, "examples": ["250.00", "-100.00"]}),
]
"""An amount in a request that may be negative (an adjustment: a top-up or a reduction)."""

Figure = Annotated[str, Field(pattern=FIGURE_PATTERN, examples=["55.00"])]
"""An amount in a response: a decimal string with two decimals."""

IsoDate = Annotated[
    date,
    PlainValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "examples": ["2026-11-23"]}),
]
"""A calendar date in a request (Europe/Brussels), YYYY-MM-DD."""

Id = Annotated[str, Field(pattern=ID_PATTERN, examples=["9f1c2d3e4b5a69788796a5b4c3d2e1f0"])]


def _with_lf(value: object) -> object:
    return with_lf(value) if isinstance(value, str) else value


def _no_control_characters(*, lines: bool) -> Any:
    def check(value: str) -> str:
        found = control_character(value, lines=lines)
        if found is not None:
            raise PydanticCustomError("control_character", refusal_text(*found, lines=lines))
        return value

    return check


_LF = BeforeValidator(_with_lf)
_IN_LINES = AfterValidator(_no_control_characters(lines=True))
_IN_A_LINE = AfterValidator(_no_control_characters(lines=False))
_LINES = Field(json_schema_extra={"pattern": LINES_PATTERN})
_LINE = Field(json_schema_extra={"pattern": LINE_PATTERN})

# The lengths are the string's own (checked after the line breaks are made LF, with str's own messages).
Text = Annotated[Annotated[str, Field(min_length=1, max_length=2000)], _LF, _IN_LINES, _LINES]
"""A free text with lines (a justification, a reason): line breaks made LF; no control but TAB and LF."""
OptionalText = Annotated[Annotated[str, Field(max_length=2000)], _LF, _IN_LINES, _LINES]
LongText = Annotated[Annotated[str, Field(min_length=1, max_length=10_000)], _LF, _IN_LINES, _LINES]
Line = Annotated[Annotated[str, Field(min_length=1, max_length=64)], _LF, _IN_A_LINE, _LINE]
"""One line of text (a team, a user id): no control character but TAB, no line break."""


def figure(amount: Money) -> str:
    return str(amount)


class ReasonPublic(Public):
    """Why a request escalated: the rule, its text (Dutch, and English), the legal basis, the numbers."""

    rule: str = Field(examples=["kleding.winterschoenen.amount_per_request"])
    text: str = Field(description="in Dutch")
    text_en: str
    basis: str
    figures: dict[str, str]

    @classmethod
    def of(cls, reason: Reason) -> ReasonPublic:
        return cls(
            rule=reason.rule,
            text=reason.text_nl,
            text_en=reason.text_en,
            basis=reason.basis,
            figures=dict(sorted(reason.figures.items())),
        )


class FieldError(Public):
    field: str = Field(description='the field at fault, e.g. "amount" or "members[0].birth_date"')
    location: str = Field(description="body, query, path or header")
    message: str


class Problem(Public):
    """An error, as RFC 9457 problem details (`application/problem+json`)."""

    type: str = Field(
        description="stable: a URN per kind of problem", examples=["urn:mandaat:problem:not-found"]
    )
    title: str
    status: int
    detail: str
    code: str = Field(description="the same kind of problem as `type`, as one word")
    errors: list[FieldError] | None = Field(
        default=None, description="for invalid input: each field at fault (the first 20)"
    )
    more_errors: int | None = Field(
        default=None, description="how many more fields at fault there were than `errors` lists"
    )
    figures: dict[str, str] | None = Field(
        default=None, description="the numbers involved, e.g. an available balance"
    )
    retry_after: int | None = Field(default=None, description="for 429: seconds to wait (also Retry-After)")
    error: str | None = Field(
        default=None, description="at the token endpoint, the OAuth2 error code (RFC 6749): invalid_grant"
    )
