"""Client dossiers over HTTP: opened by a caseworker (assigned to them), seen only by them and the committee,
found by reference through a body, handed over; personal data never in a URL."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.http import world
from tests.e2e.http.conftest import OTHER_CASEWORKER, Api


def test_a_caseworker_opens_a_dossier_assigned_to_them(api: Api) -> None:
    body = {
        "reference": "MA-2026-0042",
        "members": [{"birth_date": "2018-05-01", "relation": "kind"}, {"birth_date": "1985-01-01"}],
    }

    response = api.post("/dossiers", as_="anna", json=body)

    assert response.status_code == 201
    dossier = response.json()
    assert dossier["reference"] == "MA-2026-0042"
    assert dossier["caseworker_id"] == "anna"
    assert [(m["birth_date"], m["relation"]) for m in dossier["members"]] == [
        ("2018-05-01", "kind"),
        ("1985-01-01", None),
    ]
    assert all(len(m["id"]) == 32 for m in dossier["members"])
    assert response.headers["location"] == f"/api/v1/dossiers/{dossier['id']}"
    assert "MA-2026-0042" not in response.headers["location"]
    assert api.get(f"/dossiers/{dossier['id']}", as_="anna").json() == dossier


def test_a_caseworker_sees_only_their_own_dossiers_the_committee_sees_all(api: Api) -> None:
    mine = world.open_dossier(api, reference="A-1")
    theirs = world.open_dossier(api, OTHER_CASEWORKER, reference="B-1")

    assert [d["id"] for d in api.get("/dossiers", as_="anna").json()] == [mine["id"]]
    assert [d["id"] for d in api.get("/dossiers", as_=world.COMMITTEE).json()] == [mine["id"], theirs["id"]]
    hidden = api.get(f"/dossiers/{theirs['id']}", as_="anna")
    absent = api.get(f"/dossiers/{uuid.uuid4().hex}", as_="anna")
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json()["type"] == absent.json()["type"] == "urn:mandaat:problem:not-found"
    with api.mandaat.access._accounts(True) as store:
        refused = store.events(limit=1)[0]
    assert (refused.event, refused.detail, refused.user_id, refused.status) == (
        "access.refused",
        "not_assigned",
        "anna",
        404,
    )
    assert refused.route == "/api/v1/dossiers/{dossier_id}"


def test_a_dossier_is_found_by_its_reference_in_the_body(api: Api) -> None:
    mine = world.open_dossier(api, reference="MA-7")
    world.open_dossier(api, OTHER_CASEWORKER, reference="MA-8")

    assert api.post("/dossiers/lookup", as_="anna", json={"reference": "MA-7"}).json()["id"] == mine["id"]
    assert api.post("/dossiers/lookup", as_="anna", json={"reference": "MA-8"}).status_code == 404
    assert api.post("/dossiers/lookup", as_="anna", json={"reference": "MA-9"}).status_code == 404
    assert api.post("/dossiers/lookup", as_=world.COMMITTEE, json={"reference": "MA-8"}).status_code == 200


def test_no_personal_data_travels_in_a_url() -> None:
    from api.http.app import create_app
    from tests.e2e.http.conftest import settings_for

    openapi = create_app(settings_for("sqlite:///unused.db")).openapi()
    parameters = {
        parameter["name"]
        for operations in openapi["paths"].values()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] in ("path", "query")
    }
    assert parameters <= {
        "dossier_id",
        "request_id",
        "envelope_id",
        "status",
        "limit",
        "offset",
        "period",
        "after",
        "checkpoint",
    }


def test_the_same_reference_twice_is_a_conflict(api: Api) -> None:
    world.open_dossier(api, reference="MA-1")

    response = api.post(
        "/dossiers",
        as_=OTHER_CASEWORKER,
        json={"reference": "MA-1", "members": [{"birth_date": "2000-01-01"}]},
    )

    assert response.status_code == 409
    assert response.json()["type"] == "urn:mandaat:problem:already-exists"
    assert response.json()["errors"][0]["field"] == "reference"


@pytest.mark.parametrize(
    ("members", "field"),
    [
        ([], "members"),
        ([{"birth_date": "2027-01-01"}], "members[0].birth_date"),
        ([{"birth_date": "2018-05-01"}, {"birth_date": "1 mei 2018"}], "members[1].birth_date"),
        ([{"birth_date": "2018-02-30"}], "members[0].birth_date"),
        ([{"birth_date": "2018-05-01", "relation": "Zoon van"}], "members[0].relation"),
        ([{"birth_date": "2018-05-01", "national_number": "18050112345"}], "members[0].national_number"),
    ],
)
def test_a_malformed_household_is_refused_with_the_member_named(
    api: Api, members: list[object], field: str
) -> None:
    response = api.post("/dossiers", as_="anna", json={"reference": "MA-2", "members": members})

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert api.get("/dossiers", as_="anna").json() == []


def test_a_dossier_is_handed_over_to_another_caseworker(api: Api) -> None:
    dossier = world.open_dossier(api)

    response = api.post(
        f"/dossiers/{dossier['id']}/reassign", as_="anna", json={"caseworker_id": OTHER_CASEWORKER}
    )

    assert response.status_code == 200
    assert response.json()["caseworker_id"] == OTHER_CASEWORKER
    assert api.get(f"/dossiers/{dossier['id']}", as_="anna").status_code == 404
    assert api.get(f"/dossiers/{dossier['id']}", as_=OTHER_CASEWORKER).status_code == 200
    not_a_caseworker = api.post(
        f"/dossiers/{dossier['id']}/reassign", as_="admin", json={"caseworker_id": "fien"}
    )
    assert not_a_caseworker.status_code == 422
    assert not_a_caseworker.json()["errors"][0]["field"] == "caseworker_id"
