"""The `mandaat` command line: `rules check|explain|test` and `decide`, through the installed console script
(a few cases) and Typer's CliRunner (the rest)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from api.cli import create_app
from rules.policies import DEMO_POLICY

MANDAAT = Path(sys.executable).parent / "mandaat"
DEMO = str(DEMO_POLICY)


def _request(**changes: Any) -> dict[str, Any]:
    """A request for winter shoes for an eight-year-old, with no earlier aid."""
    request: dict[str, Any] = {
        "date": "2026-11-23",
        "theme": "kleding",
        "item": "winterschoenen",
        "amount": "55.00",
        "beneficiary": {"id": "k1", "birth_date": "2018-05-01"},
        "household": {"id": "h1", "members": [{"id": "k1", "birth_date": "2018-05-01"}]},
        "history": [],
        "envelope": {"available": "1200.00", "frozen": False},
    }
    request.update(changes)
    return request


#: The example request of issue 3: its history holds a pair bought on 15 October 2026, the same winter.
ISSUE_EXAMPLE = _request(
    history=[
        {
            "date": "2026-10-15",
            "theme": "kleding",
            "item": "winterschoenen",
            "amount": "50.00",
            "beneficiary_id": "k1",
        }
    ]
)


def _run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    if not MANDAAT.exists():
        pytest.skip(f"the console script is not installed at {MANDAAT} (pip install -e .)")
    return subprocess.run(
        [str(MANDAAT), *args], input=stdin, capture_output=True, text=True, timeout=60, check=False
    )


def _invoke(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(create_app(), list(args), input=stdin)


@pytest.fixture
def broken_copy(tmp_path: Path) -> tuple[Path, int]:
    """A copy of the demo policy with one broken limit; also the line it is on."""
    folder = tmp_path / "kapot"
    shutil.copytree(DEMO_POLICY, folder)
    path = folder / "kleding.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, 1) if "per winter season <= 1" in line)
    lines[number - 1] = lines[number - 1].replace("per winter season", "per winter")
    path.write_text("".join(lines), encoding="utf-8")
    return folder, number


# --- through the installed console script ---------------------------------------------------------------


def test_check_passes_the_demo_policy() -> None:
    done = _run("rules", "check", DEMO)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"OK [0-9a-f]{64} — 6 themes, 7 items, 9 parameters\n", done.stdout)
    assert done.stderr == ""


def test_check_names_path_line_and_column_of_a_broken_copy(broken_copy: tuple[Path, int]) -> None:
    folder, line = broken_copy
    done = _run("rules", "check", str(folder))
    assert done.returncode == 1
    assert done.stdout == ""
    assert re.search(
        rf"^{re.escape(str(folder / 'kleding.yaml'))}:{line}:\d+: .*\"winter\"", done.stderr, re.M
    )


def test_decide_approves_a_request_within_the_limits() -> None:
    done = _run("decide", "-", stdin=json.dumps(_request()))
    assert done.returncode == 0, done.stderr
    decision = json.loads(done.stdout)
    assert decision["outcome"] == "approve"
    assert decision["reasons"] == []
    assert "kleding.winterschoenen.delegation" in decision["matched"]
    assert re.fullmatch(r"[0-9a-f]{64}", decision["policy_version"])


def test_batch_goes_on_after_a_malformed_line(tmp_path: Path) -> None:
    lines = [
        json.dumps(_request()),
        json.dumps(_request(amount="75.00")),
        json.dumps(_request(amount=75)),
        "",
        "{not json",
        json.dumps(ISSUE_EXAMPLE),
    ]
    path = tmp_path / "requests.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = _run("decide", "--batch", str(path))
    assert done.returncode == 2
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [entry.get("outcome") or entry["line"] for entry in out] == [
        "approve",
        "escalate",
        3,
        5,
        "escalate",
    ]
    assert out[2]["errors"][0]["field"] == "amount"
    assert "line 3: amount: an amount must be a decimal string" in done.stderr
    assert "line 5: request: not valid JSON" in done.stderr
    assert {line.split(":")[0] for line in done.stderr.splitlines()} == {"line 3", "line 5"}


# --- rules check / explain / test -------------------------------------------------------------------------


def test_check_reports_every_error_at_once(broken_copy: tuple[Path, int]) -> None:
    folder, line = broken_copy
    energie = folder / "energie.yaml"
    energie.write_text(
        energie.read_text(encoding="utf-8").replace("unit: EUR", "unit: euro"), encoding="utf-8"
    )
    result = _invoke("rules", "check", str(folder))
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert errors[0].startswith(f"{folder / 'energie.yaml'}:7:11: ")
    assert errors[1].startswith(f"{folder / 'kleding.yaml'}:{line}:")
    assert errors[-1] == f"{folder}: not a valid policy (2 errors)"


def test_check_of_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    result = _invoke("rules", "check", str(tmp_path / "nergens"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_explain_markdown_in_dutch_by_default() -> None:
    result = _invoke("rules", "explain")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.startswith("# Handboek hulpgelden")
    for expected in ("Winterschoenen", "€ 60,00", "€ 65,00 (vanaf 1 januari 2027)", "jonger dan 18 jaar"):
        assert expected in text


def test_explain_html_in_english_is_standalone() -> None:
    result = _invoke("rules", "explain", DEMO, "--format", "html", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "Winter shoes" in text
    assert "1 January 2027" in text
    assert not re.search(r"https?://", text)
    assert "<script" not in text


@pytest.mark.parametrize(
    ("option", "value"), [("--format", "pdf"), ("--lang", "fr")], ids=["unknown-format", "unknown-language"]
)
def test_explain_refuses_unknown_option_values(option: str, value: str) -> None:
    result = _invoke("rules", "explain", option, value)
    assert result.exit_code == 2
    assert f"'{value}' is not one of" in result.stderr
    assert result.stdout == ""


def test_rules_test_passes_the_demo() -> None:
    result = _invoke("rules", "test", DEMO)
    assert result.exit_code == 0, result.stdout
    assert re.fullmatch(
        r"PASSED: \d+ examples in 1 file: \d+ passed \(policy [0-9a-f]{64}\)\n", result.stdout
    )


def test_rules_test_fails_on_a_wrong_expectation(tmp_path: Path) -> None:
    folder = tmp_path / "policy"
    shutil.copytree(DEMO_POLICY, folder)
    examples = folder / "tests" / "demo_examples.yaml"
    text = examples.read_text(encoding="utf-8")
    wrong = text.replace("reasons: [general.envelope_frozen]", "reasons: [general.envelope_cover]", 1)
    assert wrong != text
    examples.write_text(wrong, encoding="utf-8")
    result = _invoke("rules", "test", str(folder))
    assert result.exit_code == 1
    assert re.search(rf"^FAIL {re.escape(str(examples))}:\d+:3: het budget is bevroren$", result.stdout, re.M)
    assert "    missing reason: general.envelope_cover" in result.stdout
    assert "    unexpected reason: general.envelope_frozen — " in result.stdout
    assert result.stdout.splitlines()[-1].startswith("FAILED: ")


def test_rules_test_without_examples_fails(tmp_path: Path) -> None:
    folder = tmp_path / "policy"
    shutil.copytree(DEMO_POLICY, folder, ignore=shutil.ignore_patterns("tests"))
    result = _invoke("rules", "test", str(folder))
    assert result.exit_code == 1
    assert "no examples" in result.stdout


# --- decide -----------------------------------------------------------------------------------------------


def test_the_issue_example_escalates_a_second_pair_in_the_same_winter() -> None:
    result = _invoke("decide", stdin=json.dumps(ISSUE_EXAMPLE))
    assert result.exit_code == 0, result.stderr
    decision = json.loads(result.stdout)
    assert decision["outcome"] == "escalate"
    assert [reason["rule"] for reason in decision["reasons"]] == [
        "kleding.winterschoenen.count_per_beneficiary_winter_season"
    ]


def test_decide_over_the_limit_gives_the_reason_with_its_numbers(tmp_path: Path) -> None:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(_request(amount="75.00")), encoding="utf-8")
    result = _invoke("decide", "--policy", DEMO, str(path))
    assert result.exit_code == 0, result.stderr
    decision = json.loads(result.stdout)
    assert decision["outcome"] == "escalate"
    (reason,) = decision["reasons"]
    assert reason["rule"] == "kleding.winterschoenen.amount_per_request"
    assert reason["text"] == "€ 75,00 is meer dan het maximum van € 60,00 per paar winterschoenen"
    assert reason["basis"] == "OCMW-raad 12 maart 2024, kader hulpgelden art. 4"
    english = json.loads(_invoke("decide", "--lang", "en", str(path)).stdout)
    assert (
        english["reasons"][0]["text"] == "€75.00 is more than the maximum of €60.00 per pair of winter shoes"
    )


@pytest.mark.parametrize(
    ("stdin", "expected"),
    [
        (
            json.dumps(_request(amount=75, colour="red")),
            ["amount: an amount must be a decimal string", "colour: "],
        ),
        (json.dumps(_request(date="2026-02-30")), ['date: "2026-02-30" is not a date']),
        ('{"date": ', ["request: not valid JSON"]),
        ("", ["request: the input is empty"]),
        ("[1, 2]", ["request: must be a JSON object"]),
    ],
    ids=["number-and-unknown-field", "bad-date", "broken-json", "empty", "not-an-object"],
)
def test_a_malformed_request_names_the_field_and_prints_no_decision(stdin: str, expected: list[str]) -> None:
    result = _invoke("decide", stdin=stdin)
    assert result.exit_code == 2
    assert result.stdout == ""
    for text in expected:
        assert text in result.stderr


def test_decide_with_a_missing_file_or_a_broken_policy(broken_copy: tuple[Path, int], tmp_path: Path) -> None:
    missing = _invoke("decide", str(tmp_path / "nergens.json"))
    assert missing.exit_code == 2
    assert "No such file" in missing.stderr
    folder, _ = broken_copy
    broken = _invoke("decide", "--policy", str(folder), stdin=json.dumps(_request()))
    assert broken.exit_code == 1
    assert broken.stdout == ""
    assert f"{folder / 'kleding.yaml'}:" in broken.stderr


def test_batch_from_stdin_writes_one_line_per_request() -> None:
    lines = [json.dumps(_request(amount=f"{amount}.00")) for amount in (10, 20, 70, 30)]
    result = _invoke("decide", "--batch", "--lang", "en", stdin="\n".join(lines))
    assert result.exit_code == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [decision["outcome"] for decision in out] == ["approve", "approve", "escalate", "approve"]
    assert out[2]["reasons"][0]["text"].startswith("€70.00 is more than")
    assert result.stderr == ""
