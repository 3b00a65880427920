"""The request at the edge: strict, and every error names its field."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from rules.request import RequestError, parse_request

VALID: dict[str, Any] = {
    "date": "2026-11-23",
    "theme": "kleding",
    "item": "winterschoenen",
    "amount": "55.00",
    "beneficiary": {"id": "k1", "birth_date": "2018-05-01"},
    "household": {"id": "h1", "members": [{"id": "k1", "birth_date": "2018-05-01"}]},
    "history": [
        {
            "date": "2026-10-15",
            "theme": "kleding",
            "item": "winterschoenen",
            "amount": "50.00",
            "beneficiary_id": "k1",
        }
    ],
    "envelope": {"available": "1200.00", "frozen": False},
}


def _with(path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(VALID)
    node: Any = data
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is KeyError:
        del node[parts[-1]]
    else:
        node[parts[-1]] = value
    return data


def test_the_issue_example_is_valid() -> None:
    request = parse_request(VALID)
    assert request.amount == 5500
    assert request.history[0].amount == 5000


@pytest.mark.parametrize(
    ("path", "value", "field", "message"),
    [
        ("amount", 55.0, "amount", "decimal string"),
        ("amount", "55.001", "amount", "at most two decimals"),
        ("amount", "0.00", "amount", "greater than 0"),
        ("amount", KeyError, "amount", "Field required"),
        ("date", "23-11-2026", "date", "YYYY-MM-DD"),
        ("date", "2026-02-30", "date", "YYYY-MM-DD"),
        ("colour", "red", "colour", "not a known field"),
        ("beneficiary.birth_date", "2027-01-01", "beneficiary.birth_date", "after the request date"),
        ("beneficiary.id", "k9", "beneficiary.id", "not one of household.members"),
        ("history.0.amount", 50, "history[0].amount", "decimal string"),
        ("envelope.frozen", "nee", "envelope.frozen", "boolean"),
        ("household.members", [], "household.members", "at least 1"),
        ("quantity", "2", "quantity", "integer"),
    ],
)
def test_a_bad_field_is_named(path: str, value: Any, field: str, message: str) -> None:
    with pytest.raises(RequestError) as caught:
        parse_request(_with(path, value))
    assert any(where == field and message in what for where, what in caught.value.problems), (
        caught.value.problems
    )


def test_not_an_object() -> None:
    with pytest.raises(RequestError, match="JSON object"):
        parse_request([1, 2])
