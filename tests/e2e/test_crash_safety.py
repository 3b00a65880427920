"""Crash safety (issue 7): `mandaat serve` killed with SIGKILL mid-load, again and again, on SQLite (one
worker) and on PostgreSQL (two), and restarted on the same database each time.

Eight caseworker clients submit energy bills through the HTTP API, each request with its own Idempotency-Key,
against an envelope cut to about half the demand: approved while it lasts, escalated after; those above the
mandate ceiling escalate with a hold while the envelope covers them. A client repeats a request, same key and
same body, until it gets an answer: a connection error or a 5xx means "ask again once the server is back".
After a seeded number of answers since the last start, and only while requests are in flight, the whole
process group is killed (the supervisor and every uvicorn worker at once: nothing shuts down, nothing is
rolled back by the application) and started again on the same database and port.

Then every key is asked once more, and the database is read as a last SIGKILL left it: no decision lost (every
key answered; every answer any client saw is in the database and in the API's list), none made twice (one
request, one idempotency record, one ledger movement at most and one log entry per key; every answer to a key
the same as the first), no overspend (the ledger summed by plain SQL, at every point of its history), SQLite's
integrity_check, and `mandaat log verify`. One summary line per database, for the lead to quote.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from statistics import fmean
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from api.demo import CASEWORKER, DEMO_PASSWORD, FINANCE
from rules.money import Money
from tests.integration.aid_world import LedgerFigures, ledger_figures

# The session's PostgreSQL server: skips with the reason when none is reachable, fails under CI=true.
from tests.integration.conftest import postgres_server_url  # noqa: F401
from tests.support.served import (
    API,
    FAST_HASHING_ENV,
    MANDAAT,
    Served,
    fresh_postgres_database,
    kill,
    restart,
    sign_in,
    start,
)

CLIENTS = 8
WORKERS = {"sqlite": 1, "postgresql": 2}
SEED = 20261124
REQUESTS_PER_DOSSIER = 4  # each at most € 100,00, or € 300,00 first and then three: never above the
SMALL = (20_00, 100_00)  # household limit of € 400,00 a year
ABOVE_MANDATE = Money.parse("300.00")  # every third dossier starts with one (above the € 250,00 ceiling)
BUDGET_SHARE = 2  # the envelope is cut to a half of the demand (in whole euros)
KILL_JITTER = 0.03  # seconds: the kill falls anywhere in a request's life, not just after an answer
RETRY_PAUSE = 0.05  # seconds between the tries of a key that got no answer
MAX_5XX_PER_KEY = 5  # a crash cannot answer 5xx: a server that does is broken, not restarting
TIME_LIMIT = 300.0  # seconds for the load, restarts included: a hang fails instead of blocking CI


@dataclass(frozen=True)
class Drill:
    kills: int
    requests_per_client: int
    answers_between_kills: tuple[int, int]  # drawn by a seeded RNG: kill once that many came back


QUICK = Drill(kills=5, requests_per_client=20, answers_between_kills=(6, 18))
LONG = Drill(kills=15, requests_per_client=80, answers_between_kills=(8, 28))


@dataclass(frozen=True)
class Database:
    dialect: str
    url: str
    folder: Path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh database of its own: an SQLite file, or a new PostgreSQL database (dropped afterwards)."""
    if request.param == "sqlite":
        yield Database("sqlite", f"sqlite:///{tmp_path / 'mandaat.db'}", tmp_path)
        return
    with fresh_postgres_database(request.getfixturevalue("postgres_server_url")) as url:
        yield Database("postgresql", url, tmp_path)


