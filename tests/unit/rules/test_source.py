"""Reading YAML with positions: raw scalars, 1-based places, and everything the reader refuses."""

from __future__ import annotations

from datetime import date

import pytest

from rules.errors import LoadError
from rules.model import SourceRef, Text
from rules.source import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    TreeReader,
    parse_yaml,
)


def tree_of(text: str) -> Node:
    tree, errors = parse_yaml(text.encode(), "f.yaml")
    assert errors == []
    assert tree is not None
    return tree


def errors_of(data: str | bytes) -> list[LoadError]:
    _, errors = parse_yaml(data.encode() if isinstance(data, str) else data, "f.yaml")
    assert errors
    return errors


def scalar(tree: Node, *path: str) -> ScalarNode:
    node: Node | None = tree
    for key in path:
        assert isinstance(node, MappingNode)
        node = node.get(key)
    assert isinstance(node, ScalarNode)
    return node


def test_scalars_keep_their_raw_text_and_never_become_floats_dates_or_booleans() -> None:
    tree = tree_of("a: 60.00\nb: 2024-01-01\nc: yes\nd: 010\ne: null\nf: '60.5'\n")
    assert [scalar(tree, key).text for key in "abcdef"] == [
        "60.00",
        "2024-01-01",
        "yes",
        "010",
        "null",
        "60.5",
    ]
    assert [scalar(tree, key).quoted for key in "abcdef"] == [False] * 5 + [True]


def test_positions_are_one_based_lines_and_columns() -> None:
    tree = tree_of("# comment\nitems:\n  shoes:\n    title: {nl: Schoenen}\n")
    assert isinstance(tree, MappingNode)
    items = tree.get("items")
    assert isinstance(items, MappingNode)
    assert items.entries[0][0].ref == SourceRef("f.yaml", 3, 3)
    assert scalar(tree, "items", "shoes", "title", "nl").ref == SourceRef("f.yaml", 4, 17)


def test_sequences_and_mappings_keep_their_order() -> None:
    tree = tree_of("z: 1\na: [x, y]\nm: 2\n")
    assert isinstance(tree, MappingNode)
    assert tree.keys() == ("z", "a", "m")
    sequence = tree.get("a")
    assert isinstance(sequence, SequenceNode)
    assert [item.text for item in sequence.items if isinstance(item, ScalarNode)] == ["x", "y"]
    assert sequence.ref == SourceRef("f.yaml", 2, 4)


@pytest.mark.parametrize(
    ("line", "offset", "expected_column"),
    [
        ("k: beneficiary.age < 18\n", 16, 4 + 16),  # plain: the text starts at the scalar's column
        ('k: "beneficiary.age < 18"\n', 16, 4 + 16 + 1),  # quoted: one more for the opening quote
        ("k: 'beneficiary.age < 18'\n", 16, 4 + 16 + 1),
    ],
)
def test_ref_at_points_inside_a_verbatim_scalar(line: str, offset: int, expected_column: int) -> None:
    node = scalar(tree_of(line), "k")
    assert node.verbatim
    assert node.ref_at(offset) == SourceRef("f.yaml", 1, expected_column)


@pytest.mark.parametrize(
    "text",
    [
        'k: "a \\"b\\" < 1"\n',  # escapes change the length
        "k: 'it''s < 1'\n",
        "k: a <\n  1\n",  # folded over two lines
        "k: |\n  a < 1\n",  # block scalar
    ],
)
def test_ref_at_falls_back_to_the_scalar_when_not_verbatim(text: str) -> None:
    node = scalar(tree_of(text), "k")
    assert not node.verbatim
    assert node.ref_at(3) == node.ref


def test_null_scalars() -> None:
    tree = tree_of("a:\nb: ~\nc: null\nd: ''\ne: 'null'\n")
    assert [scalar(tree, key).is_null for key in "abcde"] == [True, True, True, False, False]


@pytest.mark.parametrize(
    ("data", "line", "column", "message"),
    [
        ("a: 1\nb: 2\na: 3\n", 3, 1, 'duplicate key "a" (first written on line 1)'),
        ('a: 1\n"a": 3\n', 2, 1, 'duplicate key "a"'),
        ("? [a, b]\n: 1\n", 1, 3, "a key must be a name"),
        ("a: &x 1\n", 1, 4, "anchors (&name) are not allowed"),
        ("a: [1]\nb: *x\n", 2, 4, "aliases (*name) are not allowed"),
        ("a: !!str 1\n", 1, 4, 'tags such as "tag:yaml.org,2002:str" are not allowed'),
        ("a: !custom 1\n", 1, 4, "tags such as"),
        ("a: [1, 2\n", 2, 1, "invalid YAML"),
        ("a: b: c\n", 1, 5, "invalid YAML: mapping values are not allowed here"),
        ("a: 1\n---\nb: 2\n", 2, 1, "expected a single document"),
        ("", 1, 1, "the file is empty"),
        ("# only a comment\n", 1, 1, "the file is empty"),
        ("a: x\x07y\n", 1, 5, "the control character U+0007 is not allowed"),
        (b"a: 1\nb: caf\xe9\n", 2, 7, "not UTF-8"),
    ],
)
def test_refused(data: str | bytes, line: int, column: int, message: str) -> None:
    [error] = errors_of(data)
    assert (error.path, error.line, error.column) == ("f.yaml", line, column)
    assert message in error.message


def test_a_duplicate_key_keeps_the_rest_of_the_file() -> None:
    tree, errors = parse_yaml(b"a: 1\na: 2\nb: 3\n", "f.yaml")
    assert len(errors) == 1
    assert isinstance(tree, MappingNode)
    assert tree.keys() == ("a", "b")
    assert scalar(tree, "a").text == "1"


