"""A policy folder's own examples (`mandaat rules test`), in the manner of OpenFisca's YAML tests.

Every `*.yaml` file in the folder `tests/` beside the rule files is a list of cases:

```yaml
- name: winterschoenen boven het maximum
  request: {date: "2026-11-23", theme: kleding, item: winterschoenen, amount: "75.00", ...}
  expect:
    outcome: escalate                  # approve | escalate
    reasons:                           # the exact set of rule ids, in any order (none for approve)
      - kleding.winterschoenen.amount_per_request
    parameters: {winterschoenen_max: "60.00"}   # optional: values used on the request date
```

`request` is what `mandaat decide` reads, written in YAML: amounts are quoted texts ("75.00"), dates
YYYY-MM-DD. A malformed file or case is reported as `path:line:column: message`, never as a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rules.decision import Decision, Outcome
from rules.errors import EngineError, LoadError
from rules.evaluation import evaluate
from rules.loader import load_policy
from rules.model import GENERAL_RULES, Policy, SourceRef
from rules.money import MoneyFormatError, parse_cents
from rules.request import DecisionRequest, RequestError, parse_request
from rules.source import MappingNode, Node, ScalarNode, SequenceNode, parse_yaml

EXAMPLES_FOLDER = "tests"
_CASE_KEYS = ("name", "request", "expect")
_EXPECT_KEYS = ("outcome", "reasons", "parameters")


@dataclass(frozen=True, slots=True)
class Example:
    name: str
    request: DecisionRequest
    outcome: Outcome
    reasons: frozenset[str]
    parameters: Mapping[str, str]
    source: SourceRef


@dataclass(frozen=True, slots=True)
class CaseResult:
    example: Example
    differences: tuple[str, ...]  # empty when the decision is as expected
    decision: Decision | None = None

    @property
    def passed(self) -> bool:
        return not self.differences


@dataclass(frozen=True, slots=True)
class ExamplesReport:
    policy_version: str
    files: tuple[str, ...]
    results: tuple[CaseResult, ...] = ()
    problems: tuple[LoadError, ...] = field(default=())  # malformed example files and cases

    @property
    def failed(self) -> tuple[CaseResult, ...]:
        return tuple(result for result in self.results if not result.passed)

    @property
    def passed(self) -> bool:
        """True when there is at least one example, every one passed and no file had a problem."""
        return bool(self.results) and not self.failed and not self.problems

    def details(self, folder: Path | None = None) -> list[str]:
        """Every problem and every failed case, with what differs: lines for a terminal. Paths are relative
        to the policy folder, or start with `folder` when given."""

        def where(path: str, line: int, column: int) -> str:
            return f"{folder / path if folder is not None else path}:{line}:{column}"

        lines = [f"{where(p.path, p.line, p.column)}: {p.message}" for p in self.problems]
        for result in self.failed:
            source = result.example.source
            lines.append(f"FAIL {where(source.path, source.line, source.column)}: {result.example.name}")
            lines.extend(f"    {difference}" for difference in result.differences)
        return lines

    def summary(self) -> str:
        if not self.files:
            return f"no examples: write them in {EXAMPLES_FOLDER}/*.yaml beside the rule files"
        failed = len(self.failed)
        text = f"{_plural(len(self.results), 'example')} in {_plural(len(self.files), 'file')}: "
        text += f"{len(self.results) - failed} passed" + (f", {failed} failed" if failed else "")
        if self.problems:
            text += f", {_plural(len(self.problems), 'problem')} in the example files"
        return f"{text} (policy {self.policy_version})"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def example_files(folder: Path) -> list[Path]:
    return sorted((folder / EXAMPLES_FOLDER).glob("*.yaml"))


def run_examples(folder: Path | str, policy: Policy | None = None) -> ExamplesReport:
    """Run the examples of a policy folder against its policy (loaded from the folder unless given).

    Raises `PolicyError` when the policy itself cannot be loaded.
    """
    folder = Path(folder)
    if policy is None:
        policy = load_policy(folder)
    files = example_files(folder)
    results: list[CaseResult] = []
    problems: list[LoadError] = []
    for path in files:
        examples, errors = read_examples(path, path.relative_to(folder).as_posix())
        problems.extend(errors)
        for example in examples:
            try:
                decision = evaluate(policy, example.request)
            except EngineError as error:
                results.append(CaseResult(example, (f"the rule engine failed: {error}",)))
                continue
            results.append(CaseResult(example, compare(example, decision, policy), decision))
    relative = tuple(path.relative_to(folder).as_posix() for path in files)
    return ExamplesReport(policy.version, relative, tuple(results), tuple(sorted(problems)))


def compare(example: Example, decision: Decision, policy: Policy) -> tuple[str, ...]:
    """What differs between the expectation and the decision, in words; empty when nothing does."""
    differences: list[str] = []
    if decision.outcome is not example.outcome:
        differences.append(f"outcome: expected {example.outcome.value}, got {decision.outcome.value}")
    given = {reason.rule: reason for reason in decision.reasons}
    known = _rule_ids(policy)
    for rule in sorted(example.reasons - given.keys()):
        hint = "" if rule in known or rule.startswith("general.") else " (this policy has no such rule)"
        differences.append(f"missing reason: {rule}{hint}")
    for rule in sorted(given.keys() - example.reasons):
        differences.append(f"unexpected reason: {rule} — {given[rule].text_nl}")
    for name, expected in example.parameters.items():
        got = decision.parameters.get(name)
        if got is None:
            differences.append(f"parameter {name}: expected {expected}, but the decision did not use it")
        elif not _same_value(expected, got):
            differences.append(f"parameter {name}: expected {expected}, got {got}")
    return tuple(differences)


def _same_value(expected: str, got: str) -> bool:
    if expected == got:
        return True
    try:
        return parse_cents(expected) == parse_cents(got)
    except MoneyFormatError:
        return False


def _rule_ids(policy: Policy) -> set[str]:
    ids = set(GENERAL_RULES)
    for item in policy.items():
        ids.add(item.delegation_rule_id)
        ids.update(limit.rule_id for limit in item.limits)
    return ids


# --- reading an examples file ---------------------------------------------------------------------------


def read_examples(path: Path, shown_path: str) -> tuple[list[Example], list[LoadError]]:
    """The cases of one examples file and the problems found; `shown_path` is the path used in messages."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return [], [LoadError(shown_path, 1, 1, f"cannot read the file: {error.strerror}")]
    tree, errors = parse_yaml(data, shown_path)
    if tree is None:
        return [], errors
    if not isinstance(tree, SequenceNode):
        return [], [
            *errors,
            _error(tree.ref, "an examples file is a list of cases, each starting with '- name:'"),
        ]
    examples: list[Example] = []
    names: dict[str, SourceRef] = {}
    for node in tree.items:
        name = node.get("name") if isinstance(node, MappingNode) else None
        if isinstance(name, ScalarNode) and name.text in names:
            first = names[name.text].line
            errors.append(_error(node.ref, f'duplicate case name "{name.text}" (also on line {first})'))
            continue
        if isinstance(name, ScalarNode):
            names[name.text] = node.ref
        example = _read_case(node, errors)
        if example is not None:
            examples.append(example)
    return examples, sorted(errors)