def test_serve_survives_sigkill_under_load_without_losing_duplicating_or_overspending(
    database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = run_drill(database, QUICK)
    with capsys.disabled():
        print(f"\n{summary(outcome)}")
    check(outcome)


@pytest.fixture
def run_slow(request: pytest.FixtureRequest) -> None:
    """Skips unless asked for: --run-slow once a conftest declares it (getoption's default until then), or
    MANDAAT_RUN_SLOW=1. Listed before `database`, so no PostgreSQL database is made for nothing."""
    if not (
        request.config.getoption("--run-slow", default=False) or os.environ.get("MANDAAT_RUN_SLOW") == "1"
    ):
        pytest.skip("a long-running variant: run it with --run-slow (or MANDAAT_RUN_SLOW=1)")


@pytest.mark.slow
def test_serve_survives_many_more_sigkills_under_a_longer_load(
    run_slow: None, database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = run_drill(database, LONG)
    with capsys.disabled():
        print(f"\n{summary(outcome)}")
    check(outcome)


# --- the clients ------------------------------------------------------------------------------------------

Ask = tuple[str, dict[str, Any]]  # an idempotency key and the body


@dataclass(frozen=True)
class Answer:
    status: int
    replayed: bool
    body: dict[str, Any]


@dataclass
class Load:
    """What the clients and the killer share: where the server is, whether it is up, what came back."""

    base_url: str
    deadline: float
    changed: threading.Condition = field(default_factory=threading.Condition)
    up: bool = True
    aborted: bool = False
    in_flight: int = 0
    answered_since_start: int = 0
    clients_done: int = 0
    tries: int = 0
    answers: dict[str, list[Answer]] = field(default_factory=lambda: defaultdict(list))
    failures: list[tuple[str, str]] = field(default_factory=list)  # (key, what): no answer, tried again

    def begin(self) -> str:
        """Wait until the server is up, then count a try in flight; the server's address."""
        with self.changed:
            while not self.up and not self.aborted and time.monotonic() < self.deadline:
                self.changed.wait(max(0.0, self.deadline - time.monotonic()))
            if self.aborted or not self.up:
                raise RuntimeError("the drill was aborted, or the server did not come back in time")
            self.in_flight, self.tries = self.in_flight + 1, self.tries + 1
            self.changed.notify_all()
            return self.base_url

    def failed(self, key: str, what: str) -> None:
        with self.changed:
            self.in_flight -= 1
            self.failures.append((key, what))

    def answered(self, key: str, answer: Answer) -> None:
        with self.changed:
            self.in_flight -= 1
            self.answers[key].append(answer)
            self.answered_since_start += 1
            self.changed.notify_all()

    def client_done(self) -> None:
        with self.changed:
            self.clients_done += 1
            self.changed.notify_all()

    def going_down(self, after_answers: int, then: float) -> int:
        """`then` seconds after `after_answers` came back since the last start, as soon as a try is in
        flight: the server is down for the clients (a new try waits); how many tries are in flight."""
        self._wait_until(lambda: self.answered_since_start >= after_answers)
        time.sleep(then)
        with self.changed:  # a re-entrant lock: held from the check to the verdict
            self._wait_until(lambda: self.in_flight > 0)
            self.up = False
            return self.in_flight

    def _wait_until(self, ready: Callable[[], bool]) -> None:
        with self.changed:
            self.changed.wait_for(
                lambda: ready() or self.clients_done == CLIENTS,
                timeout=max(0.0, self.deadline - time.monotonic()),
            )
            assert self.clients_done < CLIENTS, "the load ended before the last kill: give it more requests"
            assert ready(), "no answer within the time limit"

    def back_up(self, base_url: str) -> None:
        with self.changed:
            self.base_url, self.up, self.answered_since_start = base_url, True, 0
            self.changed.notify_all()

    def abort(self) -> None:
        with self.changed:
            self.aborted = True
            self.changed.notify_all()


def submit_until_answered(load: Load, token: str, mine: list[Ask]) -> None:
    """Each request in turn, tried again (same key, same body) until it gets an answer that is not a 5xx.
    A server that answers 5xx to one key again and again is taken at its word, so that the test fails soon."""
    try:
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
            for key, body in mine:
                errors = 0
                while True:
                    base_url = load.begin()
                    try:
                        response = http.post(
                            f"{base_url}{API}/aid-requests", json=body, headers={"Idempotency-Key": key}
                        )
                    except httpx.TransportError as error:
                        load.failed(key, type(error).__name__)
                        time.sleep(RETRY_PAUSE)
                        continue
                    if response.status_code >= 500 and (errors := errors + 1) < MAX_5XX_PER_KEY:
                        load.failed(key, f"{response.status_code}: {response.text[:500]}")
                        time.sleep(RETRY_PAUSE)
                        continue
                    load.answered(key, answer_of(response))
                    break
    finally:
        load.client_done()


def answer_of(response: httpx.Response) -> Answer:
    try:
        body = response.json()
    except ValueError:
        body = response.text[:500]
    replayed = response.headers.get("Idempotent-Replayed") == "true"
    return Answer(response.status_code, replayed, body if isinstance(body, dict) else {"body": body})


# --- the drill --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Installation:
    caseworker: str  # a bearer token
    finance: str
    envelope_id: str
    asks: list[list[Ask]]  # per client
    demand: Money
    budget: Money

    @property
    def keys(self) -> set[str]:
        return {key for mine in self.asks for key, _ in mine}


@dataclass(frozen=True)
class Seen:
    """The API after the load: every key asked once more, GET /aid-requests, and the envelope."""

    replays: dict[str, Answer]  # key → the answer to asking it once more
    listed: dict[str, tuple[str, str]]  # id → (status, amount)
    envelope: dict[str, Any]


@dataclass(frozen=True)
class Found:
    """The database as a last SIGKILL left it: plain SQL, SQLite's integrity_check, `mandaat log verify`."""

    requests: dict[str, Any]  # id → the row (status, amount, held)
    records: dict[str, dict[str, Any]]  # idempotency key → the stored answer
    movements: Counter[tuple[str, str]]  # (aid request id, ledger entry kind) → how many
    figures: LedgerFigures
    log_entries: int
    integrity: str | None  # None on PostgreSQL
    verify: subprocess.CompletedProcess[str]


@dataclass(frozen=True)
class Outcome:
    database: Database
    drill: Drill
    installation: Installation
    before: tuple[LedgerFigures, int]  # the envelope and the number of log entries before the load
    load: Load
    kills: list[tuple[int, float]]  # (tries in flight, seconds until the server answered again)
    seen: Seen
    found: Found
    seconds: tuple[float, float]  # the load, and everything

    @property
    def first(self) -> dict[str, Answer]:
        return {key: answers[0] for key, answers in self.load.answers.items()}

    def decided(self, status: str | None = None) -> list[dict[str, Any]]:
        """The first answers that are decisions (201), with `status` when given."""
        bodies = [a.body for a in self.first.values() if a.status == 201]
        return [body for body in bodies if status in (None, body["status"])]

    def holding(self) -> list[dict[str, Any]]:
        """The first answers that put a hold on the envelope (escalated while it could cover them)."""
        return [body for body in self.decided() if Money.parse(body["held"]) > Money(0)]


def run_drill(database: Database, drill: Drill) -> Outcome:
    if not MANDAAT.exists():
        pytest.skip(f"the console script is not installed at {MANDAAT} (pip install -e .)")
    began = time.monotonic()
    randomness = random.Random(f"{SEED}-{drill.kills}")  # the same load and kill points on each database
    with ExitStack() as finally_:
        started: list[Served] = []
        finally_.callback(lambda: [served.stop() for served in started])  # before the database is dropped
        workers = WORKERS[database.dialect]
        started.append(start(database.url, database.folder, workers=workers, demo=True, env=FAST_HASHING_ENV))
        installation = install(started[-1].base_url, drill, randomness)
        with connected(database.url) as engine:  # and closed: no connection of the test's outlives a crash
            before = (ledger_figures(engine, installation.envelope_id), count(engine))
        load = Load(started[-1].base_url, deadline=time.monotonic() + TIME_LIMIT)
        kills: list[tuple[int, float]] = []
        loading = time.monotonic()
        with ThreadPoolExecutor(CLIENTS) as pool:
            clients = [
                pool.submit(submit_until_answered, load, installation.caseworker, m)
                for m in installation.asks
            ]
            try:
                for _ in range(drill.kills):
                    after_answers = randomness.randint(*drill.answers_between_kills)
                    in_flight = load.going_down(after_answers, then=randomness.uniform(0, KILL_JITTER))
                    crashed = time.monotonic()
                    kill(started[-1])
                    started.append(restart(started[-1]))
                    load.back_up(started[-1].base_url)
                    kills.append((in_flight, time.monotonic() - crashed))
            except BaseException:
                load.abort()
                raise
            for client in clients:
                client.result(timeout=TIME_LIMIT)
        load_seconds = time.monotonic() - loading
        seen = read_api(started[-1].base_url, installation)
        kill(started[-1])  # once more, idle: the database is read as a crash left it
        with connected(database.url) as engine:
            found = read_database(engine, database.url, installation.envelope_id)
    seconds = (load_seconds, time.monotonic() - began)
    return Outcome(database, drill, installation, before, load, kills, seen, found, seconds)


def install(base_url: str, drill: Drill, randomness: random.Random) -> Installation:
    """Through the API: new one-adult households whose energy bills the clients will ask for (all on the
    demo caseworker's dossiers), and the demo's energy envelope cut to a part of what they ask."""
    with httpx.Client(base_url=base_url + API, timeout=60) as client:
        caseworker = sign_in(client, base_url, CASEWORKER.user_id, DEMO_PASSWORD)
        finance = sign_in(client, base_url, FINANCE.user_id, DEMO_PASSWORD)
        envelopes = client.get("/envelopes", headers=bearer(finance)).json()
        energie = next(envelope for envelope in envelopes if envelope["theme"] == "energie")
        asks: list[list[Ask]] = [[] for _ in range(CLIENTS)]
        for number, mine in enumerate(asks):
            for household in range(drill.requests_per_client // REQUESTS_PER_DOSSIER):
                new = {
                    "reference": f"CRASH-{number}-{household:03d}",
                    "members": [{"birth_date": "1980-01-01"}],
                }
                dossier = client.post("/dossiers", json=new, headers=bearer(caseworker))
                assert dossier.status_code == 201, dossier.text
                for turn in range(REQUESTS_PER_DOSSIER):
                    above = turn == 0 and (number + household) % 3 == 0
                    amount = (
                        ABOVE_MANDATE if above else Money(randomness.randrange(SMALL[0], SMALL[1] + 1, 5))
                    )
                    body = {
                        "dossier_id": dossier.json()["id"],
                        "beneficiary_id": dossier.json()["members"][0]["id"],
                        "theme": "energie",
                        "item": "energiefactuur",
                        "amount": str(amount),
                        "justification": "Achterstallige energiefactuur; afsluiting dreigt.",
                    }
                    mine.append((f"crash-{number}-{len(mine)}", body))
        demand = total([body for mine in asks for _, body in mine], "amount")
        budget = Money(demand.cents // BUDGET_SHARE // 100 * 100)
        reduced = client.post(
            f"/envelopes/{energie['id']}/adjustments",
            json={
                "amount": f"-{Money.parse(energie['available']) - budget}",
                "reason": "budget voor de crashtest",
            },
            headers=bearer(finance),
        )
        assert reduced.status_code == 201, reduced.text
    return Installation(caseworker, finance, energie["id"], asks, demand, budget)


def read_api(base_url: str, installation: Installation) -> Seen:
    """Every key asked once more, from every client at once (no crash now: nothing may fail); every request
    on the caseworker's dossiers as GET /aid-requests lists them; the envelope as finance sees it."""
    again = Load(base_url, deadline=time.monotonic() + TIME_LIMIT)
    with ThreadPoolExecutor(CLIENTS) as pool:
        asking = [
            pool.submit(submit_until_answered, again, installation.caseworker, m) for m in installation.asks
        ]
        for done in asking:
            done.result(timeout=TIME_LIMIT)
    assert not again.failures, again.failures
    listed: dict[str, tuple[str, str]] = {}
    with httpx.Client(base_url=base_url + API, timeout=60) as client:
        while True:
            page = client.get(
                "/aid-requests",
                params={"limit": 500, "offset": len(listed)},
                headers=bearer(installation.caseworker),
            )
            assert page.status_code == 200, page.text
            listed |= {aid["id"]: (aid["status"], aid["amount"]) for aid in page.json()}
            if len(page.json()) < 500:
                break
        envelope = client.get(f"/envelopes/{installation.envelope_id}", headers=bearer(installation.finance))
        assert envelope.status_code == 200, envelope.text
    return Seen({key: answers[0] for key, answers in again.answers.items()}, listed, envelope.json())


def read_database(engine: Engine, url: str, envelope_id: str) -> Found:
    with engine.connect() as connection:
        requests = {
            row.id: row
            for row in connection.execute(
                text(
                    "SELECT a.id, a.status, a.amount, a.held FROM aid_requests a "
                    "JOIN client_dossiers d ON d.id = a.dossier_id WHERE d.reference LIKE 'CRASH-%'"
                )
            )
        }
        records = {
            row.key: row.answer if isinstance(row.answer, dict) else json.loads(row.answer)
            for row in connection.execute(
                text("SELECT key, answer FROM idempotency_records WHERE key LIKE 'crash-%'")
            )
        }
        movements = Counter(
            (row.aid_request_id, row.kind)
            for row in connection.execute(text("SELECT aid_request_id, kind FROM ledger_entries"))
            if row.aid_request_id in requests
        )
    integrity = None
    sqlite = make_url(url)
    if sqlite.get_backend_name() == "sqlite" and sqlite.database is not None:
        with closing(sqlite3.connect(sqlite.database)) as connection:
            integrity = "; ".join(str(row[0]) for row in connection.execute("PRAGMA integrity_check"))
    verify = subprocess.run(
        [str(MANDAAT), "log", "verify", "--db", url], capture_output=True, text=True, timeout=300, check=False
    )
    figures = ledger_figures(engine, envelope_id)
    return Found(requests, records, movements, figures, count(engine), integrity, verify)


@contextmanager
def connected(url: str) -> Iterator[Engine]:
    engine = create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT COUNT(*) FROM log_entries")).scalar_one())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def total(bodies: list[dict[str, Any]], figure: str) -> Money:
    return sum((Money.parse(body[figure]) for body in bodies), Money(0))


# --- what it shows ----------------------------------------------------------------------------------------


def summary(outcome: Outcome) -> str:
    first, load, found = outcome.first, outcome.load, outcome.found
    seen = {a.body.get("id") for answers in load.answers.values() for a in answers if a.status == 201}
    lost = len(outcome.installation.keys - set(first)) + len(seen - set(found.requests))
    answers_per_key = sum(len({(a.status, a.body.get("id")) for a in same}) for same in load.answers.values())
    duplicates = len(found.requests) - len(seen) + answers_per_key - len(load.answers)
    approved, held = outcome.decided("approved"), outcome.holding()
    errors = Counter("5xx" if what[:1] == "5" else "connection" for _, what in load.failures)
    dialect, workers = outcome.database.dialect, WORKERS[outcome.database.dialect]
    return (
        f"crash drill [{dialect}, {workers} worker{'s' * (workers > 1)}]: {len(outcome.kills)} SIGKILLs of "
        f"the process group survived under load (tries in flight at each: "
        f"{', '.join(str(in_flight) for in_flight, _ in outcome.kills)}; back in "
        f"{fmean([seconds for _, seconds in outcome.kills] or [0.0]):.1f} s on average); {CLIENTS} clients, "
        f"{len(outcome.installation.keys)} requests, {load.tries} tries, {load.tries - len(first)} retries "
        f"({errors['connection']} connection errors, {errors['5xx']} 5xx; "
        f"{sum(a.replayed for a in first.values())} answers cut off after the commit, replayed after the "
        f"restart), then each key once more; lost {lost}, duplicates {duplicates}; approved {len(approved)} "
        f"for {total(approved, 'amount').display()} of a budget of {outcome.installation.budget.display()} "
        f"(demand {outcome.installation.demand.display()}), escalated "
        f"{len(outcome.decided()) - len(approved)} ({len(held)} holding {total(held, 'held').display()}); "
        f"available {Money(found.figures.available).display()}; integrity_check {found.integrity or 'n/a'}; "
        f"log verify exit {found.verify.returncode}; load {outcome.seconds[0]:.1f} s, "
        f"{outcome.seconds[1]:.1f} s in all"
    )


def check(outcome: Outcome) -> None:
    first, load, keys, found, seen = (
        outcome.first,
        outcome.load,
        outcome.installation.keys,
        outcome.found,
        outcome.seen,
    )
    # Killed as often as asked, with tries in flight each time; connection errors only, never a 5xx.
    assert len(outcome.kills) == outcome.drill.kills
    assert all(in_flight > 0 for in_flight, _ in outcome.kills)
    assert [what for _, what in load.failures if what[:1] == "5"] == []
    # No lost decision: every key answered with a decision; each answer a client saw is in the database.
    assert set(first) == keys
    assert {a.status for answers in load.answers.values() for a in answers} == {201}, dict(load.answers)
    assert set(found.requests) == {a.body["id"] for a in first.values()}
    assert set(found.records) == keys
    for key, answer in first.items():
        body, row = answer.body, found.requests[answer.body["id"]]
        assert found.records[key]["request_id"] == body["id"], key
        decided = (body["status"], Money.parse(body["amount"]), Money.parse(body["held"]))
        assert (row.status, Money(int(row.amount)), Money(int(row.held))) == decided, key
        assert seen.listed[body["id"]] == (body["status"], body["amount"]), key
        if answer.replayed:  # the first answer this client saw was a replay: its first try was cut off
            assert key in {failed for failed, _ in load.failures}, key
    # No duplicate: one request per key, decided once; every answer to a key (replays after the load too) is
    # the first one; one log entry per decision, none for a try cut off.
    assert len({a.body["id"] for a in first.values()}) == len(keys)
    for key, answers in load.answers.items():
        assert [a.replayed for a in answers].count(False) <= 1, (key, answers)
        assert all(a.body == answers[0].body for a in answers), (key, answers)
        assert (seen.replays[key].status, seen.replays[key].replayed) == (201, True), key
        assert seen.replays[key].body == answers[0].body, key
    before, log_before = outcome.before
    assert found.log_entries == log_before + len(keys)
    # No overspend, no debit twice: one commitment per approval, one hold per held escalation, nothing else.
    approved, held = outcome.decided("approved"), outcome.holding()
    expected = [(body["id"], "commitment") for body in approved] + [(body["id"], "hold") for body in held]
    assert found.movements == Counter(expected)
    assert 0 < len(approved) < len(keys)  # the budget ran out: approvals and escalations both happened
    figures = found.figures
    assert figures.funded == before.funded
    assert figures.committed - before.committed == total(approved, "amount").cents
    assert figures.held - before.held == total(held, "held").cents
    assert figures.committed + figures.held <= figures.funded
    assert figures.available >= 0
    assert figures.lowest_running_available >= 0  # at no point of the envelope's history
    api = seen.envelope
    assert (Money.parse(api["available"]), Money.parse(api["committed"]), Money.parse(api["held"])) == (
        Money(figures.available), Money(figures.committed), Money(figures.held)
    )  # fmt: skip
    # The database survived its crashes: SQLite's own check, and the log's hash chain.
    assert found.integrity in (None, "ok"), found.integrity
    assert found.verify.returncode == 0, found.verify.stdout + found.verify.stderr
