"""Load a policy folder into a `model.Policy`, or refuse it with every error at once.

`load_policy(folder)` reads every `*.yaml` directly in the folder (not `tests/`): exactly one general file
(top key `general`) and theme files (top key `theme`). It checks the whole format of rules/README.md, keeps
going after an error, and raises `PolicyError` with all errors as `path:line:column: message`. A policy is
returned only when nothing is wrong: it is never half-loaded. A policy larger than its `SizeLimits` (files,
bytes, entries: `rules.sizes`) is refused as soon as that is known, without reading the rest.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from rules.compiler import capacity_problems
from rules.conditions import UNIT_TYPES, ExpressionError, parse_condition
from rules.errors import LoadError, PolicyError
from rules.limit_sentences import parse_limit
from rules.model import (
    Bound,
    DatedValue,
    FactType,
    General,
    Item,
    Limit,
    Parameter,
    Policy,
    SourceRef,
    Text,
    Theme,
    Unit,
)
from rules.sizes import DEFAULT_LIMITS, SizeLimits, entries_of, kib, too_many_files
from rules.source import (
    ID,
    MAX_FILE_BYTES,
    TEXT_KEYS,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    TreeReader,
    parse_yaml,
)

PLACEHOLDERS = ("item", "amount", "max", "total", "used", "count", "window", "basis")
GENERAL_FILE_KEYS = ("general", "parameters")
THEME_FILE_KEYS = ("theme", "title", "basis", "parameters", "items")
GENERAL_KEYS = ("title", "basis", "mandate_ceiling")
PARAMETER_KEYS = ("description", "unit", "reference", "values")
ITEM_KEYS = ("title", "delegated_when", "limits", "basis", "note")
LIMIT_KEYS = ("rule", "id", "text")


def load_policy(folder: str | Path, limits: SizeLimits | None = DEFAULT_LIMITS) -> Policy:
    """The policy in `folder`; raises `PolicyError` with every error found. `limits`: how large it may be
    (None: only the format's own bound on a file, for a version that was stored already).

    Its version is the hex SHA-256 over the rule files in name order, each fed as
    `name NUL byte-length NUL bytes`; `Policy.files` holds each file's name and the SHA-256 of its bytes.
    """
    files = _read_folder(Path(folder), limits)
    digest = hashlib.sha256()
    for name, data in files:
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    reader = _PolicyReader(limits)
    policy = reader.read(files, digest.hexdigest(), str(folder))
    if policy is None or reader.errors:
        raise PolicyError(reader.errors or [LoadError(str(folder), 0, 0, "the policy is incomplete")])
    problems = [
        LoadError(ref.path, ref.line, ref.column, message) for ref, message in capacity_problems(policy)
    ]
    if problems:
        raise PolicyError(problems)
    return policy


def _read_folder(folder: Path, limits: SizeLimits | None) -> list[tuple[str, bytes]]:
    """The rule files of the folder, sorted by name, with their bytes: refused when there are more files,
    or more bytes in one or together, than `limits` allow (none of a file is read past its limit)."""
    if not folder.is_dir():
        raise PolicyError([LoadError(str(folder), 0, 0, "the policy folder does not exist")])
    paths = [path for path in sorted(folder.glob("*.yaml")) if path.is_file()]
    if limits is not None and len(paths) > limits.files:
        raise PolicyError([LoadError(str(folder), 0, 0, too_many_files(len(paths), limits.files))])
    per_file = MAX_FILE_BYTES if limits is None else limits.file_bytes
    files: list[tuple[str, bytes]] = []
    errors: list[LoadError] = []
    total = 0
    for path in paths:
        try:
            with path.open("rb") as handle:
                data = handle.read(per_file + 1)
        except OSError as error:
            errors.append(LoadError(path.name, 1, 1, f"the file cannot be read: {error.strerror}"))
            continue
        if len(data) > per_file:
            message = f"the file is larger than {kib(per_file)}, the most a rule file may hold"
            errors.append(LoadError(path.name, 1, 1, message))
            continue
        total += len(data)
        if limits is not None and total > limits.total_bytes:
            message = (
                f"the rule files are larger than {kib(limits.total_bytes)} together, the most a policy may "
                f"hold (from {path.name} on)"
            )
            raise PolicyError([*errors, LoadError(str(folder), 0, 0, message)])
        files.append((path.name, data))
    for path in sorted(folder.glob("*.yml")):  # never skip rules silently because of a file name
        errors.append(
            LoadError(path.name, 1, 1, f"rule files end in .yaml: rename {path.name} to {path.stem}.yaml")
        )
    if errors:
        raise PolicyError(errors)
    if not files:
        raise PolicyError([LoadError(str(folder), 0, 0, "the policy folder holds no rule files (*.yaml)")])
    return files


class _PolicyReader(TreeReader):
    """Reads the trees of all files; every problem goes to `errors` and reading goes on."""

    def __init__(self, limits: SizeLimits | None) -> None:
        super().__init__()
        self.limits = limits
        self.entries = 0  # counted while the files are parsed, against `limits.entries`
        self.units: dict[str, Unit | None] = {}  # every parameter declared; None when its unit is broken
        self.parameters: dict[str, Parameter] = {}
        self.defined_at: dict[str, SourceRef] = {}  # parameter name -> where it is defined
        self.theme_files: dict[str, str] = {}  # theme id -> its file
        self.types: Mapping[str, FactType | None] = {}  # parameter types for conditions, once all are read

    def read(self, files: list[tuple[str, bytes]], version: str, folder: str) -> Policy | None:
        general_files: list[tuple[str, MappingNode]] = []
        theme_files: list[tuple[str, MappingNode]] = []
        for name, data in files:
            tree, errors = parse_yaml(data, name)
            self.errors.extend(errors)
            if tree is not None and not self._within_limits(tree):
                return None
            kind = self._file_kind(tree) if tree is not None else None
            if isinstance(tree, MappingNode) and kind is not None:
                (general_files if kind == "general" else theme_files).append((name, tree))
        for _, tree in general_files + theme_files:
            self._parameters(tree.get("parameters"))
        self.types = {name: UNIT_TYPES[unit] if unit else None for name, unit in self.units.items()}
        general = self._general_files(general_files, folder)
        themes: dict[str, Theme] = {}
        for name, tree in theme_files:
            theme = self._theme(name, tree)
            if theme is not None and theme.key not in themes:
                themes[theme.key] = theme
        if general is None:
            return None
        return Policy(
            version=version,
            general=general,
            themes=MappingProxyType(themes),
            parameters=MappingProxyType(dict(self.parameters)),
            files=tuple((name, hashlib.sha256(data).hexdigest()) for name, data in files),
        )

    def _within_limits(self, tree: Node) -> bool:
        """Count the entries of one more file; past the limit, say where, and read no further."""
        if self.limits is None:
            return True
        for ref in entries_of(tree):
            self.entries += 1
            if self.entries > self.limits.entries:
                self.error(
                    ref,
                    f"the policy has more than {self.limits.entries} entries (items, their limits, "
                    "parameters and their dated values together), the most a policy may hold",
                )
                return False
        return True

    def _text(self, node: Node | None, where: str, placeholders: bool = False) -> Text | None:
        text = self.text(node, where)
        if placeholders and isinstance(node, MappingNode):
            for language in TEXT_KEYS:
                value = node.get(language)
                if isinstance(value, ScalarNode):
                    self._placeholders(value, where)
        return text

    def _placeholders(self, node: ScalarNode, where: str) -> None:
        allowed = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
        try:
            fields = [
                (name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(node.text)
            ]
        except ValueError:
            self.error(
                node.ref, f"{where}: a {{ or }} is not closed; write {{{{ or }}}} for the brace itself"
            )
            return
        for name, spec, conversion in fields:
            if name is not None and (name not in PLACEHOLDERS or spec or conversion):
                shown = (
                    "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
                )
                ref = node.ref_at(node.text.find("{" + name))
                self.error(ref, f'unknown placeholder "{shown}" in {where}; allowed: {allowed}')

    # --- files --------------------------------------------------------------------------------------------

    def _file_kind(self, tree: Node) -> str | None:
        kinds = [
            key for key in ("general", "theme") if isinstance(tree, MappingNode) and tree.get(key) is not None
        ]
        if len(kinds) == 1:
            return kinds[0]
        message = (
            "a rule file is either the general file or a theme file, not both"
            if kinds
            else 'a rule file starts with "general:" (the general file) or "theme:" (a theme file)'
        )
        self.error(tree.ref, message)
        return None

    def _general_files(self, files: list[tuple[str, MappingNode]], folder: str) -> General | None:
        if not files:
            self.errors.append(
                LoadError(folder, 0, 0, 'no general file: one rule file must start with "general:"')
            )
            return None
        first_name = files[0][0]
        for _, tree in files[1:]:
            self.error(tree.ref, f"a second general file; the general file is {first_name}")
        name, tree = files[0]
        self.check_keys(tree, GENERAL_FILE_KEYS, (), "the general file")
        node = self.mapping(tree.get("general"), '"general"')
        if node is None:
            return None
        self.check_keys(node, GENERAL_KEYS, GENERAL_KEYS, '"general"')
        title = self._text(node.get("title"), "the title")
        basis = self.string(node.get("basis"), "the basis")
        ceiling_node = node.get("mandate_ceiling")
        ceiling = self._ceiling(ceiling_node) if ceiling_node is not None else None
        if title is None or basis is None or ceiling is None:
            return None
        return General(title, basis, ceiling, name)

    def _ceiling(self, node: Node) -> Bound | None:
        where = 'mandate_ceiling (a parameter with unit EUR, or an amount such as "250.00")'
        if not isinstance(node, ScalarNode) or node.is_null:
            self.error(node.ref, f"{where} must be a text")
            return None
        if not node.quoted and ID.fullmatch(node.text):
            if node.text not in self.units:
                self.error(node.ref, f'unknown parameter "{node.text}" in mandate_ceiling')
                return None
            unit = self.units[node.text]
            if unit is not None and unit is not Unit.EUR:
                self.error(
                    node.ref, f'parameter "{node.text}" has unit "{unit.value}"; mandate_ceiling needs EUR'
                )
                return None
            return Bound(parameter=node.text)
        cents = self.amount(node, "mandate_ceiling")
        return Bound(value=cents) if cents is not None else None

    # --- parameters ---------------------------------------------------------------------------------------

    def _parameters(self, node: Node | None) -> None:
        mapping = self.mapping(node, '"parameters"')
        for key, value in mapping.entries if mapping is not None else ():
            name = self.identifier(key, "parameter name")
            if name is None:
                continue
            if name in self.defined_at:
                first = self.defined_at[name]
                self.error(key.ref, f'parameter "{name}" is already defined in {first.path}:{first.line}')
                continue
            self.defined_at[name] = key.ref
            self.units[name] = None
            self._parameter(key, value)

    def _parameter(self, key: ScalarNode, node: Node) -> None:
        where = f'parameter "{key.text}"'
        mapping = self.mapping(node, where)
        if mapping is None:
            return
        self.check_keys(mapping, PARAMETER_KEYS, PARAMETER_KEYS, where)
        description = self._text(mapping.get("description"), f"the description of {where}")
        reference = self.string(mapping.get("reference"), f"the reference of {where}")
        unit_node = mapping.get("unit")
        unit = None
        if unit_node is not None:
            units = {member.value: member for member in Unit}
            unit = units.get(unit_node.text) if isinstance(unit_node, ScalarNode) else None
            if unit is None:
                self.error(unit_node.ref, f"the unit of {where} must be one of: {', '.join(units)}")
        self.units[key.text] = unit
        values = self._values(mapping.get("values"), unit, where)
        if description is not None and unit is not None and reference is not None and values is not None:
            self.parameters[key.text] = Parameter(key.text, description, unit, reference, values, key.ref)

    def _values(self, node: Node | None, unit: Unit | None, where: str) -> tuple[DatedValue, ...] | None:
        mapping = self.mapping(node, f"the values of {where}")
        if mapping is None:
            return None
        if not mapping.entries:
            self.error(mapping.ref, f"{where} needs at least one dated value")
            return None
        values: list[DatedValue] = []
        complete = True
        for key, value in mapping.entries:
            day = self.date(key)
            if day is None:
                self.error(key.ref, f'"{key.text}" is not a date; write YYYY-MM-DD, such as 2024-01-01')
                complete = False
                continue
            if values and day <= values[-1].since:
                message = f"the dates of {where} must increase: {day} comes after {values[-1].since}"
                self.error(key.ref, message)
                complete = False
            number = self._value(value, unit, where) if unit is not None else None
            if number is None:
                complete = False
            else:
                values.append(DatedValue(day, number))
        return tuple(values) if complete else None

    def _value(self, node: Node, unit: Unit, where: str) -> int | None:
        if unit is Unit.EUR:
            return self.amount(node, f"a value of {where}")
        return self.whole_number(node, f'a value of {where} (unit "{unit.value}")')

    # --- themes, items and limits -------------------------------------------------------------------------

    def _theme(self, path: str, tree: MappingNode) -> Theme | None:
        self.check_keys(tree, THEME_FILE_KEYS, ("theme", "title", "basis", "items"), "a theme file")
        key_node = tree.get("theme")
        key = self.identifier(key_node, "theme id") if key_node is not None else None
        title = self._text(tree.get("title"), "the title of the theme")
        basis = self.string(tree.get("basis"), "the basis of the theme")
        items = self.mapping(tree.get("items"), '"items"')
        if key is not None and key_node is not None:
            if key in self.theme_files:
                self.error(key_node.ref, f'theme "{key}" is already defined in {self.theme_files[key]}')
                key = None
            else:
                self.theme_files[key] = path
        if items is not None and not items.entries:
            self.error(items.ref, "a theme needs at least one item")
        read_items: dict[str, Item] = {}
        for item_key, item_node in items.entries if items is not None else ():
            item = self._item(key or "", item_key, item_node, basis or "")
            if item is not None:
                read_items[item.key] = item
        if key is None or title is None or basis is None or items is None:
            return None
        return Theme(key, title, basis, MappingProxyType(read_items), path)

    def _item(self, theme: str, key_node: ScalarNode, node: Node, theme_basis: str) -> Item | None:
        key = self.identifier(key_node, "item id")
        where = f'item "{key_node.text}"'
        mapping = self.mapping(node, where)
        if mapping is None:
            return None
        self.check_keys(mapping, ITEM_KEYS, ("title", "delegated_when"), where)
        title = self._text(mapping.get("title"), f"the title of {where}")
        note = self._text(mapping.get("note"), f"the note of {where}")
        basis_node = mapping.get("basis")
        basis = self.string(basis_node, f"the basis of {where}") if basis_node is not None else theme_basis
        condition_node = mapping.get("delegated_when")
        condition = self.string(condition_node, f"delegated_when of {where}")
        parsed = None
        if condition is not None and isinstance(condition_node, ScalarNode):
            try:
                parsed = parse_condition(condition, self.types)
            except ExpressionError as error:
                for problem in error.problems:
                    self.error(condition_node.ref_at(problem.column), f"delegated_when: {problem.message}")
        limits = self._limits(mapping.get("limits"), f"{theme}.{key_node.text}", where)
        if (
            key is None
            or title is None
            or basis is None
            or condition is None
            or parsed is None
            or limits is None
        ):
            return None
        return Item(theme, key, title, parsed, condition, limits, basis, key_node.ref, note)

    def _limits(self, node: Node | None, prefix: str, where: str) -> tuple[Limit, ...] | None:
        if node is None:
            return ()
        if not isinstance(node, SequenceNode):
            self.error(node.ref, f'the limits of {where} must be a list ("- amount per request <= …")')
            return None
        limits: list[Limit] = []
        seen: dict[str, SourceRef] = {}
        complete = True
        for entry in node.items:
            limit = self._limit(entry, prefix, where)
            if limit is None:
                complete = False
                continue
            local_id = limit.rule_id.rsplit(".", 1)[1]
            if local_id in seen:
                message = f'duplicate limit id "{local_id}" in {where} (first on line {seen[local_id].line})'
                self.error(limit.source, f"{message}; give one of them its own id")
                complete = False
            seen[local_id] = limit.source
            limits.append(limit)
        return tuple(limits) if complete else None

    def _limit(self, node: Node, prefix: str, where: str) -> Limit | None:
        rule_node: Node | None = node
        local_id, text, complete = None, None, True
        if isinstance(node, MappingNode):
            self.check_keys(node, LIMIT_KEYS, ("rule",), f"a limit of {where}")
            rule_node = node.get("rule")
            id_node, text_node = node.get("id"), node.get("text")
            if id_node is not None:
                local_id = self.identifier(id_node, "limit id")
                complete = local_id is not None
            if text_node is not None:
                text = self._text(text_node, f"the text of a limit of {where}", placeholders=True)
                complete = complete and text is not None
        sentence = self.string(rule_node, f"a limit of {where}")
        if sentence is None or not isinstance(rule_node, ScalarNode):
            return None
        try:
            parsed = parse_limit(sentence, self.units)
        except ExpressionError as error:
            for problem in error.problems:
                self.error(rule_node.ref_at(problem.column), f"limit: {problem.message}")
            return None
        if not complete:
            return None
        return Limit(
            rule_id=f"{prefix}.{local_id or parsed.default_id}",
            measure=parsed.measure,
            scope=parsed.scope,
            bound=parsed.bound,
            source=rule_node.ref,
            subject=parsed.subject,
            window=parsed.window,
            text=text,
            expression=sentence,
        )
