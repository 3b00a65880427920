"""What `mandaat serve` prints when the database refuses a write: one line per error, and never the texts the
request carried (a committee's motivation, a freeze or withdrawal reason, a login name).

The server runs as a process (SQLite with one worker, PostgreSQL with two), with its output captured. The
database is then made to refuse exactly the writes that carry marker texts (a trigger on SQLite, a CHECK
constraint on PostgreSQL, whose error even quotes the failing row), the credentials table is broken for a
sign-in, and each act is tried through the API and one through a page. Every one of them fails with a 500;
the output must name each failure once, and hold none of the markers.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, closing
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from api.demo import CASEWORKER, DEMO_PASSWORD, FINANCE
from tests.integration.conftest import postgres_server_url  # noqa: F401 (a fixture)
from tests.support.served import (
    API,
    FAST_HASHING_ENV,
    Served,
    fresh_postgres_database,
    libpq,
    sign_in,
    start,
)

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
COMMITTEE = "comite"
MARK = "MARKER"

SQLITE_REFUSALS = (
    f"""CREATE TRIGGER refuse_marked_requests BEFORE UPDATE ON aid_requests
        WHEN NEW.motivation LIKE '%{MARK}%' OR NEW.closing_reason LIKE '%{MARK}%'
        BEGIN SELECT RAISE(ABORT, 'refused by the test'); END""",
    f"""CREATE TRIGGER refuse_marked_envelopes BEFORE UPDATE ON envelopes
        WHEN NEW.frozen_reason LIKE '%{MARK}%'
        BEGIN SELECT RAISE(ABORT, 'refused by the test'); END""",
)
POSTGRES_REFUSALS = (  # PostgreSQL's error quotes the failing row: "DETAIL: Failing row contains (…)"
    f"""ALTER TABLE aid_requests ADD CONSTRAINT refuse_marked_requests
        CHECK (motivation NOT LIKE '%{MARK}%' AND closing_reason NOT LIKE '%{MARK}%') NOT VALID""",
    f"""ALTER TABLE envelopes ADD CONSTRAINT refuse_marked_envelopes
        CHECK (frozen_reason NOT LIKE '%{MARK}%') NOT VALID""",
)
BREAK_CREDENTIALS = "ALTER TABLE credentials RENAME COLUMN password_hash TO password_hash_gone"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Served]:
    with ExitStack() as finally_:
        if request.param == "sqlite":
            url, workers = f"sqlite:///{tmp_path / 'mandaat.db'}", 1
        else:
            postgres = request.getfixturevalue("postgres_server_url")
            url, workers = finally_.enter_context(fresh_postgres_database(postgres)), 2
        server = start(url, tmp_path, workers=workers, demo=True, env=FAST_HASHING_ENV)
        finally_.callback(server.stop)  # before the database is dropped
        yield server


def run_sql(url: str, *statements: str) -> None:
    """DDL straight on the database the server uses, as an operator (or a failing disk) might."""
    if make_url(url).get_backend_name() == "sqlite":
        with closing(sqlite3.connect(make_url(url).database or "", timeout=30)) as database:
            for statement in statements:
                database.execute(statement)
            database.commit()
        return
    with psycopg.connect(libpq(url), autocommit=True) as database:
        for statement in statements:
            database.execute(statement)  # type: ignore[arg-type] (DDL of this test's own)


def marker(what: str) -> str:
    return f"{MARK}-{what}-{uuid.uuid4().hex[:8]}"


def bearer(client: httpx.Client, base_url: str, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {sign_in(client, base_url, user, DEMO_PASSWORD)}"}


def escalate(client: httpx.Client, caseworker: dict[str, str]) -> str:
    """Winter shoes above the limit for the demo's child: an open request, escalated."""
    dossier = next(
        d for d in client.get("/dossiers", headers=caseworker).json() if d["reference"] == "DEMO-0001"
    )
    child = next(member for member in dossier["members"] if member["relation"] == "kind")
    body = {
        "dossier_id": dossier["id"],
        "beneficiary_id": child["id"],
        "theme": "kleding",
        "item": "winterschoenen",
        "amount": "75.00",
        "justification": "geen waterdichte schoenen",
    }
    asked = client.post(
        "/aid-requests", json=body, headers={**caseworker, "Idempotency-Key": uuid.uuid4().hex}
    )
    assert asked.status_code == 201, asked.text
    assert asked.json()["status"] == "escalated"
    return str(asked.json()["id"])


