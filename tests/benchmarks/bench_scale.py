"""How Mandaat copes as a city's data grows (issue 13, item 5). A script, not a test: never fails the build.

    .venv/bin/python -m tests.benchmarks.bench_scale [--requests N] [--small N] [--runs N] [--postgres]
        [--databases sqlite,postgresql] [--postgres-requests N] [--fresh] [--forget]

A small and a big installation, each seeded by `mandaat db seed` (kept between runs: scale_installations.py)
and served by `mandaat serve`, side by side. Signed in as every role, it times every page and API list
(scale_rows.py) and a decision on a new and on a long-history dossier, alternating small and big, run after
run; then `log verify`, `log replay`, `log export` and (SQLite) `db backup` on each, pinned to one core. It
prints per row the median and p95 (nearest rank) on each installation, the big/small ratio, the target and
PASS or MISS; and the database's bytes per request. Through HTTP and the command line only, so it keeps
measuring the same things whatever Mandaat's insides become.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tests.benchmarks.bench_http import machine, percentile
from tests.benchmarks.scale_installations import (
    CACHE,
    MANDAAT,
    Installation,
    Size,
    forget_postgres,
    postgres_empty_bytes,
    postgres_installation,
    postgres_server,
    sqlite_installation,
)
from tests.benchmarks.scale_rows import DECISIONS, PAGE, ROWS, VERIFY, Row, Visitor
from tests.support.served import FAST_HASHING_ENV, start

BIG, SMALL, RUNS, CLI_RUNS = 200_000, 2_000, 10, 3
TARGET_RATIO, TARGET_PAGE_MS = 1.5, 100.0
TARGET_VERIFY_PER_S, TARGET_REPLAY_PER_S, TARGET_BYTES = 100_000.0, 20_000.0, 3_000.0
#: The commands timed on each installation: what they print the count of work by, and the target.
COMMANDS: tuple[tuple[str, tuple[str, ...], str, float | None], ...] = (
    ("log verify", ("log", "verify"), r"the log is whole: (\d+) entries", TARGET_VERIFY_PER_S),
    ("log replay", ("log", "replay"), r"replayed (\d+) decisions", TARGET_REPLAY_PER_S),
    ("log export", ("log", "export", "{out}"), r"exported (\d+) entries", None),
    ("db backup", ("db", "backup", "{out}"), r"the log of the copy verifies: (\d+) entries", None),
)


@dataclass
class Figures:
    """One row: milliseconds per run on each installation; `work` is what one run did (entries, decisions)."""

    name: str
    target: str
    small: list[float] = field(default_factory=list)
    big: list[float] = field(default_factory=list)
    work: tuple[int, int] = (0, 0)  # small, big
    per_s: float | None = None  # the rate its target is about
    passed: bool | None = None  # None: no target
    goal: str = ""


def median(values: Sequence[float]) -> float:
    return percentile(values, 0.5)


def ratio(figures: Figures) -> float:
    small = median(figures.small)
    return median(figures.big) / small if small > 0 else math.nan


def time_http(visitors: tuple[Visitor, Visitor], runs: int, out: Callable[[str], None]) -> list[Figures]:
    """Each row once on each installation per run (the order alternating), after one run to warm up."""
    rows = [*ROWS, *DECISIONS]
    figures = {row.name: Figures(row.name, row.target) for row in rows}
    for run in range(-1, runs):
        order = (0, 1) if run % 2 == 0 else (1, 0)
        for row in rows:
            for which in order:
                ms = _visit(visitors[which], row)
                if ms is not None and run >= 0:
                    (figures[row.name].small if which == 0 else figures[row.name].big).append(ms)
        if run >= 0:
            out(f"  run {run + 1}/{runs} of {len(rows)} rows done")
    return [figures[row.name] for row in rows if figures[row.name].small and figures[row.name].big]


def _visit(visitor: Visitor, row: Row) -> float | None:
    if row.target == "decision":
        return visitor.decision_ms(row)
    path = visitor.path(row)
    return None if path is None else visitor.get_ms(row, path)


def time_commands(installations: tuple[Installation, Installation], runs: int, work: Path) -> list[Figures]:
    pinned = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    rows = []
    for name, arguments, counted, _ in COMMANDS:
        if name == "db backup" and installations[0].database != "sqlite":
            continue  # PostgreSQL: pg_dump and PITR, not `mandaat db backup`
        figures = Figures(name, "command")
        counts = [0, 0]
        for run in range(runs):
            for which in (0, 1) if run % 2 == 0 else (1, 0):
                out = work / f"out-{which}"
                command = [*pinned, str(MANDAAT), *(a.format(out=out) for a in arguments)]
                began = time.perf_counter()
                done = subprocess.run(
                    [*command, "--db", installations[which].url], capture_output=True, text=True
                )
                seconds = time.perf_counter() - began
                out.unlink(missing_ok=True)
                found = re.search(counted, done.stdout + done.stderr)
                if done.returncode != 0 or found is None:
                    raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
                counts[which] = int(found.group(1))
                (figures.small if which == 0 else figures.big).append(seconds * 1000)
        figures.work = (counts[0], counts[1])
        rows.append(figures)
    return rows


def judge(rows: list[Figures], verified: tuple[int, int]) -> None:
    """Set each row's rate and PASS/MISS against the issue's targets."""
    by_name = {row.name: row for row in rows}
    for row in rows:
        big_ms = median(row.big)
        if row.target == PAGE:
            row.goal = f"<= {TARGET_RATIO}x and <= {TARGET_PAGE_MS:.0f} ms"
            row.passed = ratio(row) <= TARGET_RATIO and big_ms <= TARGET_PAGE_MS
        elif row.target == VERIFY:
            row.work = verified
            row.per_s = verified[1] / (big_ms / 1000)
            row.goal = f">= {TARGET_VERIFY_PER_S:,.0f} entries/s"
            row.passed = row.per_s >= TARGET_VERIFY_PER_S
        elif row.name == DECISIONS[1].name and DECISIONS[0].name in by_name:
            new = median(by_name[DECISIONS[0].name].big)
            row.goal = f"<= {TARGET_RATIO}x a new dossier's ({big_ms / new:.2f}x)"
            row.passed = big_ms <= TARGET_RATIO * new
        elif row.target == "command":
            extra_work, extra_s = row.work[1] - row.work[0], (big_ms - median(row.small)) / 1000
            row.per_s = extra_work / extra_s if extra_s > 0 else math.nan  # start-up cost cancels out
            target = next(target for name, _, _, target in COMMANDS if name == row.name)
            if target is not None:
                row.goal = f">= {target:,.0f}/s"
                row.passed = row.per_s >= target


def format_row(row: Figures) -> str:
    verdict = "" if row.passed is None else ("PASS" if row.passed else "MISS")
    rate = "" if row.per_s is None else f"{row.per_s:>11,.0f}/s" if math.isfinite(row.per_s) else "-"
    return (
        f"{row.name:<44} {median(row.small):9.1f} {percentile(row.small, 0.95):9.1f} "
        f"{median(row.big):9.1f} {percentile(row.big, 0.95):9.1f} {ratio(row):7.2f}x {rate:>13}  "
        f"{row.goal:<34} {verdict}"
    )


HEADER = (
    f"{'row (ms)':<44} {'small p50':>9} {'small p95':>9} {'big p50':>9} {'big p95':>9} {'big/sm':>8} "
    f"{'rate':>13}  {'target':<34} result"
)


@contextmanager
def prepared(
    database: str, sizes: tuple[Size, Size], cache: Path, work: Path, fresh: bool, out: Callable[[str], None]
) -> Iterator[tuple[Installation, Installation] | None]:
    """The small and the big installation, each a working copy of the kept one; None: no PostgreSQL."""
    server = postgres_server() if database == "postgresql" else None
    if database == "postgresql" and server is None:
        out("postgresql: skipped, not reachable (MANDAAT_TEST_POSTGRES_URL, else 127.0.0.1:5432/test)")
        yield None
        return
    with ExitStack() as stack:
        made = []
        for size in sizes:
            out(
                f"{database}: preparing {size.requests:,} requests ({size.caseworkers} caseworkers, "
                f"{size.dossiers:,} dossiers; seeded once, then kept in {cache}) ..."
            )
            if server is not None:
                made.append(stack.enter_context(postgres_installation(server, size, cache, fresh)))
            else:
                made.append(stack.enter_context(sqlite_installation(size, cache, work, fresh)))
        yield made[0], made[1]


def bench_database(
    database: str,
    sizes: tuple[Size, Size],
    *,
    runs: int,
    cli_runs: int,
    cache: Path,
    fresh: bool,
    out: Callable[[str], None],
) -> dict[str, Any] | None:
    """Every row on the small and the big installation of one database; None when it is not reachable."""
    with (
        tempfile.TemporaryDirectory(prefix=f"bench-scale-{database}-") as folder,
        prepared(database, sizes, cache, Path(folder), fresh, out) as made,
    ):
        if made is None:
            return None
        for installation in made:
            out(describe(installation))
        served = [start(installation.url, Path(folder), env=FAST_HASHING_ENV) for installation in made]
        try:
            visitors = (
                Visitor(served[0].base_url, made[0].summary),
                Visitor(served[1].base_url, made[1].summary),
            )
            try:
                rows = time_http(visitors, runs, out)
            finally:
                for visitor in visitors:
                    visitor.close()
        finally:
            for server in served:
                server.stop()
        out(f"  timing log verify, replay, export{', db backup' if database == 'sqlite' else ''} ...")
        rows += time_commands(made, cli_runs, Path(folder))
    verified = next(row.work for row in rows if row.name == "log verify")
    judge(rows, verified)
    return {"database": database, "installations": made, "rows": rows}


def describe(installation: Installation) -> str:
    seeded = (
        "kept from an earlier run"
        if installation.seeded_s is None
        else f"seeded in {installation.seeded_s:,.0f} s"
    )
    summary = installation.summary
    return (
        f"  {installation.database} {installation.size.requests:,} requests: {seeded} "
        f"({summary['acts']:,} acts; the seed's own figure: {summary['seconds']:,.0f} s); "
        f"{installation.bytes_per_request:,.0f} bytes per request"
    )


def report(result: dict[str, Any], out: Callable[[str], None], empty_bytes: int | None = None) -> None:
    small, big = result["installations"]
    out("")
    out(f"{result['database']}: small {small.size.requests:,} requests, big {big.size.requests:,} requests")
    out(HEADER)
    for row in result["rows"]:
        out(format_row(row))
    verdict = "PASS" if big.bytes_per_request <= TARGET_BYTES else "MISS"
    catalogue = (
        ""
        if empty_bytes is None
        else f" (an empty PostgreSQL database alone takes {empty_bytes / 1e6:.1f} MB of it)"
    )
    vacuum = "VACUUM" if result["database"] == "sqlite" else "VACUUM FULL"
    out(
        f"{f'bytes per request ({vacuum})':<44} small {small.bytes_per_request:,.0f}  "
        f"big {big.bytes_per_request:,.0f}  "
        f"target <= {TARGET_BYTES:,.0f}: {verdict}{catalogue}"
    )
    measured = {row.name for row in result["rows"]}
    missing = [row.name.split(maxsplit=1)[-1] for row in (*ROWS, *DECISIONS) if row.name not in measured]
    if missing:
        out(f"not measured (nothing to show on one of the installations): {', '.join(missing)}")
    misses = [row.name for row in result["rows"] if row.passed is False]
    out(f"{len(misses)} of {sum(row.passed is not None for row in result['rows'])} rows MISS their target")


def run(
    *,
    big: int = BIG,
    small: int = SMALL,
    runs: int = RUNS,
    cli_runs: int = CLI_RUNS,
    databases: Sequence[str] = ("sqlite",),
    postgres_big: int | None = None,
    cache: Path = CACHE,
    fresh: bool = False,
    out: Callable[[str], None] = print,
) -> list[dict[str, Any]]:
    out(machine())
    results = []
    plan = [(database, (postgres_big or big) if database == "postgresql" else big) for database in databases]
    for database, requests in plan:
        sizes = (Size(small), Size(requests))
        result = bench_database(
            database, sizes, runs=runs, cli_runs=cli_runs, cache=cache, fresh=fresh, out=out
        )
        if result is not None:
            empty = postgres_empty_bytes(str(postgres_server())) if database == "postgresql" else None
            report(result, out, empty)
            results.append(result)
    return results


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=BIG, help=f"the big installation ({BIG:,})")
    parser.add_argument("--small", type=int, default=SMALL, help=f"the small installation ({SMALL:,})")
    parser.add_argument(
        "--runs", type=int, default=RUNS, help=f"runs of every page, list and decision ({RUNS})"
    )
    parser.add_argument("--cli-runs", type=int, default=CLI_RUNS, help=f"runs of each command ({CLI_RUNS})")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL too, when reachable")
    parser.add_argument(
        "--databases",
        default=None,
        help="which, comma-separated (default sqlite; with --postgres also postgresql)",
    )
    parser.add_argument(
        "--postgres-requests", type=int, default=None, help="the big installation on PostgreSQL (--requests)"
    )
    parser.add_argument(
        "--cache", type=Path, default=CACHE, help=f"where seeded installations are kept ({CACHE})"
    )
    parser.add_argument("--fresh", action="store_true", help="seed again, even when a kept installation fits")
    parser.add_argument("--forget", action="store_true", help="drop the kept PostgreSQL databases, then stop")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.forget:
        server = postgres_server()
        dropped = forget_postgres(server, args.cache) if server else []
        print(f"dropped {len(dropped)} kept PostgreSQL databases: {', '.join(dropped) or 'none'}")
        return
    results = run(
        big=args.requests,
        small=args.small,
        runs=args.runs,
        cli_runs=args.cli_runs,
        databases=_databases(args.databases, args.postgres),
        postgres_big=args.postgres_requests,
        cache=args.cache,
        fresh=args.fresh,
    )
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2, default=_plain), encoding="utf-8")


def _databases(given: str | None, postgres: bool) -> list[str]:
    chosen = given.split(",") if given else ["sqlite"]
    if postgres and "postgresql" not in chosen:
        chosen.append("postgresql")
    unknown = set(chosen) - {"sqlite", "postgresql"}
    if unknown:
        raise SystemExit(f"--databases: unknown {', '.join(sorted(unknown))}; use sqlite,postgresql")
    return chosen


def _plain(value: Any) -> Any:
    if isinstance(value, (Figures, Installation, Size)):
        return asdict(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


if __name__ == "__main__":
    main()
