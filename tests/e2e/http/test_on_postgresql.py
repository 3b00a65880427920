"""The same API on PostgreSQL: one installation in a schema of its own, and a working day through every
resource, so that every query of the read side and of sign-in runs on PostgreSQL too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.http import world
from tests.e2e.http.conftest import OTHER_CASEWORKER, Api, Installation, postgres_serving
from tests.e2e.http.test_dossier_reads import assert_one_insert_for_a_list
from tests.integration.conftest import postgres_server_url  # noqa: F401 (a fixture)

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_api(postgres_server_url: str, installation: Installation) -> Iterator[Api]:  # noqa: F811
    yield from postgres_serving(postgres_server_url, installation)


def test_a_working_day_on_postgresql(pg_api: Api) -> None:
    api = pg_api
    for _ in range(5):
        assert api.sign_in("anna", "wrong password").status_code == 400
    assert api.sign_in("anna").status_code == 429
    api.clock.advance(minutes=1)
    assert api.sign_in("anna").status_code == 200

    dossier = world.open_dossier(api, reference="PG-1")
    world.open_dossier(api, OTHER_CASEWORKER, reference="PG-2")
    assert [d["reference"] for d in api.get("/dossiers", as_="anna").json()] == ["PG-1"]
    assert api.post("/dossiers/lookup", as_="anna", json={"reference": "PG-2"}).status_code == 404
    body = world.aid_body(dossier)
    first = api.post("/aid-requests", as_="anna", json=body, headers={"Idempotency-Key": "pg"})
    again = api.post("/aid-requests", as_="anna", json=body, headers={"Idempotency-Key": "pg"})
    assert (first.status_code, again.json()) == (201, first.json())
    escalated = world.escalated_request(api, dossier)
    assert api.post("/aid-requests/preview", as_="anna", json=body).json()["outcome"] == "escalate"
    assert [r["id"] for r in api.get("/aid-requests?status=escalated", as_="anna").json()] == [
        escalated["id"]
    ]
    assert [r["id"] for r in api.get("/escalations", as_=world.COMMITTEE).json()] == [escalated["id"]]
    decided = api.post(
        f"/escalations/{escalated['id']}/decision",
        as_=world.COMMITTEE,
        json={"decision": "refuse", "motivation": "nee"},
    )
    assert decided.json()["status"] == "refused"

    kleding = api.get(f"/envelopes/{api.envelopes['kleding']}", as_=world.FINANCE).json()
    assert (kleding["committed"], kleding["held"], kleding["available"]) == ("55.00", "0.00", "4945.00")
    assert len(api.get("/envelopes", as_="anna").json()) == 6
    assert len(api.get(f"/envelopes/{api.envelopes['kleding']}/ledger", as_=world.AUDITOR).json()) == 4
    log = api.get("/log", as_=world.AUDITOR).json()["entries"]
    assert log[-1]["action"] == "aid.committee_refused"
    assert api.get("/log/verify", as_=world.AUDITOR).json()["ok"] is True
    assert api.get("/policy", as_="anna").status_code == 200
    assert len(api.get("/policy/versions", as_="anna").json()) == 1
    assert [account.user.id for account in api.mandaat.views.accounts()] == [
        "admin", "anna", "audrey", "bram", "fien", "karel", "piet"
    ]  # fmt: skip

    api.clock.advance(minutes=31)
    assert api.get("/me", as_="anna").status_code == 401


def test_a_list_of_requests_is_one_insert_of_reads_on_postgresql(pg_api: Api) -> None:
    assert_one_insert_for_a_list(pg_api)
