"""Benchmark of decisions over HTTP (issue 5, item 5). A script, not a test: it never fails the build.

    .venv/bin/python -m tests.benchmarks.bench_http [--quick] [--requests N] [--databases sqlite,postgresql]

Per database it seeds a fresh installation through the use cases (the demo policy, a finance user, one
caseworker per client with one-adult households, one energie envelope for this year that covers everything),
starts `mandaat serve` on a free loopback port (SQLite: 1 worker; PostgreSQL: 2 workers, on a database of its
own), signs every client in and warms it up with previews, then lets 8 concurrent clients (a thread each, one
keep-alive httpx.Client per thread) submit energy bills, each with its own Idempotency-Key, at that one
envelope. It prints decisions/s (answered submissions / wall time) and the p50 and p99 latency of a
submission, with the targets marked PASS or MISS. Bounded by a request count and a time limit; exits 0 unless
it crashes. PostgreSQL is skipped with the reason when it is not reachable (MANDAAT_TEST_POSTGRES_URL, else
postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import psycopg

from tests.support.served import API, fresh_postgres_database, libpq, sign_in, start

CLIENTS = 8
REQUESTS = 4000
QUICK_REQUESTS = 160
TIME_LIMIT_S = 120.0
QUICK_TIME_LIMIT_S = 30.0
REQUESTS_PER_HOUSEHOLD = 4  # at most € 60,00 each: the household limit of € 400,00 a year is never reached
ESCALATE_EVERY = 10  # every tenth request asks € 300,00: above the caseworker's € 250,00 ceiling
PASSWORD = "een lang benchmark wachtwoord"
POSTGRES_URLS = (
    [os.environ["MANDAAT_TEST_POSTGRES_URL"]]
    if os.environ.get("MANDAAT_TEST_POSTGRES_URL")
    else [
        "postgresql+psycopg://postgres@127.0.0.1:5432/test",
        "postgresql+psycopg://root@127.0.0.1:5432/test",
    ]
)
TARGETS_PER_S = {"sqlite": 500.0, "postgresql": 300.0}
TARGET_P99_MS = 50.0
WORKERS = {"sqlite": 1, "postgresql": 2}
#: Cheap password hashing: sign-ins are not what is measured (set for the seeding and the server alike).
FAST_HASHING: dict[str, Any] = {"argon2_time_cost": 1, "argon2_memory_kib": 1024, "argon2_parallelism": 1}

Row = dict[str, Any]
Ask = tuple[str, dict[str, Any]]  # an idempotency key and the body


@dataclass(frozen=True)
class Seeded:
    caseworkers: list[str]
    asks: list[list[Ask]]  # per client
    warm_up: list[dict[str, Any]]  # a preview body per client


def seed(url: str, clients: int, requests: int) -> Seeded:
    """A fresh installation, made through the use cases as the operator and the users would make it."""
    from api.composition import build
    from api.settings import Settings
    from envelopes import services as use
    from envelopes.domain.dossiers import NewMember
    from envelopes.domain.ids import brussels_date
    from envelopes.domain.users import Role
    from envelopes.persistence.migrate import upgrade
    from envelopes.services import commands as cmd
    from rules.money import Money
    from rules.policies import DEMO_POLICY

    upgrade(url)
    mandaat = build(Settings(database_url=url, **FAST_HASHING))
    try:
        clock, uow = mandaat.clock, mandaat.uow
        files = {path.name: path.read_bytes().decode("utf-8") for path in sorted(DEMO_POLICY.glob("*.yaml"))}
        use.install_first_policy_version(files, uow(), mandaat.decisions, clock)
        use.bootstrap_admin(cmd.BootstrapAdmin("beheer", "Beheer"), uow(), clock)
        caseworkers = [f"assistent{number}" for number in range(1, clients + 1)]
        for user, role in [("financien", Role.FINANCE)] + [(c, Role.CASEWORKER) for c in caseworkers]:
            use.add_user(cmd.AddUser("beheer", user, user.title(), role), uow(), clock)
        year = brussels_date(clock()).year
        envelope = cmd.OpenEnvelope("financien", "energie", year, Money.parse("10000000.00"))
        use.open_envelope(envelope, uow(), clock)
        randomness = random.Random(20261123)
        each = math.ceil(requests / clients)
        asks: list[list[Ask]] = []
        warm_up = []
        for caseworker in caseworkers:
            mine: list[Ask] = []
            for number in range(math.ceil(each / REQUESTS_PER_HOUSEHOLD) + 1):  # +1: for the warm-up
                members = (NewMember(date(1980, 1, 1), "aanvrager"),)
                created = use.create_dossier(
                    cmd.CreateDossier(caseworker, f"B-{caseworker}-{number}", members), uow(), clock
                )
                for turn in range(REQUESTS_PER_HOUSEHOLD):
                    escalates = (len(mine) + 1) % ESCALATE_EVERY == 0
                    cents = 300_00 if escalates else randomness.randrange(20_00, 60_01, 5)
                    body = {
                        "dossier_id": created.dossier_id,
                        "beneficiary_id": created.member_keys[0],
                        "theme": "energie",
                        "item": "energiefactuur",
                        "amount": str(Money(cents)),
                        "justification": "Achterstallige energiefactuur; afsluiting dreigt.",
                    }
                    if number == 0:
                        if turn == 0:
                            warm_up.append(body)
                    elif len(mine) < each:
                        mine.append((f"{caseworker}-{number}-{turn}", body))
            asks.append(mine)
        for user in ["financien", *caseworkers]:
            mandaat.access.set_password(user, PASSWORD, _client())
    finally:
        mandaat.close()
    return Seeded(caseworkers, asks, warm_up)


def _client() -> Any:
    from api.auth.access import Client

    return Client(address=None, method="CLI", route="bench_http")


@dataclass(frozen=True)
class CpuTimes:
    """CPU seconds spent so far: by the server's processes (its process group), by this process (the
    clients), and by the whole machine (every core, the database server's processes included)."""

    server: float
    clients: float
    machine: float

    @classmethod
    def now(cls, server_group: int) -> CpuTimes:
        ticks = os.sysconf("SC_CLK_TCK")
        server = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # gone meanwhile
            if int(fields[2]) == server_group:  # pgrp; utime and stime follow at 11 and 12
                server += int(fields[11]) + int(fields[12])
        own = os.times()
        cpu = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        busy = sum(int(value) for value in cpu) - int(cpu[3]) - int(cpu[4])  # all but idle and iowait
        return cls(server / ticks, own.user + own.system, busy / ticks)

    def since(self, earlier: CpuTimes) -> CpuTimes:
        return CpuTimes(
            self.server - earlier.server, self.clients - earlier.clients, self.machine - earlier.machine
        )


def drive(
    base_url: str, seeded: Seeded, time_limit: float, server_group: int | None = None
) -> tuple[list[float], dict[int, int], float, CpuTimes | None]:
    """Every client submits its requests one after another; (latencies in ms, answers by status, wall s, CPU
    seconds spent meanwhile when `server_group` is given and /proc can be read)."""
    tokens = []
    with httpx.Client(timeout=60) as client:
        for caseworker in seeded.caseworkers:
            tokens.append(sign_in(client, base_url, caseworker, PASSWORD))
    start_line = threading.Barrier(len(tokens))
    deadline: list[float] = []

    def client_run(index: int) -> tuple[list[float], dict[int, int]]:
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        headers = {"Authorization": f"Bearer {tokens[index]}"}
        with httpx.Client(base_url=base_url + API, headers=headers, timeout=60) as own:
            for _ in range(3):  # warm-up: the connection, the pool, the policy; writes nothing
                own.post("/aid-requests/preview", json=seeded.warm_up[index]).raise_for_status()
            start_line.wait()
            if not deadline:
                deadline.append(time.monotonic() + time_limit)
            for key, body in seeded.asks[index]:
                if time.monotonic() > deadline[0]:
                    break
                began = time.perf_counter_ns()
                response = own.post("/aid-requests", json=body, headers={"Idempotency-Key": key})
                latencies.append((time.perf_counter_ns() - began) / 1e6)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        return latencies, statuses

    measured = server_group is not None and Path("/proc/stat").exists()
    cpu_before = CpuTimes.now(server_group) if measured and server_group is not None else None
    began = time.monotonic()
    with ThreadPoolExecutor(len(tokens)) as pool:
        results = list(pool.map(client_run, range(len(tokens))))
    wall = time.monotonic() - began
    cpu = None
    if cpu_before is not None and server_group is not None:
        cpu = CpuTimes.now(server_group).since(cpu_before)
    latencies = [latency for mine, _ in results for latency in mine]
    statuses: dict[int, int] = {}
    for _, mine in results:
        for status, number in mine.items():
            statuses[status] = statuses.get(status, 0) + number
    return latencies, statuses, wall, cpu


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)] if ordered else math.nan


