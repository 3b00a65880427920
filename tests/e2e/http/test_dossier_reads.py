"""Every answer of the API that holds a dossier's household is written to the access log first: who, when,
which dossier (its id, never its reference) and why. Read back from the access log itself."""

from __future__ import annotations

import sqlite3
import warnings
from contextlib import closing

import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url

from api.auth.access import AccessControl
from envelopes.persistence.accounts import AccessEvent, SqlAccounts
from envelopes.persistence.database import make_session_factory
from tests.e2e.http import world
from tests.e2e.http.conftest import API, OTHER_CASEWORKER, Api

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

READ = "dossier.read"


def reads(api: Api) -> list[AccessEvent]:
    """The dossier reads in the access log, oldest first."""
    with SqlAccounts(make_session_factory(api.mandaat.database), read_only=True) as store:
        return list(reversed(store.events(limit=1000, event=READ)))


def access_log_text(api: Api) -> str:
    path = make_url(api.mandaat.settings.database_url).database
    assert path is not None
    with closing(sqlite3.connect(path)) as database:
        return "\n".join(repr(row) for row in database.execute("SELECT * FROM access_log"))


def test_reading_a_dossier_writes_who_when_which_and_why(api: Api) -> None:
    dossier = world.open_dossier(api)
    assert reads(api) == []  # opening it gives back only what was sent: not a read

    response = api.get(f"/dossiers/{dossier['id']}", as_=world.CASEWORKER)

    assert response.status_code == 200
    [read] = reads(api)
    assert read.event == READ
    assert (read.user_id, read.dossier_id, read.at) == (world.CASEWORKER, dossier["id"], api.clock())
    assert (read.detail, read.purpose) == ("case_work", "case work")
    assert (read.method, read.route, read.status) == ("GET", f"{API}/dossiers/{{dossier_id}}", 200)


def test_the_committee_reads_for_its_ruling(api: Api) -> None:
    dossier = world.open_dossier(api)

    api.get(f"/dossiers/{dossier['id']}", as_=world.COMMITTEE)

    [read] = reads(api)
    assert (read.user_id, read.detail) == (world.COMMITTEE, "committee_ruling")
    assert read.dossier_id == dossier["id"]


def test_a_lookup_by_reference_writes_the_id_and_never_the_reference(api: Api) -> None:
    dossier = world.open_dossier(api, reference="MA-2026-GEHEIM")

    response = api.post("/dossiers/lookup", as_=world.CASEWORKER, json={"reference": "MA-2026-GEHEIM"})

    assert response.status_code == 200
    [read] = reads(api)
    assert (read.dossier_id, read.route) == (dossier["id"], f"{API}/dossiers/lookup")
    stored = access_log_text(api)
    for personal in ("MA-2026-GEHEIM", world.CHILD, world.ADULT, "kind", "aanvrager"):
        assert personal not in stored


def test_a_list_writes_one_read_per_dossier_shown(api: Api) -> None:
    first, second = world.open_dossier(api), world.open_dossier(api)
    world.open_dossier(api, OTHER_CASEWORKER)  # not shown to anna: not read

    shown = api.get("/dossiers", as_=world.CASEWORKER).json()

    assert {d["id"] for d in shown} == {first["id"], second["id"]}
    assert sorted(read.dossier_id or "" for read in reads(api)) == sorted([first["id"], second["id"]])
    assert {read.route for read in reads(api)} == {f"{API}/dossiers"}


def test_a_refused_read_is_no_read(api: Api) -> None:
    theirs = world.open_dossier(api, OTHER_CASEWORKER)

    response = api.get(f"/dossiers/{theirs['id']}", as_=world.CASEWORKER)
    by_reference = api.post("/dossiers/lookup", as_=world.CASEWORKER, json={"reference": theirs["reference"]})
    by_role = api.get(f"/dossiers/{theirs['id']}", as_=world.FINANCE)

    assert [response.status_code, by_reference.status_code, by_role.status_code] == [404, 404, 403]
    assert reads(api) == []