def _read_case(node: Node, errors: list[LoadError]) -> Example | None:
    if not isinstance(node, MappingNode):
        errors.append(_error(node.ref, "a case is a mapping with the keys name, request and expect"))
        return None
    count = len(errors)
    _check_keys(node, _CASE_KEYS, _CASE_KEYS, "a case", errors)
    name_node = node.get("name")
    name = name_node.text.strip() if isinstance(name_node, ScalarNode) else ""
    if name_node is not None and not name:
        errors.append(_error(name_node.ref, "name: must be a short text naming the case"))
    request = _read_request(node.get("request"), errors)
    expect = node.get("expect")
    outcome, reasons, parameters = _read_expect(expect, errors) if expect is not None else (None, None, None)
    if len(errors) > count or request is None or outcome is None or reasons is None or parameters is None:
        return None
    return Example(name, request, outcome, reasons, parameters, node.ref)


def _check_keys(
    node: MappingNode, allowed: tuple[str, ...], required: tuple[str, ...], what: str, errors: list[LoadError]
) -> None:
    for key, _ in node.entries:
        if key.text not in allowed:
            errors.append(
                _error(key.ref, f'unknown key "{key.text}" in {what}; allowed: {", ".join(allowed)}')
            )
    missing = [key for key in required if node.get(key) is None]
    if missing:
        errors.append(_error(node.ref, f"{what} needs {', '.join(missing)}"))