def bench_database(
    database: str, requests: int, clients: int, time_limit: float, out: Callable[[str], None]
) -> Row | None:
    with (
        tempfile.TemporaryDirectory(prefix=f"bench-http-{database}-") as folder,
        _database(database, Path(folder)) as url,
    ):
        if url is None:
            out(f"{database}: skipped, PostgreSQL not reachable at {', '.join(POSTGRES_URLS)}")
            return None
        seeding = time.monotonic()
        seeded = seed(url, clients, requests)
        seconds = time.monotonic() - seeding
        out(
            f"{database}: seeded {sum(map(len, seeded.asks))} requests for {clients} clients "
            f"in {seconds:.1f} s (through the use cases)"
        )
        hashing = {f"MANDAAT_{name.upper()}": str(value) for name, value in FAST_HASHING.items()}
        served = start(url, Path(folder), workers=WORKERS[database], env=hashing)
        try:
            latencies, statuses, wall, cpu = drive(served.base_url, seeded, time_limit, served.process.pid)
        finally:
            served.stop()
    decided = statuses.get(201, 0)
    return {
        "database": database,
        "workers": WORKERS[database],
        "clients": clients,
        "n": len(latencies),
        "decided": decided,
        "errors": len(latencies) - decided,
        "wall_s": wall,
        "per_s": decided / wall if wall > 0 else math.nan,
        "p50_ms": percentile(latencies, 0.50),
        "p99_ms": percentile(latencies, 0.99),
        # CPU milliseconds per answered request (the warm-up and sign-ins excluded), where /proc tells
        **(
            {}
            if cpu is None or not latencies
            else {
                "server_cpu_ms": cpu.server * 1000 / len(latencies),
                "client_cpu_ms": cpu.clients * 1000 / len(latencies),
                "machine_cpu_ms": cpu.machine * 1000 / len(latencies),
            }
        ),
    }


