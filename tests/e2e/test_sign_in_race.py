"""Sixteen wrong passwords for one account at once, against `mandaat serve` as a process: no more than the
limit (5) are checked, whatever the number of workers and threads that take them at the same moment.

A checked try is answered 400 (wrong password); one refused before its password is looked at, 429. On
SQLite with one worker, and on PostgreSQL with three. The passwords are hashed with argon2's default costs,
so each check takes a while and the tries overlap.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from api.demo import CASEWORKER
from tests.integration.conftest import postgres_server_url  # noqa: F401 (a fixture)
from tests.support.served import API, Served, fresh_postgres_database, start

TRIES = 16
LIMIT = 5  # MANDAAT_LOGIN_FAILURE_LIMIT's default


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Served]:
    with ExitStack() as finally_:
        if request.param == "sqlite":
            url, workers = f"sqlite:///{tmp_path / 'mandaat.db'}", 1
        else:
            postgres = request.getfixturevalue("postgres_server_url")
            url, workers = finally_.enter_context(fresh_postgres_database(postgres)), 3
        server = start(url, tmp_path, workers=workers, demo=True)
        finally_.callback(server.stop)  # before the database is dropped
        yield server


def test_parallel_wrong_passwords_get_no_more_checks_than_the_limit(served: Served) -> None:
    together = threading.Barrier(TRIES)

    def wrong_password(attempt: int) -> int:
        with httpx.Client(base_url=served.base_url + API, timeout=60) as client:
            client.get("/policy/versions")  # connected (and answered 401) before the race starts
            together.wait(timeout=60)
            form = {"username": CASEWORKER.user_id, "password": f"not the password {attempt}"}
            return client.post("/auth/token", data=form).status_code

    with ThreadPoolExecutor(TRIES) as pool:
        answers = Counter(pool.map(wrong_password, range(TRIES)))

    assert answers == {400: LIMIT, 429: TRIES - LIMIT}
