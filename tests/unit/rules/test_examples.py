"""A policy folder's examples: the demo's pass, wrong expectations fail with a readable diff, malformed files
are reported as path:line:column."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from rules.examples import ExamplesReport, read_examples, run_examples
from rules.policies import DEMO_POLICY

REQUEST = """\
  request:
    date: "2026-11-23"
    theme: kleding
    item: winterschoenen
    amount: "{amount}"
    beneficiary: {{id: k1, birth_date: "2018-05-01"}}
    household: {{id: h1, members: [{{id: k1, birth_date: "2018-05-01"}}]}}
    envelope: {{available: "1200.00", frozen: false}}
"""


def _case(name: str, amount: str, expect: str) -> str:
    """A case in YAML: the name on its line, the request on the next 8 lines, then expect."""
    return f"- name: {name}\n{REQUEST.format(amount=amount)}  expect:\n{textwrap.indent(expect, '    ')}\n"


@pytest.fixture
def policy_folder(tmp_path: Path) -> Path:
    """A copy of the demo's rule files, without its examples."""
    folder = tmp_path / "policy"
    shutil.copytree(DEMO_POLICY, folder, ignore=shutil.ignore_patterns("tests"))
    (folder / "tests").mkdir()
    return folder


def _run(folder: Path, text: str) -> ExamplesReport:
    (folder / "tests" / "cases.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return run_examples(folder)


def test_the_demo_examples_pass() -> None:
    report = run_examples(DEMO_POLICY)
    assert report.problems == ()
    assert report.failed == ()
    assert len(report.results) >= 13
    assert report.passed
    assert report.summary().startswith(
        f"{len(report.results)} examples in 1 file: {len(report.results)} passed"
    )


def test_the_demo_examples_cover_every_row_of_the_demo_table() -> None:
    report = run_examples(DEMO_POLICY)
    reasons = {rule for result in report.results for rule in result.example.reasons}
    items = {(r.example.request.theme, r.example.request.item) for r in report.results}
    assert {
        "kleding.winterschoenen.amount_per_request",
        "kleding.winterschoenen.count_per_beneficiary_winter_season",
        "kleding.winterschoenen.delegation",
        "onderwijs.schoolreis.sum_per_beneficiary_school_year",
        "huisvesting.huurwaarborg.delegation",
        "general.unknown_item",
        "general.mandate_ceiling",
        "general.envelope_cover",
        "general.envelope_frozen",
    } <= reasons
    assert {("kleding", "kinderkleding"), ("energie", "energiefactuur"), ("gezondheid", "apotheek")} <= items
    assert any(len(result.example.reasons) >= 4 for result in report.results)


def test_a_wrong_expectation_fails_with_what_differs(policy_folder: Path) -> None:
    text = _case("te duur", "75.00", 'outcome: approve\nparameters: {winterschoenen_max: "65.00"}')
    text += _case(
        "verkeerde reden",
        "75.00",
        "outcome: escalate\nreasons: [general.envelope_cover, kleding.typo.delegation]",
    )
    text += _case("goed", "55.00", "outcome: approve")
    report = _run(policy_folder, text)
    assert not report.passed
    assert [result.example.name for result in report.failed] == ["te duur", "verkeerde reden"]
    first, second = (result.differences for result in report.failed)
    assert first == (
        "outcome: expected approve, got escalate",
        "unexpected reason: kleding.winterschoenen.amount_per_request — "
        "€ 75,00 is meer dan het maximum van € 60,00 per paar winterschoenen",
        "parameter winterschoenen_max: expected 65.00, got 60.00",
    )
    assert second == (
        "missing reason: general.envelope_cover",
        "missing reason: kleding.typo.delegation (this policy has no such rule)",
        "unexpected reason: kleding.winterschoenen.amount_per_request — "
        "€ 75,00 is meer dan het maximum van € 60,00 per paar winterschoenen",
    )
    details = report.details(policy_folder)
    assert details[0] == f"FAIL {policy_folder / 'tests/cases.yaml'}:1:3: te duur"
    assert details[1] == "    outcome: expected approve, got escalate"
    assert report.summary().startswith("3 examples in 1 file: 1 passed, 2 failed")


def test_reasons_are_compared_as_a_set(policy_folder: Path) -> None:
    expect = "outcome: escalate\nreasons: [kleding.winterschoenen.amount_per_request]"
    report = _run(policy_folder, _case("volgorde", "75.00", expect))
    assert report.passed


def _problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "cases.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    _, errors = read_examples(path, "tests/cases.yaml")
    return [str(error) for error in errors]


def test_a_file_that_is_not_a_list(tmp_path: Path) -> None:
    assert _problems(tmp_path, "name: x\n") == [
        "tests/cases.yaml:1:1: an examples file is a list of cases, each starting with '- name:'"
    ]


def test_yaml_syntax_errors_name_the_line(tmp_path: Path) -> None:
    (problem,) = _problems(tmp_path, "- name: x\n  request: {date: \n- [\n")
    assert problem.startswith("tests/cases.yaml:3:")
    assert "invalid YAML" in problem


def test_a_request_field_is_located_at_its_line(tmp_path: Path) -> None:
    text = _case("getal", "55.00", "outcome: approve").replace('amount: "55.00"', "amount: 55.00")
    history = "history: [{date: 2026-10-15, theme: kleding, item: x, amount: 5, beneficiary_id: k1}]"
    text = text.replace("envelope: {", f"{history}\n    envelope: {{")
    not_a_number = 'an amount must be a decimal string such as "55.00", not a number'
    assert _problems(tmp_path, text) == [
        f"tests/cases.yaml:6:13: request.amount: {not_a_number}",
        f"tests/cases.yaml:9:67: request.history[0].amount: {not_a_number}",
    ]


def test_malformed_cases_are_all_reported(tmp_path: Path) -> None:
    text = _case("a", "55.00", "outcome: refuse\nwhy: test")
    text += _case("b", "55.00", "outcome: approve\nreasons: [general.envelope_cover]")
    text += _case("c", "55.00", "outcome: escalate")
    text += _case("c", "55.00", "outcome: approve")
    text += "- name: d\n  expect: {outcome: approve}\n  extra: 1\n- just a text\n"
    assert _problems(tmp_path, text) == [
        "tests/cases.yaml:11:14: expect.outcome: must be approve or escalate (the engine never refuses: "
        "a refusal is the committee's)",
        'tests/cases.yaml:12:5: unknown key "why" in expect; allowed: outcome, reasons, parameters',
        "tests/cases.yaml:23:5: expect: an approved request has no reasons; leave reasons out",
        "tests/cases.yaml:35:5: expect: an escalation has at least one reason; list its rule ids",
        'tests/cases.yaml:36:3: duplicate case name "c" (also on line 25)',
        "tests/cases.yaml:47:3: a case needs request",
        'tests/cases.yaml:49:3: unknown key "extra" in a case; allowed: name, request, expect',
        "tests/cases.yaml:50:3: a case is a mapping with the keys name, request and expect",
    ]


def test_yaml_values_are_read_as_json_would_be(tmp_path: Path) -> None:
    text = _case("typen", "55.00", "outcome: approve").replace("frozen: false", "frozen: no")
    text = text.replace("  expect:", "    quantity: 2\n  expect:")
    path = tmp_path / "cases.yaml"
    path.write_text(text, encoding="utf-8")
    (example,), errors = read_examples(path, "cases.yaml")
    assert errors == []
    assert example.request.envelope.frozen is False
    assert example.request.quantity == 2
    assert example.request.amount == 5500


def test_a_folder_without_examples_does_not_pass(policy_folder: Path) -> None:
    report = run_examples(policy_folder)
    assert not report.passed
    assert report.summary() == "no examples: write them in tests/*.yaml beside the rule files"