@contextmanager
def _database(database: str, folder: Path) -> Iterator[str | None]:
    if database == "sqlite":
        yield f"sqlite:///{folder / 'mandaat.db'}"
        return
    for server in POSTGRES_URLS:
        try:
            with psycopg.connect(libpq(server), connect_timeout=3) as connection:
                connection.execute("SELECT 1")
        except psycopg.Error:
            continue
        with fresh_postgres_database(server) as url:
            yield url
        return
    yield None


def format_row(row: Row) -> str:
    target = TARGETS_PER_S[row["database"]]
    speed = "PASS" if row["per_s"] >= target else "MISS"
    tail = "PASS" if row["p99_ms"] <= TARGET_P99_MS else "MISS"
    return (
        f"{row['database']:<10} {row['workers']} worker{'s' if row['workers'] > 1 else ' '}  "
        f"{row['decided']:>6} decisions in {row['wall_s']:6.2f} s  {row['per_s']:8.1f} /s "
        f"(target >= {target:.0f}: {speed})  p50 {row['p50_ms']:6.1f} ms  p99 {row['p99_ms']:6.1f} ms "
        f"(target <= {TARGET_P99_MS:.0f}: {tail})  errors {row['errors']}"
        + (
            f"\n{'':<10} CPU per request: server {row['server_cpu_ms']:.2f} ms, clients "
            f"{row['client_cpu_ms']:.2f} ms, whole machine {row['machine_cpu_ms']:.2f} ms "
            f"(of {os.cpu_count()} cores)"
            if "server_cpu_ms" in row
            else ""
        )
    )


def machine() -> str:
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    except OSError:
        cpuinfo = []
    models = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
    load = " ".join(f"{value:.2f}" for value in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (
        f"machine: {models[0] if models else 'unknown'}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load {load} (server and clients share these cores)"
    )


def run(
    *,
    databases: Sequence[str] = ("sqlite", "postgresql"),
    requests: int = REQUESTS,
    clients: int = CLIENTS,
    time_limit: float = TIME_LIMIT_S,
    out: Callable[[str], None] = print,
) -> list[Row]:
    out(machine())
    rows = []
    for database in databases:
        row = bench_database(database, requests, clients, time_limit, out)
        if row is not None:
            rows.append(row)
            out(format_row(row))
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_REQUESTS} requests: a smoke run")
    parser.add_argument(
        "--requests", type=int, default=None, help=f"requests per database (default {REQUESTS})"
    )
    parser.add_argument("--clients", type=int, default=CLIENTS, help=f"concurrent clients ({CLIENTS})")
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args(argv)
    requests = args.requests or (QUICK_REQUESTS if args.quick else REQUESTS)
    databases = [name for name in args.databases.split(",") if name in TARGETS_PER_S]
    time_limit = QUICK_TIME_LIMIT_S if args.quick else TIME_LIMIT_S
    rows = run(databases=databases, requests=requests, clients=args.clients, time_limit=time_limit)
    if args.json is not None:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