@pytest.mark.parametrize("by", [world.CASEWORKER, world.ADMIN])
def test_a_handover_answers_without_the_household_and_is_no_read(api: Api, by: str) -> None:
    dossier = world.open_dossier(api)

    response = api.post(
        f"/dossiers/{dossier['id']}/reassign", as_=by, json={"caseworker_id": OTHER_CASEWORKER}
    )

    assert response.status_code == 200
    assert response.json() == {"id": dossier["id"], "caseworker_id": OTHER_CASEWORKER}
    assert reads(api) == []


def test_reading_aid_requests_writes_one_read_per_dossier_they_are_on(api: Api) -> None:
    first, second = world.open_dossier(api), world.open_dossier(api)
    theirs = world.open_dossier(api, OTHER_CASEWORKER)
    one = world.approved_request(api, first)
    world.escalated_request(api, first)
    world.escalated_request(api, second)
    world.escalated_request(api, theirs)

    listed = api.get("/aid-requests", as_=world.CASEWORKER)
    single = api.get(f"/aid-requests/{one['id']}", as_=world.CASEWORKER)

    assert (listed.status_code, single.status_code) == (200, 200)
    assert len(listed.json()) == 3
    found = reads(api)
    assert sorted((read.route, read.dossier_id or "") for read in found) == sorted(
        [
            (f"{API}/aid-requests", first["id"]),
            (f"{API}/aid-requests", second["id"]),
            (f"{API}/aid-requests/{{request_id}}", first["id"]),
        ]
    )
    assert {(read.user_id, read.detail, read.purpose) for read in found} == {
        (world.CASEWORKER, "case_work", "case work (aid requests)")
    }


def test_the_committees_queue_is_a_read_of_each_dossier_in_it(api: Api) -> None:
    mine, theirs = world.open_dossier(api), world.open_dossier(api, OTHER_CASEWORKER)
    world.escalated_request(api, mine)
    world.escalated_request(api, mine)
    world.escalated_request(api, theirs)

    queue = api.get("/escalations", as_=world.COMMITTEE)

    assert len(queue.json()) == 3
    assert sorted(read.dossier_id or "" for read in reads(api)) == sorted([mine["id"], theirs["id"]])
    assert {(read.user_id, read.detail, read.purpose, read.route) for read in reads(api)} == {
        (world.COMMITTEE, "committee_ruling", "committee ruling (aid requests)", f"{API}/escalations")
    }


def test_a_list_of_many_requests_is_one_insert(api: Api) -> None:
    assert_one_insert_for_a_list(api)


def assert_one_insert_for_a_list(api: Api) -> None:
    """24 requests over 12 dossiers: 12 reads, sent to the database as one statement (on PostgreSQL too:
    test_on_postgresql.py)."""
    dossiers = [world.open_dossier(api) for _ in range(12)]
    for dossier in dossiers:
        world.escalated_request(api, dossier, amount="61.00")
        world.escalated_request(api, dossier, amount="62.00")
    inserts: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *rest: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO ACCESS_LOG"):
            inserts.append(statement)

    event.listen(api.mandaat.databases.writes, "before_cursor_execute", seen)
    try:
        assert len(api.get("/aid-requests", as_=world.CASEWORKER).json()) == 24
    finally:
        event.remove(api.mandaat.databases.writes, "before_cursor_execute", seen)

    assert len(inserts) == 1
    assert sorted(read.dossier_id or "" for read in reads(api)) == sorted(d["id"] for d in dossiers)


def test_no_dossier_is_given_when_its_read_cannot_be_written(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    dossier = world.open_dossier(api, reference="MA-NIET-ZONDER-LOG")
    world.submit(api, world.aid_body(dossier, justification="GEHEIME-TOELICHTING"))

    def broken(self: AccessControl, *args: object, **kwargs: object) -> None:
        raise RuntimeError("the access log is full")

    monkeypatch.setattr(AccessControl, "dossiers_read", broken)
    client = TestClient(api.client.app, raise_server_exceptions=False)
    bearer = {"Authorization": f"Bearer {api.tokens[world.CASEWORKER]}"}

    response = client.get(f"{API}/dossiers/{dossier['id']}", headers=bearer)
    requests = client.get(f"{API}/aid-requests", headers=bearer)

    assert response.status_code == 500
    assert "MA-NIET-ZONDER-LOG" not in response.text
    assert world.CHILD not in response.text
    assert requests.status_code == 500
    assert "GEHEIME-TOELICHTING" not in requests.text
