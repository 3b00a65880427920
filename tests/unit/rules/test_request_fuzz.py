"""Fuzzing the request parser: whatever comes in, `parse_request` and `parse_request_json` give a
DecisionRequest or raise RequestError naming the field at fault — never another exception.

Inputs: random JSON values, valid requests mutated (keys deleted or added, values of the wrong type, huge
numbers, deep nesting, odd unicode), and random bytes or text for the JSON variant.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules.request import DecisionRequest, RequestError, parse_request, parse_request_json

FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

VALID: dict[str, Any] = {
    "date": "2026-11-23",
    "theme": "kleding",
    "item": "winterschoenen",
    "amount": "55.00",
    "quantity": 1,
    "beneficiary": {"id": "k1", "birth_date": "2018-05-01", "relation": "kind"},
    "household": {
        "id": "h1",
        "members": [{"id": "k1", "birth_date": "2018-05-01"}, {"id": "p1", "birth_date": "1985-06-15"}],
        "income_band": "laag",
    },
    "history": [
        {
            "date": "2026-10-15",
            "theme": "kleding",
            "item": "winterschoenen",
            "amount": "50.00",
            "quantity": 1,
            "beneficiary_id": "k1",
            "dossier_id": "d1",
        }
    ],
    "envelope": {"available": "1200.00", "frozen": False},
    "caseworker": {"mandate_ceiling": "250.00"},
    "dossier_id": "d1",
}

#: Every field a request has, lists written with `[]`: an error names one of these (or the request).
FIELDS = frozenset(
    {
        "request",
        "date",
        "theme",
        "item",
        "amount",
        "quantity",
        "beneficiary",
        "beneficiary.id",
        "beneficiary.birth_date",
        "beneficiary.relation",
        "household",
        "household.id",
        "household.members",
        "household.members[]",
        "household.members[].id",
        "household.members[].birth_date",
        "household.members[].relation",
        "household.income_band",
        "history",
        "history[]",
        "history[].date",
        "history[].theme",
        "history[].item",
        "history[].amount",
        "history[].quantity",
        "history[].beneficiary_id",
        "history[].dossier_id",
        "envelope",
        "envelope.available",
        "envelope.frozen",
        "caseworker",
        "caseworker.mandate_ceiling",
        "dossier_id",
    }
)
_INDEX = re.compile(r"\[\d+\]")
_ODD_TEXT = st.sampled_from(
    ["", " ", "\x00", "\ud800", "\ufeff", "é", "€", "🧦", "\u202e", "a" * 10_000, "null", "55,00", "1e3"]
)
_HUGE = st.sampled_from([10**12, 10**100, -(10**100), 2**63, -(2**63) - 1, 1e308, -1e-308, 0.1])


def _named(problems: list[tuple[str, str]]) -> None:
    """Every problem names a field of a request (or, for an unknown key, the key under a known field)."""
    assert problems
    for where, what in problems:
        assert isinstance(where, str)
        assert where
        assert isinstance(what, str)
        assert what
        if what != "is not a known field":  # an unknown key is named as given, whatever it is
            assert _INDEX.sub("[]", where) in FIELDS, (where, what)


def outcome(data: Any) -> DecisionRequest | RequestError:
    try:
        return parse_request(data)
    except RequestError as error:
        _named(error.problems)
        return error


def outcome_json(text: bytes | str) -> DecisionRequest | RequestError:
    try:
        return parse_request_json(text)
    except RequestError as error:
        _named(error.problems)
        return error


def _same(first: DecisionRequest | RequestError, second: DecisionRequest | RequestError) -> None:
    """Both entry points give the same answer for the same JSON: the request, or errors naming the same
    fields (the messages of JSON errors give columns, which depend on how the JSON was written)."""
    if isinstance(first, RequestError) or isinstance(second, RequestError):
        assert isinstance(first, RequestError)
        assert isinstance(second, RequestError)
        assert [where for where, _ in first.problems] == [where for where, _ in second.problems]
    else:
        assert first == second


# --- random JSON values -----------------------------------------------------------------------------------

KEYS = st.sampled_from(sorted({path.split(".")[-1].rstrip("[]") for path in FIELDS})) | st.text(max_size=6)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    _ODD_TEXT,
    _HUGE,
    st.sampled_from(["2026-11-23", "2026-02-30", "55.00", "-1.00", "0.00", "k1", "kleding", "1e400"]),
)
JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=6),
    max_leaves=40,
)


@FUZZ
@given(JSON_VALUES)
def test_random_json_values_are_decided_or_refused(data: Any) -> None:
    found = outcome(data)
    if isinstance(data, dict):
        try:
            text = json.dumps(data, ensure_ascii=False).encode("utf-8", "surrogatepass")
        except ValueError:
            return
        _same(found, outcome_json(text))


# --- valid requests, mutated ------------------------------------------------------------------------------


def _containers(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path to every dict and list inside `node` (itself included), down to 8 levels."""
    found = [path]
    if len(path) >= 8:
        return found
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, child in children:
        if isinstance(child, dict | list):
            found.extend(_containers(child, (*path, key)))
    return found


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


