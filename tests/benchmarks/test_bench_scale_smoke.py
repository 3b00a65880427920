"""Smoke test of the growth benchmark: tiny installations on SQLite, one run, every row measured and judged.
Timing is never checked."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tests.benchmarks.bench_scale import COMMANDS, format_row, main, run
from tests.benchmarks.scale_rows import DECISIONS, ROWS


def test_the_scale_benchmark_on_tiny_installations_measures_every_row(tmp_path: Path) -> None:
    printed: list[str] = []
    results = run(big=300, small=100, runs=1, cli_runs=1, cache=tmp_path, out=printed.append)

    [result] = results
    assert result["database"] == "sqlite"
    small, big = result["installations"]
    assert (small.summary["requests"], big.summary["requests"]) == (100, 300)
    assert (tmp_path / "scale-300-c5-d30-s1.db").exists(), "the seeded installation is kept for the next run"
    measured = {row.name: row for row in result["rows"]}
    optional = {"page  an escalation"}  # a tiny city may have no escalation open today
    expected = {row.name for row in (*ROWS, *DECISIONS)} | {name for name, *_ in COMMANDS}
    assert expected - optional <= set(measured) <= expected
    for row in measured.values():
        assert len(row.small) == len(row.big) == 1, row.name
        assert all(math.isfinite(ms) and ms > 0 for ms in row.small + row.big), row.name
        assert format_row(row) in printed
    # The seed's acts, the first policy version, and the benchmark's own decisions (on the working copy)
    assert measured["log verify"].work[1] > big.summary["acts"] + 1
    assert measured["log replay"].work[1] > measured["log replay"].work[0] > 0
    assert all(row.passed is not None for row in measured.values() if row.goal)
    assert big.bytes_per_request > 0
    assert any(line.startswith("bytes per request (VACUUM)") for line in printed)


def test_the_scale_benchmark_explains_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    help_text = capsys.readouterr().out
    for option in ("--requests", "--small", "--runs", "--postgres"):
        assert option in help_text
