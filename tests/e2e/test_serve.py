"""`mandaat serve` as a separate process, over real HTTP: on SQLite with one worker, on PostgreSQL with two.

The server is started the way the README starts it (`--demo`), on a fresh database, and stopped (SIGTERM,
then SIGKILL) whatever happens. Then: the demo prints where to open it and its logins, which work; a demo
caseworker gets winter shoes approved; and eight concurrent clients ask for energy bills against one envelope
that cannot cover them all while finance moves money in and out of it: no overspend, every retry answered
with the first decision, no decision lost or made twice, the log whole.
"""

from __future__ import annotations

import random
import socket
import subprocess
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from api.cli import create_app
from api.composition import build
from api.demo import CASEWORKER, DEMO_LOGINS, DEMO_PASSWORD, FINANCE, seed_demo
from api.settings import Settings
from envelopes.services import verify_log
from rules.money import Money
from tests.integration.aid_world import ledger_figures

# The session's PostgreSQL server: skips with the reason when none is reachable, fails under CI=true.
from tests.integration.conftest import postgres_server_url  # noqa: F401
from tests.support.served import API, MANDAAT, Served, fresh_postgres_database, sign_in, start

CLIENTS = 8  # caseworker clients, in pairs that walk the same requests in the same order
PAIRS = CLIENTS // 2
DOSSIERS = 100
REQUESTS_PER_DOSSIER = 2  # at most € 200,00 each: the household limit of € 400,00 a year is never the reason
BUDGET = Money.parse("2500.00")
MIN_FINANCE_ROUNDS = 3  # and on until the caseworkers are done


@dataclass(frozen=True)
class Server:
    served: Served
    dialect: str
    workers: int

    @property
    def base_url(self) -> str:
        return self.served.base_url


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp(f"serve-{request.param}")
    with ExitStack() as finally_:
        if request.param == "sqlite":
            url, workers = f"sqlite:///{folder / 'mandaat.db'}", 1
        else:
            postgres = request.getfixturevalue("postgres_server_url")
            url, workers = finally_.enter_context(fresh_postgres_database(postgres)), 2
        served = start(url, folder, workers=workers, demo=True)
        finally_.callback(served.stop)  # before the database is dropped
        yield Server(served, request.param, workers)
    assert served.process.returncode is not None


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def signed_in(client: httpx.Client, server: Server, user: str) -> dict[str, str]:
    return bearer(sign_in(client, server.base_url, user, DEMO_PASSWORD))


# --- the demo ---------------------------------------------------------------------------------------------


def test_serve_prints_where_to_open_it_and_the_demo_logins_which_work(server: Server) -> None:
    printed = server.served.output()
    assert f"{server.base_url}/" in printed
    assert f"{server.base_url}/docs" in printed
    assert "Demo-aanmeldingen / demo logins" in printed
    for login in DEMO_LOGINS:
        assert any(
            login.user_id in line
            and login.role.value in line
            and login.role_nl in line
            and DEMO_PASSWORD in line
            for line in printed.splitlines()
        ), login
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        for login in DEMO_LOGINS:
            me = client.get(f"{API}/me", headers=signed_in(client, server, login.user_id))
            assert me.status_code == 200, me.text
            assert me.json()["role"] == login.role.value


def test_a_demo_caseworker_gets_winter_shoes_approved_and_the_committee_has_a_request(server: Server) -> None:
    with httpx.Client(base_url=server.base_url + API, timeout=30) as client:
        caseworker = signed_in(client, server, CASEWORKER.user_id)
        dossiers = client.get("/dossiers", headers=caseworker).json()
        first = next(dossier for dossier in dossiers if dossier["reference"] == "DEMO-0001")
        child = next(member for member in first["members"] if member["relation"] == "kind")
        assert 7 <= (date.today() - date.fromisoformat(child["birth_date"])).days // 365 <= 9
        body = {
            "dossier_id": first["id"],
            "beneficiary_id": child["id"],
            "theme": "kleding",
            "item": "winterschoenen",
            "amount": "55.00",
            "justification": "kind van 8 heeft geen waterdichte winterschoenen",
        }
        asked = client.post("/aid-requests", json=body, headers={**caseworker, "Idempotency-Key": "shoes-1"})
        assert asked.status_code == 201, asked.text
        assert (asked.json()["status"], asked.json()["reasons"]) == ("approved", [])
        again = client.post("/aid-requests", json=body, headers={**caseworker, "Idempotency-Key": "shoes-1"})
        assert again.json() == asked.json()
        assert again.headers["Idempotent-Replayed"] == "true"

        queue = client.get("/escalations", headers=signed_in(client, server, "comite")).json()
        assert [(aid["item"], aid["status"]) for aid in queue] == [("huurwaarborg", "escalated")]


# --- eight clients and finance at once --------------------------------------------------------------------


@dataclass(frozen=True)
class Try:
    status: int
    replayed: bool
    body: dict[str, Any]


