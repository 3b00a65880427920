"""The JSON API over HTTP: a real application on a real SQLite database, users of every role signed in.

Once per session an installation is made the way an operator would: migrated, the demo policy installed as
the first version, an admin bootstrapped, a user of every role added (two caseworkers, so that "someone
else's dossier" exists), passwords set, an envelope per theme opened for 2026, and every user signed in.
Each test gets a copy of that database (SQLite's backup API) and its own application with its own clock,
which a test moves forward (token expiry, throttling).
"""

from __future__ import annotations

import sqlite3
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from api.auth.access import Client
from api.composition import Mandaat, build
from api.http.app import create_app
from api.settings import Settings
from envelopes import services as use
from envelopes.domain.users import Role
from envelopes.persistence.migrate import upgrade
from envelopes.services import commands as cmd
from envelopes.services.engine import DecisionEngine, rules_engine
from rules.money import Money
from rules.policies import DEMO_POLICY

with warnings.catch_warnings():  # starlette suggests httpx2; the TestClient works as it is
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

API = "/api/v1"
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday in the winter season, budget year 2026
PASSWORD = "een lang en goed wachtwoord"
SECRET = "test-secret-" + "x" * 40

#: The user of each role; `bram` is the other caseworker.
USERS = {
    Role.CASEWORKER: "anna",
    Role.FINANCE: "fien",
    Role.COMMITTEE: "karel",
    Role.POLICY: "piet",
    Role.AUDITOR: "audrey",
    Role.ADMIN: "admin",
}
OTHER_CASEWORKER = "bram"
THEMES = ("kleding", "energie", "onderwijs", "gezondheid", "vrije_tijd", "huisvesting")
ENVELOPE_AMOUNT = "5000.00"


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def settings_for(url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": url,
        "secret_key": SECRET,
        "argon2_time_cost": 1,
        "argon2_memory_kib": 64,
        "argon2_parallelism": 1,
        **overrides,
    }
    return Settings(**values)


@dataclass(frozen=True)
class Installation:
    database: Path | None  # an SQLite file to copy for each test
    tokens: dict[str, str]  # user id -> access token (valid at START for 30 minutes)
    envelopes: dict[str, str]  # theme -> envelope id (2026)
    decisions: DecisionEngine


def demo_files() -> dict[str, str]:
    return {path.name: path.read_bytes().decode("utf-8") for path in sorted(DEMO_POLICY.glob("*.yaml"))}


def install(url: str, decisions: DecisionEngine) -> tuple[dict[str, str], dict[str, str]]:
    """Set up a migrated, empty database as an operator would; the users' tokens and the envelopes' ids."""
    clock = FakeClock(START)
    mandaat = build(settings_for(url), clock=clock, decisions=decisions)
    try:
        use.install_first_policy_version(demo_files(), mandaat.uow(), decisions, clock)
        use.bootstrap_admin(cmd.BootstrapAdmin("admin", "Ad Min"), mandaat.uow(), clock)
        people = {**{user: role for role, user in USERS.items()}, OTHER_CASEWORKER: Role.CASEWORKER}
        for user, role in people.items():
            if role is not Role.ADMIN:
                use.add_user(cmd.AddUser("admin", user, user.capitalize(), role), mandaat.uow(), clock)
        setup = Client(None, "TEST", "conftest")
        for user in people:
            mandaat.access.set_password(user, PASSWORD, setup)
        envelopes = {}
        for theme in THEMES:
            command = cmd.OpenEnvelope(USERS[Role.FINANCE], theme, 2026, Money.parse(ENVELOPE_AMOUNT))
            envelopes[theme] = use.open_envelope(command, mandaat.uow(), clock).envelope_id
        tokens = {user: mandaat.access.sign_in(user, PASSWORD, setup).access_token for user in people}
    finally:
        mandaat.close()
    return tokens, envelopes


@pytest.fixture(scope="session")
def installation(tmp_path_factory: pytest.TempPathFactory) -> Installation:
    database = tmp_path_factory.mktemp("installation") / "mandaat.db"
    url = f"sqlite:///{database}"
    upgrade(url)
    decisions = rules_engine()
    tokens, envelopes = install(url, decisions)
    return Installation(database, tokens, envelopes, decisions)


@dataclass
class Api:
    """The application under test, called as one of its users."""

    client: TestClient
    mandaat: Mandaat
    clock: FakeClock
    tokens: dict[str, str]
    envelopes: dict[str, str]

    def call(
        self,
        method: str,
        path: str,
        *,
        as_: str | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        **options: Any,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if as_ is not None:
            sent.setdefault("Authorization", f"Bearer {self.tokens[as_]}")
        url = path if path.startswith(("/api/", "/docs", "/openapi")) else API + path
        return self.client.request(method, url, json=json, headers=sent, **options)

    def get(self, path: str, *, as_: str | None = None, **options: Any) -> httpx.Response:
        return self.call("GET", path, as_=as_, **options)

    def post(self, path: str, *, as_: str | None = None, **options: Any) -> httpx.Response:
        return self.call("POST", path, as_=as_, **options)

    def sign_in(self, user: str, password: str = PASSWORD) -> httpx.Response:
        return self.client.post(f"{API}/auth/token", data={"username": user, "password": password})

    def log_head(self) -> int:
        return use.log_head(self.mandaat.uow()).sequence


def fresh_api(installation: Installation, folder: Path, **overrides: Any) -> Iterator[Api]:
    """A copy of the installation's database, and an application of its own on it."""
    assert installation.database is not None
    copy = folder / f"mandaat-{uuid.uuid4().hex[:8]}.db"
    with sqlite3.connect(installation.database) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    yield from serving(f"sqlite:///{copy}", installation, **overrides)


def serving(url: str, installation: Installation, **overrides: Any) -> Iterator[Api]:
    """An application of its own, with its own clock, on an installed database at `url`."""
    clock = FakeClock(START)
    settings = settings_for(url, **overrides)
    mandaat = build(settings, clock=clock, decisions=installation.decisions)
    try:
        with TestClient(create_app(settings, services=mandaat)) as client:
            yield Api(client, mandaat, clock, installation.tokens, installation.envelopes)
    finally:
        mandaat.close()


def postgres_serving(server_url: str, installation: Installation, **overrides: Any) -> Iterator[Api]:
    """An installation of its own in a new PostgreSQL schema on `server_url`, and an application on it; the
    schema is dropped afterwards."""
    schema = f"e2e_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(_libpq(server_url), autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    try:
        upgrade(rendered)
        tokens, envelopes = install(rendered, installation.decisions)
        on_postgres = Installation(None, tokens, envelopes, installation.decisions)
        yield from serving(rendered, on_postgres, **overrides)
    finally:
        with psycopg.connect(_libpq(server_url), autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
"""The params of a fixture that serves on each database (`serving_on`)."""


def serving_on(request: pytest.FixtureRequest, folder: Path, **overrides: Any) -> Iterator[Api]:
    """An application on a copy of the installation (SQLite) or on an installation of its own (PostgreSQL),
    as `request.param` says (a fixture parametrised with `DATABASES`)."""
    installation: Installation = request.getfixturevalue("installation")
    if request.param == "sqlite":
        yield from fresh_api(installation, folder, **overrides)
    else:
        server = request.getfixturevalue("postgres_server_url")
        yield from postgres_serving(server, installation, **overrides)


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def api(installation: Installation, tmp_path: Path) -> Iterator[Api]:
    yield from fresh_api(installation, tmp_path)
