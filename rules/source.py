"""Read a rule file as YAML while keeping where every value was written.

PyYAML composes the file into nodes (never into Python values: `60.00` stays the text "60.00", `2024-01-01`
stays a text, not a date). Those nodes become a small tree of our own: mappings, sequences and scalars, each
with its `SourceRef`. Scalars keep their raw text and whether they were quoted.

Refused, as `LoadError`s: files over 1 MiB, bytes that are not UTF-8, YAML syntax errors, anchors and aliases
(no "billion laughs"), tags, keys that are not plain texts, duplicate keys, and nesting deeper than
`MAX_DEPTH`. Only a duplicate or non-text key leaves the rest of the file usable; the others stop reading it.

`TreeReader` reads typed values (texts, ids, amounts, dates) out of the tree, collecting every problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Protocol, TypeAlias, cast

import yaml

from rules.errors import LoadError
from rules.model import SourceRef, Text
from rules.money import MoneyFormatError, parse_cents

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 20
ID = re.compile(r"[a-z][a-z0-9_]*")
TEXT_KEYS = ("nl", "en")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WHOLE = re.compile(r"0|[1-9]\d{0,11}")
_DECIMAL = re.compile(r"\d+\.\d*")


@dataclass(frozen=True, slots=True)
class ScalarNode:
    """A value as written: `text` is the raw text; `quoted` is False only for a plain (unquoted) scalar."""

    text: str
    quoted: bool
    ref: SourceRef
    verbatim: bool = False  # written on one line exactly as `text` (plus its quotes), so columns map 1:1

    @property
    def is_null(self) -> bool:
        """Nothing written (`key:`), or YAML's words for nothing."""
        return not self.quoted and self.text in ("", "~", "null", "Null", "NULL")

    def ref_at(self, offset: int) -> SourceRef:
        """Where the character at `offset` in `text` was written (the scalar's start if not verbatim)."""
        if not self.verbatim or not 0 <= offset <= len(self.text):
            return self.ref
        return SourceRef(self.ref.path, self.ref.line, self.ref.column + offset + (1 if self.quoted else 0))


@dataclass(frozen=True, slots=True)
class SequenceNode:
    items: tuple[Node, ...]
    ref: SourceRef


@dataclass(frozen=True, slots=True)
class MappingNode:
    """Keys in the order written; every key is a scalar and appears once."""

    entries: tuple[tuple[ScalarNode, Node], ...]
    ref: SourceRef

    def get(self, key: str) -> Node | None:
        for name, value in self.entries:
            if name.text == key:
                return value
        return None

    def keys(self) -> tuple[str, ...]:
        return tuple(name.text for name, _ in self.entries)


Node: TypeAlias = ScalarNode | SequenceNode | MappingNode


class _Mark(Protocol):
    """PyYAML's position of a node or an error (0-based)."""

    @property
    def line(self) -> int: ...

    @property
    def column(self) -> int: ...