def _read_request(node: Node | None, errors: list[LoadError]) -> DecisionRequest | None:
    if node is None:
        return None
    try:
        return parse_request(_to_json(node))
    except RequestError as error:
        for where, message in error.problems:
            target = node if where == "request" else _locate(node, where)
            label = "request" if where == "request" else f"request.{where}"
            errors.append(_error(target.ref, f"{label}: {message}"))
        return None


def _read_expect(
    node: Node, errors: list[LoadError]
) -> tuple[Outcome | None, frozenset[str] | None, Mapping[str, str] | None]:
    if not isinstance(node, MappingNode):
        errors.append(_error(node.ref, "expect: must be a mapping with outcome and reasons"))
        return None, None, None
    _check_keys(node, _EXPECT_KEYS, ("outcome",), "expect", errors)
    outcome: Outcome | None = None
    outcome_node = node.get("outcome")
    if isinstance(outcome_node, ScalarNode) and outcome_node.text in ("approve", "escalate"):
        outcome = Outcome(outcome_node.text)
    elif outcome_node is not None:
        never = (
            " (the engine never refuses: a refusal is the committee's)"
            if _text(outcome_node) == "refuse"
            else ""
        )
        errors.append(_error(outcome_node.ref, f"expect.outcome: must be approve or escalate{never}"))
    reasons = _read_reasons(node.get("reasons"), errors)
    if outcome is Outcome.APPROVE and reasons:
        errors.append(_error(node.ref, "expect: an approved request has no reasons; leave reasons out"))
    if outcome is Outcome.ESCALATE and reasons is not None and not reasons:
        errors.append(_error(node.ref, "expect: an escalation has at least one reason; list its rule ids"))
    return outcome, reasons, _read_parameters(node.get("parameters"), errors)


def _read_reasons(node: Node | None, errors: list[LoadError]) -> frozenset[str] | None:
    if node is None:
        return frozenset()
    if not isinstance(node, SequenceNode):
        errors.append(_error(node.ref, "expect.reasons: must be a list of rule ids"))
        return None
    rules: set[str] = set()
    for entry in node.items:
        if not isinstance(entry, ScalarNode) or not entry.text or entry.is_null:
            errors.append(
                _error(entry.ref, "expect.reasons: each entry is a rule id, e.g. kleding.x.delegation")
            )
        elif entry.text in rules:
            errors.append(_error(entry.ref, f"expect.reasons: {entry.text} is listed twice"))
        else:
            rules.add(entry.text)
    return frozenset(rules)


def _read_parameters(node: Node | None, errors: list[LoadError]) -> Mapping[str, str] | None:
    if node is None:
        return {}
    if not isinstance(node, MappingNode):
        errors.append(_error(node.ref, 'expect.parameters: must map parameter names to values ("60.00")'))
        return None
    values: dict[str, str] = {}
    for key, value in node.entries:
        if not isinstance(value, ScalarNode) or value.is_null:
            errors.append(_error(value.ref, f"expect.parameters.{key.text}: must be a single value"))
        else:
            values[key.text] = value.text
    return values


def _text(node: Node) -> str:
    return node.text if isinstance(node, ScalarNode) else ""


# --- YAML as the JSON that `mandaat decide` reads -----------------------------------------------------------


def _to_json(node: Node) -> Any:
    """The value JSON would have: unquoted numbers, true/false and null are typed; everything else (dates
    included) stays text, so that `amount: 55.00` is refused like the JSON number 55.00 would be."""
    if isinstance(node, MappingNode):
        return {key.text: _to_json(value) for key, value in node.entries}
    if isinstance(node, SequenceNode):
        return [_to_json(item) for item in node.items]
    if node.quoted:
        return node.text
    try:
        value = yaml.safe_load(node.text)
    except yaml.YAMLError:
        return node.text
    return value if value is None or isinstance(value, bool | int | float) else node.text


_PATH_PART = re.compile(r"[^.\[\]]+|\[(\d+)\]")


def _locate(node: Node, where: str) -> Node:
    """The node a request field path such as `history[0].amount` points at, or the nearest one above it."""
    for match in _PATH_PART.finditer(where):
        if match.group(1) is not None and isinstance(node, SequenceNode):
            index = int(match.group(1))
            if index >= len(node.items):
                break
            node = node.items[index]
        elif isinstance(node, MappingNode):
            found = next((value for key, value in node.entries if key.text == match.group(0)), None)
            if found is None:
                break
            node = found
        else:
            break
    return node


def _error(ref: SourceRef, message: str) -> LoadError:
    return LoadError(ref.path, ref.line, ref.column, message)