def test_billion_laughs_is_refused_before_anything_is_expanded() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, 10):
        lines.append(f"{chr(97 + index)}: &{chr(97 + index)} [{', '.join(['*' + chr(96 + index)] * 9)}]")
    [error] = errors_of("\n".join(lines))
    assert "anchors" in error.message


def test_nesting_deeper_than_the_limit_is_refused_without_recursion_errors() -> None:
    assert tree_of("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1))
    [error] = errors_of("[" * 100_000 + "]" * 100_000)
    assert f"deeper than {MAX_DEPTH}" in error.message
    [error] = errors_of("a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert (error.line, error.column) == (1, 4 + MAX_DEPTH - 1)


def test_files_over_the_size_limit_are_refused() -> None:
    [error] = errors_of(b"a: " + b"x" * MAX_FILE_BYTES)
    assert (error.line, error.column) == (1, 1)
    assert "larger than 1024 KiB" in error.message


def test_a_byte_order_mark_is_accepted() -> None:
    tree, errors = parse_yaml("\ufeffa: 1\n".encode(), "f.yaml")
    assert errors == []
    assert tree is not None
    assert scalar(tree, "a").ref == SourceRef("f.yaml", 1, 4)


# --- TreeReader -----------------------------------------------------------------------------------------


def read(text: str) -> tuple[TreeReader, MappingNode]:
    tree = tree_of(text)
    assert isinstance(tree, MappingNode)
    return TreeReader(), tree


def field(tree: MappingNode, key: str) -> Node:
    node = tree.get(key)
    assert node is not None
    return node


@pytest.mark.parametrize(
    ("value", "cents"),
    [('"60.00"', 6000), ("'60.5'", 6050), ('"60"', 6000), ("60", 6000), ("0", 0), ('"0.01"', 1)],
)
def test_amounts(value: str, cents: int) -> None:
    reader, tree = read(f"v: {value}\n")
    assert reader.amount(field(tree, "v"), "v") == cents
    assert reader.errors == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("60.5", 'v: YAML reads 60.5 as a fraction; write the amount as "60.50"'),
        ("60.00", 'v: YAML reads 60.00 as a fraction; write the amount as "60.00"'),
        ('"60.005"', 'v: "60.005" is not an amount'),
        ('"-1.00"', "v cannot be negative"),
        ("[1]", 'v must be an amount in quotes, such as "60.00"'),
        ("sixty", "v must be an amount in quotes"),
        ("060", "v must be an amount in quotes"),
    ],
)
def test_amounts_refused(value: str, message: str) -> None:
    reader, tree = read(f"v: {value}\n")
    assert reader.amount(field(tree, "v"), "v") is None
    [error] = reader.errors
    assert message in error.message
    assert (error.line, error.column) == (1, 4)


@pytest.mark.parametrize(
    ("value", "expected"), [("0", 0), ("18", 18), ('"18"', None), ("1.5", None), ("-1", None)]
)
def test_whole_numbers(value: str, expected: int | None) -> None:
    reader, tree = read(f"v: {value}\n")
    assert reader.whole_number(field(tree, "v"), "v") == expected
    assert len(reader.errors) == (expected is None)


def test_a_quoted_whole_number_gets_a_hint() -> None:
    reader, tree = read('v: "18"\n')
    reader.whole_number(field(tree, "v"), "v")
    assert reader.errors[0].message == "v must be a whole number, 0 or more; write 18 without quotes"


@pytest.mark.parametrize(
    ("key", "expected"),
    [("2024-01-01", date(2024, 1, 1)), ("2024-02-30", None), ("2024-1-1", None), ("20240101", None)],
)
def test_dates(key: str, expected: date | None) -> None:
    reader, tree = read(f"{key}: 1\n")
    assert reader.date(tree.entries[0][0]) == expected


def test_texts() -> None:
    reader, tree = read("a: {nl: Schoenen, en: Shoes}\nb: {nl: Schoenen}\nc: Schoenen\nd: {en: x}\n")
    assert reader.text(field(tree, "a"), "a") == Text("Schoenen", "Shoes")
    assert reader.text(field(tree, "b"), "b") == Text("Schoenen")
    assert reader.text(field(tree, "c"), "c") is None
    assert reader.text(field(tree, "d"), "d") is None
    assert [(e.line, e.message) for e in reader.errors] == [
        (3, "c must be written per language, as {nl: …, en: …}"),
        (4, 'missing key "nl" in d'),
    ]


def test_check_keys_names_unknown_and_missing_keys() -> None:
    reader, tree = read("title: x\nlimts: []\n")
    reader.check_keys(tree, ("title", "delegated_when", "limits"), ("title", "delegated_when"), 'item "x"')
    assert [str(error) for error in reader.errors] == [
        'f.yaml:2:1: unknown key "limts" in item "x"; allowed: title, delegated_when, limits',
        'f.yaml:1:1: missing key "delegated_when" in item "x"',
    ]


@pytest.mark.parametrize(("value", "valid"), [("kleding", True), ("vrije_tijd2", True), ("Kleding", False)])
def test_identifiers(value: str, valid: bool) -> None:
    reader, tree = read(f"{value}: 1\n")
    assert (reader.identifier(tree.entries[0][0], "theme id") is not None) is valid


@pytest.mark.parametrize("value", ["2x", "_x", "x-y", "x y", "'é'"])
def test_identifiers_refused(value: str) -> None:
    reader, tree = read(f"v: {value}\n")
    assert reader.identifier(field(tree, "v"), "item id") is None
    assert "is not a valid item id" in reader.errors[0].message