class _Refused(Exception):
    """Stops composing: something this reader never accepts, at a YAML mark."""

    def __init__(self, mark: _Mark | None, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader's composer, refusing anchors, aliases and tags and limiting the nesting depth."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = cast(yaml.Event, self.peek_event())  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(
                event.start_mark, "aliases (*name) are not allowed in rule files; write the value out"
            )
        if isinstance(event, yaml.NodeEvent) and event.anchor is not None:
            raise _Refused(
                event.start_mark, "anchors (&name) are not allowed in rule files; write the value out"
            )
        tag = getattr(event, "tag", None)
        if tag is not None:
            raise _Refused(event.start_mark, f'tags such as "{tag}" are not allowed in rule files')
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(event.start_mark, f"nesting is deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def parse_yaml(data: bytes, path: str) -> tuple[Node | None, list[LoadError]]:
    """The tree of one rule file's bytes, and the errors found. The tree is None when the file is unusable."""
    if len(data) > MAX_FILE_BYTES:
        return None, [LoadError(path, 1, 1, f"the file is larger than {MAX_FILE_BYTES // 1024} KiB")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column = _byte_position(data, error.start)
        return None, [LoadError(path, line, column, "the file is not UTF-8 text (save it as UTF-8)")]
    try:
        composed = yaml.compose(text, Loader=_StrictLoader)
    except _Refused as refused:
        return None, [_at_mark(path, refused.mark, refused.message)]
    except yaml.MarkedYAMLError as error:
        return None, [_at_mark(path, error.problem_mark or error.context_mark, _syntax_message(error))]
    except yaml.reader.ReaderError as error:
        line, column = _text_position(text, int(error.position))
        code = error.character if isinstance(error.character, int) else ord(str(error.character)[:1] or "\0")
        return None, [LoadError(path, line, column, f"the control character U+{code:04X} is not allowed")]
    except yaml.YAMLError as error:
        return None, [LoadError(path, 1, 1, f"invalid YAML: {error}")]
    if composed is None:
        return None, [LoadError(path, 1, 1, "the file is empty")]
    errors: list[LoadError] = []
    return _convert(composed, path, errors), errors


def _convert(node: yaml.Node, path: str, errors: list[LoadError]) -> Node:
    ref = _ref(path, node.start_mark)
    if isinstance(node, yaml.MappingNode):
        entries: list[tuple[ScalarNode, Node]] = []
        seen: dict[str, SourceRef] = {}
        for key_node, value_node in node.value:
            key = _convert(key_node, path, errors)
            if not isinstance(key, ScalarNode):
                errors.append(_error(key.ref, "a key must be a name, not a list or a mapping"))
                continue
            if key.text in seen:
                first = seen[key.text]
                errors.append(
                    _error(key.ref, f'duplicate key "{key.text}" (first written on line {first.line})')
                )
                continue
            seen[key.text] = key.ref
            entries.append((key, _convert(value_node, path, errors)))
        return MappingNode(tuple(entries), ref)
    if isinstance(node, yaml.SequenceNode):
        return SequenceNode(tuple(_convert(item, path, errors) for item in node.value), ref)
    text = str(node.value)
    style = getattr(node, "style", None)
    quoted = style is not None
    return ScalarNode(text, quoted, ref, _is_verbatim(node, text, style))


def _is_verbatim(node: yaml.Node, text: str, style: str | None) -> bool:
    start, end = node.start_mark, node.end_mark
    if start is None or end is None or start.line != end.line or style not in (None, "'", '"'):
        return False
    quotes = 0 if style is None else 2
    return end.index - start.index == len(text) + quotes


def _ref(path: str, mark: _Mark | None) -> SourceRef:
    if mark is None:
        return SourceRef(path, 1, 1)
    return SourceRef(path, mark.line + 1, mark.column + 1)


def _error(ref: SourceRef, message: str) -> LoadError:
    return LoadError(ref.path, ref.line, ref.column, message)


def _at_mark(path: str, mark: _Mark | None, message: str) -> LoadError:
    return _error(_ref(path, mark), message)


def _syntax_message(error: yaml.MarkedYAMLError) -> str:
    parts = [part for part in (error.context, error.problem) if part]
    return "invalid YAML: " + (", ".join(parts) if parts else "syntax error")


def _byte_position(data: bytes, index: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, index) + 1
    column = len(data[line_start:index].decode("utf-8", errors="replace")) + 1
    return data.count(b"\n", 0, index) + 1, column


def _text_position(text: str, index: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


class TreeReader:
    """Reads values out of a tree; every problem goes to `errors` (with its place) and reading goes on.

    `where` names the thing being read in messages, e.g. 'item "winterschoenen"'.
    """

    def __init__(self) -> None:
        self.errors: list[LoadError] = []

    def error(self, ref: SourceRef, message: str) -> None:
        self.errors.append(LoadError(ref.path, ref.line, ref.column, message))

    def mapping(self, node: Node | None, where: str) -> MappingNode | None:
        if node is None or isinstance(node, MappingNode):
            return node
        self.error(node.ref, f"{where} must be a mapping of keys to values")
        return None

    def check_keys(
        self, node: MappingNode, allowed: tuple[str, ...], required: tuple[str, ...], where: str
    ) -> None:
        for key, _ in node.entries:
            if key.text not in allowed:
                self.error(key.ref, f'unknown key "{key.text}" in {where}; allowed: {", ".join(allowed)}')
        for name in required:
            if node.get(name) is None:
                self.error(node.ref, f'missing key "{name}" in {where}')

    def string(self, node: Node | None, where: str) -> str | None:
        if node is None:
            return None
        if not isinstance(node, ScalarNode):
            self.error(node.ref, f"{where} must be a text, not a list or a mapping")
            return None
        if node.is_null or not node.text.strip():
            self.error(node.ref, f"{where} is empty")
            return None
        return node.text

    def identifier(self, node: Node, what: str) -> str | None:
        if not isinstance(node, ScalarNode) or not ID.fullmatch(node.text):
            shown = f'"{node.text}"' if isinstance(node, ScalarNode) else "this"
            message = (
                f"{shown} is not a valid {what}: use lower-case letters, digits and _, starting with a letter"
            )
            self.error(node.ref, message)
            return None
        return node.text

    def text(self, node: Node | None, where: str) -> Text | None:
        """A text `{nl: …, en: …}`: `nl` is required, `en` optional, nothing else allowed."""
        if node is None:
            return None
        if not isinstance(node, MappingNode):
            self.error(node.ref, f"{where} must be written per language, as {{nl: …, en: …}}")
            return None
        mapping = node
        self.check_keys(mapping, TEXT_KEYS, ("nl",), where)
        nl = self.string(mapping.get("nl"), f"{where} (nl)")
        en = self.string(mapping.get("en"), f"{where} (en)")
        return Text(nl, en) if nl is not None else None

    def whole_number(self, node: Node, where: str) -> int | None:
        """A plain (unquoted) whole number, 0 or more."""
        if isinstance(node, ScalarNode) and not node.quoted and _WHOLE.fullmatch(node.text):
            return int(node.text)
        hint = f"; write {node.text} without quotes" if isinstance(node, ScalarNode) and node.quoted else ""
        self.error(node.ref, f"{where} must be a whole number, 0 or more{hint}")
        return None

    def amount(self, node: Node, where: str) -> int | None:
        """Cents, from a quoted amount such as "60.00" or a plain whole number of euros such as 60.

        A plain 60.5 or 60.00 is refused: YAML reads it as a fraction, so it must be quoted.
        """
        if isinstance(node, ScalarNode) and node.quoted:
            try:
                cents = parse_cents(node.text)
            except MoneyFormatError:
                self.error(node.ref, f'{where}: "{node.text}" is not an amount; write euros such as "60.00"')
                return None
            if cents < 0:
                self.error(node.ref, f"{where} cannot be negative")
                return None
            return cents
        if isinstance(node, ScalarNode) and _WHOLE.fullmatch(node.text):
            return int(node.text) * 100
        if isinstance(node, ScalarNode) and _DECIMAL.fullmatch(node.text):
            whole, _, decimals = node.text.partition(".")
            written = f'"{whole}.{decimals.ljust(2, "0")}"'
            self.error(
                node.ref, f"{where}: YAML reads {node.text} as a fraction; write the amount as {written}"
            )
            return None
        self.error(node.ref, f'{where} must be an amount in quotes, such as "60.00"')
        return None

    def date(self, node: ScalarNode) -> date | None:
        """A calendar date written YYYY-MM-DD."""
        try:
            return date.fromisoformat(node.text) if _DATE.fullmatch(node.text) else None
        except ValueError:
            return None