def test_eight_clients_and_finance_at_once_never_overspend_nor_decide_twice(server: Server) -> None:
    base = server.base_url + API
    with httpx.Client(base_url=base, timeout=60) as client:
        caseworker = signed_in(client, server, CASEWORKER.user_id)
        finance = signed_in(client, server, FINANCE.user_id)
        envelopes = {e["theme"]: e for e in client.get("/envelopes", headers=finance).json()}
        energie, kleding = envelopes["energie"]["id"], envelopes["kleding"]["id"]
        cut = Money.parse(envelopes["energie"]["available"]) - BUDGET
        reduced = client.post(
            f"/envelopes/{energie}/adjustments",
            json={"amount": f"-{cut}", "reason": "budget voor de gelijktijdigheidstest"},
            headers=finance,
        )
        assert reduced.status_code == 201, reduced.text
        assert reduced.json()["available"] == str(BUDGET)
        asks = pair_asks(client, caseworker)
    keys = {key for mine in asks for key, _ in mine}
    demand = sum((Money.parse(body["amount"]) for mine in asks for _, body in mine), Money(0))
    engine = create_engine(server.served.database_url)
    log_before = count(engine, "log_entries")

    tried: dict[str, list[Try]] = defaultdict(list)
    collecting = threading.Lock()
    submitting_done = threading.Event()

    def submitter(mine: list[tuple[str, dict[str, Any]]]) -> int:
        tries = 0
        with httpx.Client(base_url=base, headers=caseworker, timeout=60) as own:
            for index, (key, body) in enumerate(mine):
                for _ in range(2 if index % 4 == 0 else 1):  # and every fourth again, once answered
                    response = own.post("/aid-requests", json=body, headers={"Idempotency-Key": key})
                    replayed = response.headers.get("Idempotent-Replayed") == "true"
                    tries += 1
                    with collecting:
                        tried[key].append(Try(response.status_code, replayed, response.json()))
        return tries

    def money_mover() -> Counter[int]:
        acts = [
            (f"/envelopes/{energie}/adjustments", {"amount": "50.00", "reason": "bijstorting"}),
            ("/envelope-transfers", transfer_body(kleding, energie, "100.00")),
            ("/envelope-transfers", transfer_body(energie, kleding, "80.00")),
            (f"/envelopes/{energie}/adjustments", {"amount": "-40.00", "reason": "besparing"}),
        ]
        outcomes: Counter[int] = Counter()
        with httpx.Client(base_url=base, headers=finance, timeout=60) as own:
            for round_number in range(1000):
                if round_number >= MIN_FINANCE_ROUNDS and submitting_done.is_set():
                    break
                for path, body in acts:
                    outcomes[own.post(path, json=body).status_code] += 1  # 409: it cannot bear that
                    time.sleep(0.01)
        return outcomes

    started = time.monotonic()
    with ThreadPoolExecutor(CLIENTS + 1) as pool:
        moving = pool.submit(money_mover)
        submitters = [pool.submit(submitter, mine) for mine in asks for _ in range(2)]
        try:
            tries = sum(future.result(timeout=120) for future in submitters)
        finally:
            submitting_done.set()
        finance_outcomes = moving.result(timeout=120)
    duration = time.monotonic() - started

    # Every try answered; one request, one decision; every retry got the first answer.
    assert {t.status for same in tried.values() for t in same} == {201}, tried
    assert set(finance_outcomes) <= {201, 409}, finance_outcomes
    assert set(tried) == keys
    for key, same in tried.items():
        assert [t.replayed for t in same].count(False) == 1, key
        first = next(t.body for t in same if not t.replayed)
        assert all((t.body["id"], t.body["status"], t.body["amount"]) == (first["id"], first["status"],
                   first["amount"]) for t in same), key  # fmt: skip
        assert all(t.body == first for t in same), key
    first_answers = [next(t.body for t in same if not t.replayed) for same in tried.values()]
    assert len({answer["id"] for answer in first_answers}) == len(keys)
    assert count(engine, "aid_requests", f"envelope_id = '{energie}'") == len(keys)
    assert count(engine, "idempotency_records", "key LIKE 'conc-%'") == len(keys)
    assert count(engine, "log_entries") == log_before + len(keys) + finance_outcomes[201]

    # No overspend: from the API's ledger, and summed by plain SQL.
    approved = [answer for answer in first_answers if answer["status"] == "approved"]
    approved_sum = sum((Money.parse(answer["amount"]) for answer in approved), Money(0))
    with httpx.Client(base_url=base, headers=finance, timeout=60) as client:
        envelope = client.get(f"/envelopes/{energie}").json()
        ledger = client.get(f"/envelopes/{energie}/ledger", params={"limit": 500}).json()
        assert len(ledger) < 500
    assert Money.parse(envelope["available"]) >= Money(0)
    assert Money.parse(envelope["committed"]) == approved_sum
    assert Money.parse(envelope["held"]) == Money(0)  # an envelope that cannot cover holds nothing for it
    running, lowest = 0, 0
    for entry in ledger:
        change = Money.parse(entry["amount"]).cents
        running += (
            change if entry["kind"] in ("allocation", "adjustment", "transfer_in", "release") else -change
        )
        lowest = min(lowest, running)
    commitments = Counter(entry["aid_request_id"] for entry in ledger if entry["kind"] == "commitment")
    assert lowest >= 0
    assert commitments == Counter(answer["id"] for answer in approved)
    figures = ledger_figures(engine, energie)
    assert (figures.committed, figures.held) == (approved_sum.cents, 0)
    assert figures.available == running == Money.parse(envelope["available"]).cents
    assert figures.lowest_running_available >= 0
    assert ledger_figures(engine, kleding).lowest_running_available >= 0
    assert 0 < len(approved) < len(keys)  # the budget ran out: the test tested something
    engine.dispose()

    verified = subprocess.run(
        [str(MANDAAT), "log", "verify", "--db", server.served.database_url], capture_output=True, text=True
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr

    print(
        f"\n[HTTP, {server.dialect}, {server.workers} worker{'s' * (server.workers > 1)}] {CLIENTS} clients "
        f"and finance: {len(keys)} requests, {tries} tries ({tries - len(keys)} repeat a key: each key "
        "is sent by two clients at once, every fourth again by each); demand "
        f"{demand.display()}; approved {len(approved)} for {approved_sum.display()} of a budget of "
        f"{Money(figures.funded).display()} (cut to {BUDGET.display()}; finance: {finance_outcomes[201]} "
        f"acts, {finance_outcomes[409]} refused); available {Money(figures.available).display()}; "
        f"escalated {len(keys) - len(approved)}; {duration:.2f} s"
    )


def pair_asks(client: httpx.Client, caseworker: dict[str, str]) -> list[list[tuple[str, dict[str, Any]]]]:
    """Energy bills for new one-adult households, split into one list per pair of clients."""
    randomness = random.Random(20261123)
    asks: list[list[tuple[str, dict[str, Any]]]] = [[] for _ in range(PAIRS)]
    for number in range(DOSSIERS):
        body = {"reference": f"CONC-{number:03d}", "members": [{"birth_date": "1980-01-01"}]}
        dossier = client.post("/dossiers", json=body, headers=caseworker)
        assert dossier.status_code == 201, dossier.text
        for second in range(REQUESTS_PER_DOSSIER):
            amount = Money(randomness.randrange(60_00, 200_01, 5))
            asks[number % PAIRS].append(
                (
                    f"conc-{number}-{second}",
                    {
                        "dossier_id": dossier.json()["id"],
                        "beneficiary_id": dossier.json()["members"][0]["id"],
                        "theme": "energie",
                        "item": "energiefactuur",
                        "amount": str(amount),
                        "justification": "Achterstallige energiefactuur; afsluiting dreigt.",
                    },
                )
            )
    return asks


def transfer_body(source: str, target: str, amount: str) -> dict[str, str]:
    return {"from_envelope_id": source, "to_envelope_id": target, "amount": amount, "reason": "herverdeling"}


def count(engine: Any, table: str, where: str = "1 = 1") -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT COUNT(*) FROM {table} WHERE {where}")).scalar_one())


# --- without a server -------------------------------------------------------------------------------------


def test_the_demo_is_seeded_once_and_a_restart_changes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'mandaat.db'}"
    assert CliRunner().invoke(create_app(), ["db", "upgrade", "--db", url]).exit_code == 0
    fast: dict[str, Any] = {"argon2_time_cost": 1, "argon2_memory_kib": 64, "argon2_parallelism": 1}
    mandaat = build(Settings(database_url=url, **fast))
    try:
        first, again = seed_demo(mandaat), seed_demo(mandaat)
        assert (first.seeded, first.demo_users, first.dossiers, first.escalated) == (True, True, 5, 1)
        assert (again.seeded, again.demo_users) == (False, True)
        assert sorted(a.user.id for a in mandaat.views.accounts()) == sorted(d.user_id for d in DEMO_LOGINS)
        assert all(account.has_password for account in mandaat.views.accounts())
        assert len(mandaat.views.envelopes(year=first.year)) == len(first.envelopes) == 6
        assert verify_log(mandaat.read_uow()).ok
    finally:
        mandaat.close()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--port", "0"], "--port"),
        (["--port", "65536"], "--port"),
        (["--workers", "0"], "--workers"),
        (["--db", "mysql://someone@localhost/mandaat"], "not a database URL Mandaat can use"),
        (["--db", "sqlite://"], "in-memory"),
        (["--policy", "no-such-folder"], "no-such-folder: there is no such folder"),
        (["--host", "no-such-host.invalid"], "--host no-such-host.invalid"),
    ],
)
def test_bad_options_are_refused_with_exit_code_2_before_anything_changes(
    options: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(create_app(), ["serve", *options])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert list(tmp_path.iterdir()) == []  # no database was made


def test_a_port_in_use_is_refused_with_exit_code_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        url = f"sqlite:///{tmp_path / 'mandaat.db'}"
        result = CliRunner().invoke(create_app(), ["serve", "--db", url, "--port", port])
    assert result.exit_code == 2, result.output
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert not (tmp_path / "mandaat.db").exists()