def _deep(depth: int, leaf: Any) -> Any:
    for level in range(depth):
        leaf = [leaf] if level % 2 else {"x": leaf}
    return leaf


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(VALID)
    for _ in range(draw(st.integers(1, 4))):
        container = _at(data, draw(st.sampled_from(_containers(data))))
        keys = list(container) if isinstance(container, dict) else list(range(len(container)))
        operation = draw(st.sampled_from(["delete", "replace", "add", "deep", "odd", "huge", "swap"]))
        if operation == "add" or not keys:
            if isinstance(container, dict):
                container[draw(KEYS)] = draw(JSON_VALUES)
            else:
                container.append(draw(JSON_VALUES))
            continue
        key = draw(st.sampled_from(keys))
        if operation == "delete":
            del container[key]
        elif operation == "replace":
            container[key] = draw(JSON_VALUES)
        elif operation == "deep":
            container[key] = _deep(draw(st.integers(10, 3000)), container[key])
        elif operation == "odd":
            container[key] = draw(_ODD_TEXT | st.text(st.characters(codec="utf-8"), max_size=30))
        elif operation == "huge":
            container[key] = draw(_HUGE | st.integers(10**15, 10**40).map(str))
        else:
            other = draw(st.sampled_from(keys))
            container[key], container[other] = container[other], container[key]
    return data


@FUZZ
@given(mutated())
def test_mutated_valid_requests_are_decided_or_refused(data: dict[str, Any]) -> None:
    found = outcome(data)
    try:
        text = json.dumps(data)
    except (ValueError, RecursionError):
        return
    _same(found, outcome_json(text))
    _same(found, outcome_json(text.encode("utf-8")))


def test_the_valid_request_is_valid() -> None:
    """The base the mutations start from is decided (so a refusal of a mutation is the mutation's doing)."""
    assert isinstance(outcome(VALID), DecisionRequest)
    assert isinstance(outcome_json(json.dumps(VALID)), DecisionRequest)


# --- random bytes and text for the JSON variant -----------------------------------------------------------

_VALID_TEXT = json.dumps(VALID)


@FUZZ
@given(st.binary(max_size=300) | st.builds(lambda cut: _VALID_TEXT[:cut].encode(), st.integers(0, 500)))
def test_random_bytes_are_refused(data: bytes) -> None:
    outcome_json(data)


@FUZZ
@given(
    st.text(max_size=200)
    | st.builds(
        lambda at, junk: _VALID_TEXT[:at] + junk + _VALID_TEXT[at:],
        st.integers(0, len(_VALID_TEXT)),
        st.text(st.sampled_from('{}[]",:0123456789.-eE \\u\ud800nultrefas'), max_size=8),
    )
)
def test_random_and_damaged_json_text_is_decided_or_refused(text: str) -> None:
    outcome_json(text)
