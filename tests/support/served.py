"""`mandaat serve` as a real process on a free loopback port, for the end-to-end tests and the HTTP benchmark.

The server runs in a session of its own, with its output in files (a pipe nobody reads would fill and stop
it). `stop()` sends SIGTERM and waits; a server that does not stop in time is killed with its whole process
group (the uvicorn workers too).
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


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    base_url: str
    database_url: str
    folder: Path
    log_name: str

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
) -> Served:
    """`mandaat serve` on a free port of 127.0.0.1, run in `folder`, once it answers HTTP."""
    for attempt in range(3):
        port = free_port()
        command = [str(MANDAAT), "serve", "--db", database_url, "--host", "127.0.0.1", "--port", str(port)]
        command += ["--workers", str(workers), *(["--demo"] if demo else []), *extra]
        environment = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
        log_name = f"serve-{port}-{attempt}"
        with (
            (folder / f"{log_name}.out").open("wb") as stdout,
            (folder / f"{log_name}.err").open("wb") as stderr,
        ):
            process = subprocess.Popen(  # the files stay open in the child
                command, cwd=folder, env=environment, stdout=stdout, stderr=stderr, start_new_session=True
            )
        served = Served(process, f"http://127.0.0.1:{port}", database_url, folder, log_name)
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
