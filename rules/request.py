"""The request as it arrives at the edge (JSON for `mandaat decide`), validated strictly.

Extra keys are refused, amounts are decimal strings with at most two decimals (never JSON numbers), dates are
ISO calendar dates, booleans and counts are JSON's own. Every error names the field at fault.

The shape is checked by pydantic-core against typed-dictionary schemas (in Rust, straight from JSON bytes
when they are given), then turned into small immutable records with amounts in cents; the checks that span
fields come last. A request is read thousands of times a second in a replay, so this path is kept lean.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from pydantic_core import PydanticSerializationError, SchemaValidator, ValidationError, to_json
from pydantic_core import core_schema as schema

from rules.money import parse_cents

_MONEY = r"^-?\d{1,12}(\.\d{1,2})?$"
_MONEY_FIELDS = frozenset({"amount", "available", "mandate_ceiling"})


# The shape as pydantic-core schemas: what pydantic builds from typed dictionaries, written out, since
# importing pydantic itself costs more at the start of `mandaat decide` than a thousand decisions. Every
# record refuses extra keys and strips the whitespace around its texts; the titles are the ones errors carry.
_MONEY_TEXT = schema.str_schema(pattern=_MONEY)
_DAY = schema.date_schema(strict=True)
_KEY = schema.str_schema(pattern=r"^[A-Za-z0-9_.:-]+$", max_length=64, min_length=1)
_WORD = schema.str_schema(max_length=64, min_length=1)
_COUNT = schema.int_schema(ge=1, le=1000, strict=True)
_FLAG = schema.bool_schema(strict=True)


def _typed_dict(name: str, ref: str | None = None, **fields: schema.TypedDictField) -> schema.TypedDictSchema:
    config = schema.CoreConfig(title=name, extra_fields_behavior="forbid", str_strip_whitespace=True)
    return schema.typed_dict_schema(fields, cls_name=name, extra_behavior="forbid", ref=ref, config=config)


def _required(field: schema.CoreSchema) -> schema.TypedDictField:
    return schema.typed_dict_field(field, required=True)


def _optional(field: schema.CoreSchema, default: object = None) -> schema.TypedDictField:
    """A field that may be left out; the schema then fills in `default` (so a record is built by indexing)."""
    return schema.typed_dict_field(schema.with_default_schema(field, default=default), required=False)


_PERSON = _typed_dict(
    "_Person",
    ref="person",
    id=_required(_KEY),
    birth_date=_required(_DAY),
    relation=_optional(schema.nullable_schema(_WORD)),
)
_A_PERSON = schema.definition_reference_schema("person")
_HOUSEHOLD = _typed_dict(
    "_Household",
    id=_required(_KEY),
    members=_required(schema.list_schema(_A_PERSON, min_length=1, max_length=50)),
    income_band=_optional(schema.nullable_schema(_WORD)),
)
_HISTORY_ENTRY = _typed_dict(
    "_HistoryEntry",
    date=_required(_DAY),
    theme=_required(_WORD),
    item=_required(_WORD),
    amount=_required(_MONEY_TEXT),
    quantity=_optional(_COUNT, 1),
    beneficiary_id=_required(_KEY),
    dossier_id=_optional(schema.nullable_schema(_KEY)),
)
_ENVELOPE = _typed_dict("_Envelope", available=_required(_MONEY_TEXT), frozen=_optional(_FLAG, False))
_CASEWORKER = _typed_dict("_Caseworker", mandate_ceiling=_optional(schema.nullable_schema(_MONEY_TEXT)))
_REQUEST = _typed_dict(
    "_Request",
    date=_required(_DAY),
    theme=_required(_WORD),
    item=_required(_WORD),
    amount=_required(_MONEY_TEXT),
    quantity=_optional(_COUNT, 1),
    beneficiary=_required(_A_PERSON),
    household=_required(_HOUSEHOLD),
    history=_optional(schema.list_schema(_HISTORY_ENTRY, max_length=10_000), ()),
    envelope=_required(_ENVELOPE),
    caseworker=_optional(schema.nullable_schema(_CASEWORKER)),
    dossier_id=_optional(schema.nullable_schema(_KEY)),
)
_SHAPE = SchemaValidator(schema.definitions_schema(_REQUEST, [_PERSON]), schema.CoreConfig(title="_Request"))


class Member(NamedTuple):
    id: str
    birth_date: date
    relation: str | None = None


class Beneficiary(NamedTuple):
    id: str
    birth_date: date
    relation: str | None = None


class Household(NamedTuple):
    id: str
    members: tuple[Member, ...]
    income_band: str | None = None


class HistoryEntry(NamedTuple):
    """Earlier approved aid of this household."""

    date: date
    theme: str
    item: str
    amount: int  # cents
    beneficiary_id: str
    quantity: int = 1
    dossier_id: str | None = None


class EnvelopeState(NamedTuple):
    available: int  # cents
    frozen: bool = False


class Caseworker(NamedTuple):
    mandate_ceiling: int | None = None  # cents


class DecisionRequest(NamedTuple):
    date: date
    theme: str
    item: str
    amount: int  # cents, > 0
    beneficiary: Beneficiary
    household: Household
    envelope: EnvelopeState
    quantity: int = 1
    history: tuple[HistoryEntry, ...] = ()
    caseworker: Caseworker | None = None
    dossier_id: str | None = None


class RequestError(ValueError):
    """A request that cannot be decided; `problems` holds (field, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{where}: {what}" for where, what in problems))


def parse_request(data: Any) -> DecisionRequest:
    """Validate decoded JSON into a request, or raise RequestError naming every bad field.

    The data is read with JSON's rules (as if it had just been decoded), so that every caller gets the same
    answer as `mandaat decide` and the HTTP API."""
    if not isinstance(data, dict):
        raise RequestError([("request", "must be a JSON object")])
    try:
        text = to_json(data)
    except PydanticSerializationError:
        raise RequestError([("request", "must hold JSON values only")]) from None
    return parse_request_json(text)


def parse_request_json(text: bytes | str) -> DecisionRequest:
    """Like `parse_request`, straight from JSON text (faster: no intermediate Python objects)."""
    try:
        return _build(_SHAPE.validate_json(text))
    except ValidationError as error:
        problems = _problems(error)
        if any(where == "request" and "JSON" in what for where, what in problems):
            raise RequestError([problems[0]]) from None
        raise RequestError(problems) from None


#: `tuple.__new__(Record, values)` is what a NamedTuple's own `__new__` does once it has its arguments; called
#: directly it skips a Python-level call per record, and a request has a record per member and history line.
_record = tuple.__new__
_cents_of: dict[str, int] = {}


def _cents(text: str) -> int:
    """The cents of an amount the schema has checked, kept per text: the same amounts come back often."""
    found = _cents_of.get(text)
    if found is None:
        if len(_cents_of) >= 65_536:
            _cents_of.clear()
        found = _cents_of[text] = parse_cents(text)
    return found


def _build(raw: dict[str, Any]) -> DecisionRequest:
    problems: list[tuple[str, str]] = []
    amount = _cents(raw["amount"])
    if amount <= 0:
        problems.append(("amount", "must be greater than 0"))
    person = raw["beneficiary"]
    beneficiary = _record(Beneficiary, (person["id"], person["birth_date"], person["relation"]))
    household = raw["household"]
    members = tuple(
        [_record(Member, (m["id"], m["birth_date"], m["relation"])) for m in household["members"]]
    )
    history = tuple(
        [
            _record(
                HistoryEntry,
                (
                    entry["date"],
                    entry["theme"],
                    entry["item"],
                    _cents(entry["amount"]),
                    entry["beneficiary_id"],
                    entry["quantity"],
                    entry["dossier_id"],
                ),
            )
            for entry in raw["history"]
        ]
    )
    for index, line in enumerate(history):
        if line.amount < 0:
            problems.append((f"history[{index}].amount", "must not be negative"))
    envelope = raw["envelope"]
    caseworker = raw["caseworker"]
    ceiling = caseworker["mandate_ceiling"] if caseworker is not None else None
    ceiling_cents = _cents(ceiling) if ceiling is not None else None
    if ceiling_cents is not None and ceiling_cents < 0:
        problems.append(("caseworker.mandate_ceiling", "must not be negative"))
    day = raw["date"]
    if beneficiary.birth_date > day:
        problems.append(("beneficiary.birth_date", "is after the request date"))
    for member in members:
        if member.id == beneficiary.id:
            break
    else:
        problems.append(("beneficiary.id", "is not one of household.members"))
    if problems:
        raise RequestError(problems)
    return _record(
        DecisionRequest,
        (
            day,
            raw["theme"],
            raw["item"],
            amount,
            beneficiary,
            _record(Household, (household["id"], members, household["income_band"])),
            _record(EnvelopeState, (_cents(envelope["available"]), envelope["frozen"])),
            raw["quantity"],
            history,
            _record(Caseworker, (ceiling_cents,)) if caseworker is not None else None,
            raw["dossier_id"],
        ),
    )


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "request"


def _problems(error: ValidationError) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for detail in error.errors(include_url=False):
        loc = tuple(detail["loc"])
        where, kind, given = _field_path(loc), detail["type"], detail.get("input")
        message = str(detail["msg"])
        if kind == "extra_forbidden":
            message = "is not a known field"
        elif kind == "json_invalid":
            message = f"not valid JSON: {detail.get('ctx', {}).get('error', message)}"
        elif kind == "model_type" or (kind == "dict_type" and not loc):
            where, message = "request", "must be a JSON object"
        elif loc and loc[-1] in _MONEY_FIELDS and kind in ("string_type", "string_pattern_mismatch"):
            message = (
                'an amount must be a decimal string such as "55.00", not a number'
                if kind == "string_type"
                else f'"{given}" is not an amount: write euros with at most two decimals, such as "55.00"'
            )
        elif kind.startswith("date_"):
            message = f'"{given}" is not a date; write YYYY-MM-DD'
        problems.append((where, message))
    return problems
