"""The installations `bench_scale.py` measures: seeded with `mandaat db seed`, kept between runs, and copied
for each run (the benchmark's own decisions, sign-ins and reads write to the copy, never to what is kept).

SQLite: the seeded file is kept in the cache folder (tests/benchmarks/results/, git-ignored) as
`scale-<requests>-c<caseworkers>-d<dossiers>-s<seed>.db`, with the seed's summary beside it (`….json`).
PostgreSQL: a database `mandaat_scale_<the same>` is kept on the server, its summary in the cache folder; a
run works on a `CREATE DATABASE … TEMPLATE` copy, dropped afterwards. A kept installation is seeded again
when its summary is missing or `mandaat db current` says the schema is not the newest (after a migration).
Drop the kept PostgreSQL databases with `--forget`.

Everything goes through the command line and SQL on the database files or server, never through Mandaat's
internals, so the benchmark keeps working whatever the persistence layer becomes.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from tests.support.served import FAST_HASHING_ENV, libpq

MANDAAT = Path(sys.executable).parent / "mandaat"
CACHE = Path(__file__).resolve().parent / "results"
POSTGRES_URLS = (
    [os.environ["MANDAAT_TEST_POSTGRES_URL"]]
    if os.environ.get("MANDAAT_TEST_POSTGRES_URL")
    else [
        "postgresql+psycopg://postgres@127.0.0.1:5432/test",
        "postgresql+psycopg://root@127.0.0.1:5432/test",
    ]
)
KEPT_PREFIX = "mandaat_scale_"
SEED = 1
YEARS = "2024,2025,2026"


@dataclass(frozen=True)
class Size:
    """An installation's size: the issue's city (50 caseworkers, 20,000 dossiers for 200,000 requests) scaled
    down by the number of requests, with at least the 5 caseworkers of `mandaat db seed`'s default."""

    requests: int
    seed: int = SEED

    @property
    def caseworkers(self) -> int:
        return max(5, min(50, self.requests // 4000))

    @property
    def dossiers(self) -> int:
        return max(10, self.requests // 10)

    @property
    def name(self) -> str:
        return f"{self.requests}-c{self.caseworkers}-d{self.dossiers}-s{self.seed}"

    def seed_options(self) -> list[str]:
        return [
            "--caseworkers", str(self.caseworkers), "--dossiers", str(self.dossiers),
            "--requests", str(self.requests), "--years", YEARS, "--seed", str(self.seed),
        ]  # fmt: skip


@dataclass(frozen=True)
class Installation:
    database: str  # sqlite | postgresql
    size: Size
    url: str  # the working copy
    summary: dict[str, Any]  # `mandaat db seed --format json`
    seeded_s: float | None  # None: kept from an earlier run
    bytes_per_request: float


def mandaat(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(MANDAAT), *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **FAST_HASHING_ENV, **(env or {})},
    )


def seed(url: str, size: Size) -> tuple[dict[str, Any], float]:
    began = time.monotonic()
    done = mandaat("db", "seed", "--db", url, *size.seed_options(), "--format", "json")
    if done.returncode != 0:
        raise RuntimeError(f"mandaat db seed failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout), time.monotonic() - began


def is_newest(url: str) -> bool:
    done = mandaat("db", "current", "--db", url)
    return done.returncode == 0 and "(the newest)" in done.stdout


@contextmanager
def sqlite_installation(size: Size, cache: Path, work: Path, fresh: bool) -> Iterator[Installation]:
    cache.mkdir(parents=True, exist_ok=True)
    kept, summary_file = cache / f"scale-{size.name}.db", cache / f"scale-{size.name}.json"
    seeded_s = None
    if fresh or not summary_file.exists() or not kept.exists() or not is_newest(f"sqlite:///{kept}"):
        for stale in (kept, summary_file, Path(f"{kept}-wal"), Path(f"{kept}-shm")):
            stale.unlink(missing_ok=True)
        summary, seeded_s = seed(f"sqlite:///{kept}", size)
        summary_file.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    summary = json.loads(summary_file.read_text(encoding="utf-8"))
    copy = work / f"scale-{size.name}.db"
    with closing(sqlite3.connect(kept)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)  # one consistent copy, whether or not a write-ahead log is beside the file
    yield Installation("sqlite", size, f"sqlite:///{copy}", summary, seeded_s, sqlite_bytes(kept, size))


def sqlite_bytes(path: Path, size: Size) -> float:
    """The file's size after VACUUM (into a new file, leaving the kept one as it is), per request."""
    with tempfile.TemporaryDirectory(prefix="bench-scale-vacuum-") as folder:
        vacuumed = Path(folder) / "vacuumed.db"
        with closing(sqlite3.connect(path)) as connection:
            connection.execute("VACUUM INTO ?", (str(vacuumed),))
        return vacuumed.stat().st_size / max(1, size.requests)


def postgres_server() -> str | None:
    for url in POSTGRES_URLS:
        try:
            with psycopg.connect(libpq(url), connect_timeout=3) as connection:
                connection.execute("SELECT 1")
            return url
        except psycopg.Error:
            continue
    return None


@contextmanager
def postgres_installation(server: str, size: Size, cache: Path, fresh: bool) -> Iterator[Installation]:
    """A copy of the kept database of `size` (seeded first when missing or stale), dropped afterwards."""
    cache.mkdir(parents=True, exist_ok=True)
    kept = KEPT_PREFIX + size.name.replace("-", "_")
    summary_file = cache / f"scale-postgresql-{size.name}.json"
    kept_url = _on(server, kept)
    seeded_s = None
    with psycopg.connect(libpq(server), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (kept,)).fetchone() is not None
        if fresh or not exists or not summary_file.exists() or not is_newest(kept_url):
            _drop(admin, kept)
            admin.execute(f'CREATE DATABASE "{kept}"')
            summary, seeded_s = seed(kept_url, size)
            summary_file.write_text(json.dumps(summary, indent=2), encoding="utf-8")
        copy = f"mandaat_scale_work_{uuid.uuid4().hex[:8]}"
        admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{kept}"')
    try:
        url = _on(server, copy)
        yield Installation(
            "postgresql", size, url, json.loads(summary_file.read_text(encoding="utf-8")), seeded_s,
            postgres_bytes(server, copy, size),
        )  # fmt: skip
    finally:
        with psycopg.connect(libpq(server), autocommit=True) as admin:
            _drop(admin, copy)


def postgres_bytes(server: str, database: str, size: Size) -> float:
    """pg_database_size after VACUUM FULL (of the copy), per request."""
    with psycopg.connect(libpq(_on(server, database)), autocommit=True) as connection:
        connection.execute("VACUUM FULL")
        row = connection.execute("SELECT pg_database_size(current_database())").fetchone()
    assert row is not None
    return int(row[0]) / max(1, size.requests)


def postgres_empty_bytes(server: str) -> int:
    """What an empty database takes on this server (its catalogue): part of every pg_database_size."""
    name = f"mandaat_scale_empty_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(libpq(server), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            row = admin.execute("SELECT pg_database_size(%s)", (name,)).fetchone()
        finally:
            _drop(admin, name)
    assert row is not None
    return int(row[0])


def forget_postgres(server: str, cache: Path) -> list[str]:
    """Drop every kept database of the benchmark and forget its summary."""
    with psycopg.connect(libpq(server), autocommit=True) as admin:
        names = [
            str(row[0])
            for row in admin.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", (KEPT_PREFIX + "%",)
            )
        ]
        for name in names:
            _drop(admin, name)
    for summary in cache.glob("scale-postgresql-*.json"):
        summary.unlink()
    return names


def _on(server: str, database: str) -> str:
    return make_url(server).set(database=database).render_as_string(hide_password=False)


def _drop(admin: psycopg.Connection[Any], name: str) -> None:
    admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
    with suppress(psycopg.errors.InvalidCatalogName):
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
