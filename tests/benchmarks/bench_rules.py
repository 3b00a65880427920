"""Benchmark of the decision engine (issue 3, item 9). A script, not a test: it never fails the build.

    .venv/bin/python -m tests.benchmarks.bench_rules [--quick] [--json FILE]

For the demo policy and generated policies of 10, 100 and 1,000 items it prints median and p99 µs per
decision and decisions/s of: the engine in-process (`evaluate` on pre-parsed requests, reasons included), the
plain-Python interpreter of the same compiled rules and the model oracle (tests/support) on the same requests,
and `mandaat decide --batch` as a subprocess (wall clock with and without process start). See README.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from rules.decision import Decision
from rules.engine import CATCH_ALL
from rules.evaluation import build_fact, compiled, derive_facts, evaluate, explain
from rules.loader import load_policy
from rules.model import Policy
from rules.policies import DEMO_POLICY
from rules.request import DecisionRequest, parse_request
from tests.support.generate import everyday_request, random_request, write_policy
from tests.support.oracle import oracle
from tests.support.reference import fired as reference_fired

SEED = 3
THEMES = 10
SIZES = (10, 100, 1000)
TARGET_ITEMS = 1000
TARGET_MEDIAN_US = 35.0
TARGET_P99_US = 120.0
TARGET_BATCH_PER_S = 20_000
START_RUNS = 3  # 1-line batch runs; the fastest is taken as the process start cost

Row = dict[str, Any]


def machine() -> dict[str, Any]:
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    except OSError:
        cpuinfo = []
    models = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
    return {
        "cpu": models[0] if models else "unknown",
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": _load(),
    }


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


def _reference(policy: Policy) -> Callable[[DecisionRequest], Decision]:
    """The whole decision with the plain-Python interpreter in place of durable_rules."""
    compiled_policy = compiled(policy)

    def decide(request: DecisionRequest) -> Decision:
        facts = derive_facts(policy, request)
        item = compiled_policy.items.get((facts.theme, facts.item))
        given = build_fact(compiled_policy, item, facts)
        fired = reference_fired(compiled_policy.rules, given.fact) - {CATCH_ALL}
        return explain(compiled_policy, item, facts, fired, given)

    return decide


def timed(call: Callable[[DecisionRequest], object], requests: Sequence[DecisionRequest], warmup: int) -> Row:
    """Median, p99 (nearest rank) and decisions/s of `call`, each call timed on its own."""
    for request in requests[:warmup]:
        call(request)
    gc.collect()
    clock = time.perf_counter_ns
    spent = [0] * len(requests)
    for index, request in enumerate(requests):
        start = clock()
        call(request)
        spent[index] = clock() - start
    spent.sort()
    count = len(spent)
    return {
        "median_us": (spent[(count - 1) // 2] + spent[count // 2]) / 2000,
        "p99_us": spent[max(0, math.ceil(0.99 * count) - 1)] / 1000,
        "per_s": count * 1e9 / max(1, sum(spent)),
        "n": count,
    }


def _mandaat() -> list[str]:
    beside = Path(sys.executable).with_name("mandaat")
    found = str(beside) if beside.exists() else shutil.which("mandaat")
    command = [found] if found else [sys.executable, "-c", "from api.cli import main; main()"]
    return (["taskset", "-c", "0"] if shutil.which("taskset") else []) + command


def _batch_seconds(command: list[str], source: Path, expected: int) -> float:
    target = source.with_suffix(".out")
    with target.open("wb") as out:
        start = time.perf_counter()
        done = subprocess.run([*command, source], stdout=out, stderr=subprocess.PIPE, check=False)
        seconds = time.perf_counter() - start
    lines = target.read_bytes().count(b"\n")
    if done.returncode != 0 or lines != expected:
        tail = done.stderr.decode(errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(map(str, done.args))}: exit {done.returncode}, {lines} lines\n{tail}")
    return seconds


def batch(folder: Path, lines: list[str], workdir: Path, mix: str) -> list[Row]:
    """`mandaat decide --batch` over `lines`: wall clock with process start, and without it."""
    command = [*_mandaat(), "decide", "--batch", "--policy", str(folder)]
    many, one = workdir / "many.jsonl", workdir / "one.jsonl"
    many.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one.write_text(lines[0] + "\n", encoding="utf-8")
    start_cost = min(_batch_seconds(command, one, 1) for _ in range(START_RUNS))
    total = _batch_seconds(command, many, len(lines))
    common = {"n": len(lines), "seconds": total, "start_s": start_cost}
    excluding = (len(lines) - 1) / max(total - start_cost, 1e-9)
    return [
        {"path": f"decide --batch {mix}, wall", "per_s": len(lines) / total} | common,
        {"path": f"decide --batch {mix}, excl. start", "per_s": excluding} | common,
    ]


def _verdict(row: Row) -> str:
    if row["path"].startswith("engine") and row["items"] == TARGET_ITEMS:
        median = "PASS" if row["median_us"] <= TARGET_MEDIAN_US else "MISS"
        p99 = "PASS" if row["p99_us"] <= TARGET_P99_US else "MISS"
        return f"median ≤ {TARGET_MEDIAN_US:.0f} µs {median}; p99 ≤ {TARGET_P99_US:.0f} µs {p99}"
    if row["path"].startswith("decide --batch") and row["policy"] == "demo":
        return f"≥ {TARGET_BATCH_PER_S:,}/s {'PASS' if row['per_s'] >= TARGET_BATCH_PER_S else 'MISS'}"
    return ""


HEADER = (
    f"{'policy':<10}{'items':>6}{'rules':>6}  {'path':<38}"
    + "".join(f"{title:>10}" for title in ("median µs", "p99 µs", "per s"))
    + "  target"
)


def format_row(row: Row) -> str:
    median = f"{row['median_us']:.1f}" if "median_us" in row else "-"
    p99 = f"{row['p99_us']:.1f}" if "p99_us" in row else "-"
    return (
        f"{row['policy']:<10}{row['items']:>6}{row['rules']:>6}  {row['path']:<38}"
        f"{median:>10}{p99:>10}{row['per_s']:>10,.0f}  {row['target']}"
    ).rstrip()


def run(
    sizes: Sequence[int] = SIZES,
    requests: int = 20_000,
    batch_requests: int = 50_000,
    demo: bool = True,
    out: Callable[[str], None] = print,
) -> list[Row]:
    """Benchmark every policy; prints each row as it is measured and returns them all."""
    affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    if affinity is not None and 0 in affinity:
        os.sched_setaffinity(0, {0})
    rows: list[Row] = []
    try:
        with tempfile.TemporaryDirectory(prefix="mandaat-bench-") as temp:
            work = Path(temp)
            folders = [("demo", DEMO_POLICY)] if demo else []
            for n in sizes:
                folders.append(
                    (f"gen-{n}", write_policy(work / f"gen{n}", items=n, seed=SEED, themes=THEMES))
                )
            out(HEADER)
            for name, folder in folders:
                started = time.perf_counter()
                policy = load_policy(folder)
                loaded = time.perf_counter()
                rules = len(compiled(policy).rules)
                compiled_at = time.perf_counter()
                items = [(item.theme, item.key) for item in policy.items()]
                count = max(requests, batch_requests)
                rng = random.Random(SEED)
                raw = [random_request(rng, items) for _ in range(count)]
                parsed = [parse_request(data) for data in raw[:requests]]
                rng = random.Random(SEED)
                everyday_raw = [everyday_request(rng, items) for _ in range(count)]
                everyday = [parse_request(data) for data in everyday_raw[:requests]]
                common = {"policy": name, "items": len(items), "rules": rules}
                common |= {"load_ms": (loaded - started) * 1e3, "compile_ms": (compiled_at - loaded) * 1e3}
                warmup = min(2_000, requests)
                paths: list[tuple[str, Callable[[DecisionRequest], object]]] = [
                    ("engine, adversarial mix", partial(evaluate, policy)),
                    ("reference interpreter", _reference(policy)),
                    ("model oracle", partial(oracle, policy)),
                ]
                measured = [
                    {"path": "engine, everyday mix"} | timed(partial(evaluate, policy), everyday, warmup)
                ]
                measured += [{"path": path} | timed(call, parsed, warmup) for path, call in paths]
                if batch_requests > 0:
                    for mix, data in (("everyday", everyday_raw), ("adversarial", raw)):
                        lines = [json.dumps(one, separators=(",", ":")) for one in data[:batch_requests]]
                        measured += batch(folder, lines, work, mix)
                for figures in measured:
                    row = common | figures
                    row["target"] = _verdict(row)
                    rows.append(row)
                    out(format_row(row))
    finally:
        if affinity is not None:
            os.sched_setaffinity(0, affinity)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_rules", description="Benchmark of the decision engine.")
    parser.add_argument("--quick", action="store_true", help="few requests: a smoke run, not a measurement")
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the figures as JSON to FILE")
    parser.add_argument("--requests", type=int, help="in-process requests per policy (default 20,000)")
    parser.add_argument("--batch", type=int, help="requests per decide --batch run, 0: none (default 50,000)")
    args = parser.parse_args(argv)
    requests = args.requests or (500 if args.quick else 20_000)
    batch_requests = args.batch if args.batch is not None else (500 if args.quick else 50_000)
    info = machine()
    pinned = "core 0 (sched_setaffinity" + (", taskset -c 0)" if shutil.which("taskset") else ")")
    print(f"machine: {info['cpu']}, {info['cores']} cores, load average {info['load_average']} (1 5 15 min)")
    print(f"python:  {info['python']} on {info['platform']}; pinned to {pinned}")
    print(f"requests: {requests:,} in-process, {batch_requests:,} per decide --batch run; seed {SEED}")
    print()
    rows = run(requests=requests, batch_requests=batch_requests)
    print()
    for name in dict.fromkeys(row["policy"] for row in rows):
        first = next(row for row in rows if row["policy"] == name)
        print(f"{name:<10} load {first['load_ms']:5.0f} ms, compile + register {first['compile_ms']:3.0f} ms")
    print(f"load average at the end: {_load()} (other processes on these cores skew every figure)")
    if args.json:
        payload = {"machine": info, "requests": requests, "batch_requests": batch_requests, "rows": rows}
        args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
