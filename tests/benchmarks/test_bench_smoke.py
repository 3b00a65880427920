"""Smoke test of the benchmark script: it runs and returns figures for every row. Timing is never checked."""

from __future__ import annotations

import math

from tests.benchmarks.bench_rules import format_row, run


def test_the_benchmark_returns_figures_for_every_row() -> None:
    printed: list[str] = []
    rows = run(sizes=(10,), requests=200, batch_requests=0, out=printed.append)

    assert [(row["policy"], row["path"]) for row in rows] == [
        (policy, path)
        for policy in ("demo", "gen-10")
        for path in (
            "engine, everyday mix",
            "engine, adversarial mix",
            "reference interpreter",
            "model oracle",
        )
    ]
    for row in rows:
        assert row["n"] == 200
        for key in ("median_us", "p99_us", "per_s"):
            assert math.isfinite(row[key]), (row["policy"], row["path"], key)
        assert format_row(row) in printed
