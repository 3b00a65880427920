"""`mandaat serve` as a real process on a free loopback port, for the end-to-end tests and the HTTP benchmark.

The server runs in a session of its own, with its output in files (a pipe nobody reads would fill and stop
it). `stop()` sends SIGTERM and waits; a server that does not stop in time is killed with its whole process
group (the uvicorn workers too). `kill()` crashes it on purpose (SIGKILL for the whole group, no shutdown of
any kind) and `restart()` starts it again on the same database, on the same port when it is still free.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
from sqlalchemy.engine import make_url

MANDAAT = Path(sys.executable).parent / "mandaat"
API = "/api/v1"
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
LISTEN_FAILED = 2  # `mandaat serve`'s exit code for an address in use (another process took the free port)
#: Cheap argon2id for servers whose users are seeded in the test (the defaults cost ~0.5 s per hash).
FAST_HASHING_ENV = {
    "MANDAAT_ARGON2_TIME_COST": "1",
    "MANDAAT_ARGON2_MEMORY_KIB": "1024",
    "MANDAAT_ARGON2_PARALLELISM": "1",
}


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    base_url: str
    database_url: str
    folder: Path
    log_name: str
    workers: int = 1
    env: Mapping[str, str] | None = None
    extra: tuple[str, ...] = ()

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    def output(self) -> str:
        return (self.folder / f"{self.log_name}.out").read_text("utf-8", errors="replace")

    def errors(self) -> str:
        return (self.folder / f"{self.log_name}.err").read_text("utf-8", errors="replace")

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL for the process group if it is still there after STOP_TIMEOUT seconds."""
        if self.process.poll() is None:
            with suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(STOP_TIMEOUT)
        return self.process.returncode


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(
    database_url: str,
    folder: Path,
    *,
    workers: int = 1,
    demo: bool = False,
    env: Mapping[str, str] | None = None,
    extra: tuple[str, ...] = (),
    port: int | None = None,
) -> Served:
    """`mandaat serve` on a free port of 127.0.0.1 (or on `port` while nobody else has taken it), run in
    `folder`, once it answers HTTP."""
    for attempt in range(3):
        port = port if attempt == 0 and port is not None else free_port()
        command = [str(MANDAAT), "serve", "--db", database_url, "--host", "127.0.0.1", "--port", str(port)]
        command += ["--workers", str(workers), *(["--demo"] if demo else []), *extra]
        environment = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
        log_name = unused_log_name(folder, f"serve-{port}-{attempt}")
        with (
            (folder / f"{log_name}.out").open("wb") as stdout,
            (folder / f"{log_name}.err").open("wb") as stderr,
        ):
            process = subprocess.Popen(  # the files stay open in the child
                command, cwd=folder, env=environment, stdout=stdout, stderr=stderr, start_new_session=True
            )
        served = Served(
            process, f"http://127.0.0.1:{port}", database_url, folder, log_name, workers, env, extra
        )
        try:
            if wait_until_ready(served):
                return served
        except BaseException:
            served.stop()
            raise
        if process.returncode != LISTEN_FAILED or "cannot listen" not in served.errors():
            break
    raise RuntimeError(
        f"mandaat serve exited with {served.process.returncode}:\n{served.output()}\n{served.errors()}"
    )


def unused_log_name(folder: Path, name: str) -> str:
    """`name`, or `name-2`, `name-3`, … when a server that ran before (a restart) left its logs under it."""
    candidate, number = name, 1
    while (folder / f"{candidate}.out").exists():
        number += 1
        candidate = f"{name}-{number}"
    return candidate


def kill(served: Served, timeout: float = STOP_TIMEOUT) -> None:
    """Crash the server: SIGKILL for its whole process group (the supervisor and every uvicorn worker at
    once, so nothing shuts down cleanly), then wait until none of them is left."""
    group = served.process.pid  # a session of its own: the group has the supervisor's id
    with suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)
    served.process.wait(timeout)
    deadline = time.monotonic() + timeout
    while not _group_gone(group):
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"process group {group} still has live processes {timeout:.0f} s after SIGKILL"
            )
        time.sleep(0.01)


def _group_gone(group: int) -> bool:
    """No process of the group is left, or only zombies (orphaned workers that nobody has reaped yet:
    in a container the init process may never do so)."""
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return True
    proc = Path("/proc")
    if not proc.is_dir():
        return False
    for stat in proc.glob("[0-9]*/stat"):
        with suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after "pid (command)": state ppid pgrp
            if int(fields[2]) == group and fields[0] != "Z":
                return False
    return True


def restart(served: Served) -> Served:
    """`mandaat serve` again on the same database, folder, workers and environment (without --demo), on the
    same port unless another process has taken it meanwhile (then the new `base_url` says where)."""
    return start(
        served.database_url,
        served.folder,
        workers=served.workers,
        env=served.env,
        extra=served.extra,
        port=served.port,
    )


def wait_until_ready(served: Served, timeout: float = READY_TIMEOUT) -> bool:
    """True once the server answers; False when it exited first; TimeoutError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            return False
        with suppress(httpx.TransportError):
            if httpx.get(f"{served.base_url}/openapi.json", timeout=2).status_code == 200:
                return True
        time.sleep(0.1)
    raise TimeoutError(f"mandaat serve did not answer within {timeout:.0f} s:\n{served.errors()}")


def sign_in(client: httpx.Client, base_url: str, user: str, password: str) -> str:
    response = client.post(f"{base_url}{API}/auth/token", data={"username": user, "password": password})
    response.raise_for_status()
    return str(response.json()["access_token"])


def libpq(url: str) -> str:
    """A SQLAlchemy URL as a libpq connection string for psycopg."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """A URL to a new, empty PostgreSQL database on the server of `server_url`; dropped afterwards. Where
    the account may not create databases, a new schema in the server URL's database instead."""
    name = f"mandaat_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(libpq(server_url), autocommit=True) as admin:
        try:
            admin.execute(f'CREATE DATABASE "{name}"')
            created = "database"
        except psycopg.errors.InsufficientPrivilege:
            admin.execute(f'CREATE SCHEMA "{name}"')
            created = "schema"
    parsed = make_url(server_url)
    url = (
        parsed.set(database=name)
        if created == "database"
        else parsed.update_query_dict({"options": f"-csearch_path={name}"})
    )
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(libpq(server_url), autocommit=True) as admin:
            if created == "database":
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
                )
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            else:
                admin.execute(f'DROP SCHEMA "{name}" CASCADE')
