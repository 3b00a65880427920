"""Fuzzing the loader: whatever is in the folder, it returns a Policy or raises PolicyError, nothing else."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules.errors import PolicyError
from rules.loader import load_policy
from rules.model import Policy

DEMO = Path(__file__).resolve().parents[3] / "rules" / "policies" / "demo"
DEMO_FILES = {path.name: path.read_text() for path in sorted(DEMO.glob("*.yaml"))}
GENERAL = DEMO_FILES["algemeen.yaml"]

FUZZ = settings(
    max_examples=300,
    deadline=2000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Characters that mean something to YAML, to our expression languages, or to a text decoder.
SPECIAL = ":-[]{}&*!|>'\"%@`#,?<=()\t\n\r\x00\x07\x85\ufeff\u2028é€ "
TOKENS = [
    *SPECIAL,
    "always",
    "never",
    " and ",
    " or ",
    "not ",
    "per ",
    "<=",
    "beneficiary.age",
    "request.amount",
    '"60.00"',
    "60.5",
    "2024-01-01",
    "&a",
    "*a",
    "!!str",
    "---",
    "\n  ",
    "{item}",
    "{",
    "mandaatplafond",
]


def yaml_ish(max_pieces: int) -> st.SearchStrategy[str]:
    """Text made of YAML-significant pieces, words of the rule language and any character."""
    return st.lists(st.sampled_from(TOKENS) | st.characters(), max_size=max_pieces).map("".join)


def outcome(files: dict[str, bytes]) -> Policy | PolicyError:
    """Load a folder holding `files`; anything but a Policy or a PolicyError fails the test."""
    with tempfile.TemporaryDirectory() as folder:
        for name, data in files.items():
            (Path(folder) / name).write_bytes(data)
        try:
            return load_policy(folder)
        except PolicyError as error:
            refused = error
    assert refused.errors
    for found in refused.errors:
        assert isinstance(found.path, str)
        assert found.line >= 0
        assert found.column >= 0
        assert found.message
    return refused


# --- (a) mutations of the demo policy -----------------------------------------------------------------------


@st.composite
def mutated_demo(draw: st.DrawFn) -> dict[str, bytes]:
    files = dict(DEMO_FILES)
    for _ in range(draw(st.integers(1, 4))):
        name = draw(st.sampled_from(sorted(files)))
        lines = files[name].split("\n")
        where = draw(st.integers(0, len(lines) - 1))
        other = draw(st.integers(0, len(lines) - 1))
        operation = draw(st.sampled_from(["delete", "duplicate", "swap", "character", "insert", "truncate"]))
        if operation == "delete":
            del lines[where]
        elif operation == "duplicate":
            lines.insert(other, lines[where])
        elif operation == "swap":
            lines[where], lines[other] = lines[other], lines[where]
        elif operation == "character":
            line = lines[where]
            column = draw(st.integers(0, len(line)))
            replacement = draw(st.sampled_from(TOKENS) | st.characters())
            lines[where] = line[:column] + replacement + line[column + draw(st.integers(0, 2)) :]
        elif operation == "insert":
            lines.insert(where, draw(yaml_ish(8)))
        text = "\n".join(lines)
        if operation == "truncate":
            text = text[: draw(st.integers(0, len(text)))]
        files[name] = text
    return {name: text.encode("utf-8", "surrogatepass") for name, text in files.items()}


@FUZZ
@given(mutated_demo())
def test_mutated_demo_files_load_or_are_refused(files: dict[str, bytes]) -> None:
    outcome(files)


# --- (b) random text, random bytes and random data dumped as YAML ------------------------------------------

KEYS = [
    "theme",
    "general",
    "title",
    "basis",
    "parameters",
    "items",
    "description",
    "unit",
    "reference",
    "values",
    "delegated_when",
    "limits",
    "note",
    "rule",
    "id",
    "text",
    "nl",
    "en",
    "mandate_ceiling",
    "2024-01-01",
    "kleding",
    "EUR",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(
        [
            "always",
            "never",
            "beneficiary.age < 18",
            "request.amount <= mandaatplafond",
            "amount per request <= mandaatplafond",
            "count per beneficiary per winter season <= 1",
            "sum of theme per household per rolling 90 days <= '1.00'",
            "EUR",
            "count",
            "years",
            "60.00",
            "{amount} {max} {oops}",
        ]
    ),
)
DATA: st.SearchStrategy[Any] = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)


def as_yaml(data: Any) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, default_flow_style=None).encode("utf-8", "surrogatepass")


@FUZZ
@given(yaml_ish(300))
def test_random_yaml_ish_text_loads_or_is_refused(text: str) -> None:
    outcome({"algemeen.yaml": GENERAL.encode(), "thema.yaml": text.encode("utf-8", "surrogatepass")})
    outcome({"algemeen.yaml": text.encode("utf-8", "surrogatepass")})


@FUZZ
@given(st.binary(max_size=200))
def test_random_bytes_load_or_are_refused(data: bytes) -> None:
    outcome({"algemeen.yaml": GENERAL.encode(), "thema.yaml": data})


@FUZZ
@given(
    st.fixed_dictionaries(
        {"theme": st.sampled_from(["kleding", "Kleding", ""]) | SCALARS},
        optional={"title": DATA, "basis": DATA, "parameters": DATA, "items": DATA, "x": DATA},
    ),
    DATA,
)
def test_random_data_dumped_as_yaml_loads_or_is_refused(theme: dict[str, Any], general: Any) -> None:
    outcome({"algemeen.yaml": GENERAL.encode(), "thema.yaml": as_yaml(theme)})
    outcome({"algemeen.yaml": as_yaml({"general": general, "parameters": general})})