def withdraw_on_the_page(base_url: str, request_id: str, reason: str) -> int:
    """Sign in on the sign-in page as the demo caseworker and withdraw a request with its form."""
    with httpx.Client(base_url=base_url, timeout=30) as browser:
        form = CSRF.search(browser.get("/aanmelden").text)
        assert form is not None
        credentials = {"csrf_token": form.group(1), "username": CASEWORKER.user_id, "password": DEMO_PASSWORD}
        signed = browser.post("/aanmelden", data=credentials, follow_redirects=True)
        assert signed.status_code == 200, signed.text
        page = browser.get(f"/aanvragen/{request_id}")
        token = CSRF.search(page.text)
        assert page.status_code == 200
        assert token is not None
        withdrawn = browser.post(
            f"/aanvragen/{request_id}/intrekken", data={"csrf_token": token.group(1), "reason": reason}
        )
        return withdrawn.status_code


def test_a_refused_write_is_logged_once_and_without_what_was_sent(served: Served) -> None:
    url = served.database_url
    sqlite = make_url(url).get_backend_name() == "sqlite"
    markers = {
        name: marker(name) for name in ("motivation", "freeze", "withdrawal", "page-withdrawal", "login")
    }
    markers["login"] = markers["login"].lower()  # login names are compared in lower case
    with httpx.Client(base_url=served.base_url + API, timeout=30) as client:
        caseworker = bearer(client, served.base_url, CASEWORKER.user_id)
        committee = bearer(client, served.base_url, COMMITTEE)
        finance = bearer(client, served.base_url, FINANCE.user_id)
        [waiting] = client.get("/escalations", headers=committee).json()
        envelope = client.get("/envelopes", headers=finance).json()[0]["id"]
        by_api, by_page = escalate(client, caseworker), escalate(client, caseworker)
        run_sql(url, *(SQLITE_REFUSALS if sqlite else POSTGRES_REFUSALS))

        answers = {
            "motivation": client.post(
                f"/escalations/{waiting['id']}/decision",
                json={"decision": "refuse", "motivation": markers["motivation"]},
                headers=committee,
            ),
            "freeze": client.post(
                f"/envelopes/{envelope}/freeze", json={"reason": markers["freeze"]}, headers=finance
            ),
            "withdrawal": client.post(
                f"/aid-requests/{by_api}/withdraw", json={"reason": markers["withdrawal"]}, headers=caseworker
            ),
        }
        statuses = {name: answer.status_code for name, answer in answers.items()}
        statuses["page-withdrawal"] = withdraw_on_the_page(
            served.base_url, by_page, markers["page-withdrawal"]
        )
        run_sql(url, BREAK_CREDENTIALS)
        signing_in = client.post("/auth/token", data={"username": markers["login"], "password": "x" * 12})
        statuses["login"] = signing_in.status_code

    assert statuses == dict.fromkeys(markers, 500), {n: a.text for n, a in answers.items()}
    assert all(text not in answer.text for answer in answers.values() for text in markers.values())
    served.stop()
    printed = served.output() + served.errors()
    for name, text in markers.items():
        assert text.lower() not in printed.lower(), f"the {name} marker is in the server's output:\n{printed}"
    assert "Traceback" not in printed
    failures = [line for line in printed.splitlines() if "unexpected error" in line]
    assert len(failures) == len(markers), printed
    for route in (
        "POST /api/v1/escalations/{request_id}/decision",
        "POST /api/v1/envelopes/{envelope_id}/freeze",
        "POST /api/v1/aid-requests/{request_id}/withdraw",
        "POST /aanvragen/{request_id}/intrekken",
        "POST /api/v1/auth/token",
    ):
        assert sum(route in line for line in failures) == 1, (route, failures)
