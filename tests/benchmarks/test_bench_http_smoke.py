"""Smoke test of the HTTP benchmark script: its quick mode runs on SQLite and returns figures. Timing is never
checked."""

from __future__ import annotations

import math

from tests.benchmarks.bench_http import QUICK_REQUESTS, format_row, run


def test_the_quick_http_benchmark_on_sqlite_returns_figures() -> None:
    printed: list[str] = []
    rows = run(databases=("sqlite",), requests=QUICK_REQUESTS, clients=4, time_limit=60, out=printed.append)

    assert [(row["database"], row["workers"]) for row in rows] == [("sqlite", 1)]
    row = rows[0]
    assert row["n"] == row["decided"] == QUICK_REQUESTS
    assert row["errors"] == 0
    for key in ("per_s", "p50_ms", "p99_ms", "wall_s"):
        assert math.isfinite(row[key]), key
        assert row[key] > 0, key
    assert format_row(row) in printed
    assert printed[0].startswith("machine:")
