"""Envelopes over HTTP: figures as decimal strings derived from the ledger, opening, adjusting, transferring,
freezing; and never an overspend."""

from __future__ import annotations

import uuid

from tests.e2e.http import world
from tests.e2e.http.conftest import ENVELOPE_AMOUNT, THEMES, Api

FIN = world.FINANCE


def test_envelopes_are_listed_with_their_figures_as_decimal_strings(api: Api) -> None:
    world.approved_request(api, world.open_dossier(api))
    world.escalated_request(api, world.open_dossier(api))

    response = api.get("/envelopes?period=2026", as_="anna")

    assert response.status_code == 200
    envelopes = {e["theme"]: e for e in response.json()}
    assert set(envelopes) == set(THEMES)
    kleding = envelopes["kleding"]
    assert kleding == {
        "id": api.envelopes["kleding"],
        "theme": "kleding",
        "period": 2026,
        "team": None,
        "allocated": "5000.00",
        "committed": "55.00",
        "held": "75.00",
        "available": "4870.00",
        "frozen": False,
        "opening_allocation": "5000.00",
        "adjusted": "0.00",
        "transferred_in": "0.00",
        "transferred_out": "0.00",
    }
    assert api.get("/envelopes?period=2027", as_="anna").json() == []


def test_finance_opens_an_envelope_once_per_theme_and_year(api: Api) -> None:
    body = {"theme": "kleding", "period": 2027, "amount": "1200.50"}

    created = api.post("/envelopes", as_=FIN, json=body)
    again = api.post("/envelopes", as_=FIN, json=body)
    team = api.post("/envelopes", as_=FIN, json=body | {"team": "noord"})

    assert created.status_code == 201
    assert (created.json()["allocated"], created.json()["available"]) == ("1200.50", "1200.50")
    assert created.headers["location"] == f"/api/v1/envelopes/{created.json()['id']}"
    assert again.status_code == 409
    assert again.json()["type"] == "urn:mandaat:problem:already-exists"
    assert team.status_code == 201
    assert (
        api.post("/envelopes", as_=FIN, json=body | {"period": 1999}).json()["errors"][0]["field"] == "period"
    )
    assert api.post("/envelopes", as_=FIN, json=body | {"amount": 1200}).status_code == 422


def test_adjustments_top_up_and_reduce_but_never_below_what_is_available(api: Api) -> None:
    envelope = api.envelopes["gezondheid"]

    up = api.post(
        f"/envelopes/{envelope}/adjustments", as_=FIN, json={"amount": "250.00", "reason": "bijkrediet"}
    )
    down = api.post(
        f"/envelopes/{envelope}/adjustments", as_=FIN, json={"amount": "-1250.00", "reason": "besparing"}
    )
    too_much = api.post(
        f"/envelopes/{envelope}/adjustments", as_=FIN, json={"amount": "-4000.01", "reason": "x"}
    )
    zero = api.post(f"/envelopes/{envelope}/adjustments", as_=FIN, json={"amount": "0", "reason": "x"})

    assert up.status_code == down.status_code == 201
    assert (down.json()["allocated"], down.json()["adjusted"], down.json()["available"]) == (
        "4000.00",
        "-1000.00",
        "4000.00",
    )
    assert too_much.status_code == 409
    problem = too_much.json()
    assert problem["type"] == "urn:mandaat:problem:insufficient-funds"
    assert problem["figures"] == {
        "envelope_id": envelope,
        "available": "4000.00",
        "required": "4000.01",
        "shortfall": "0.01",
    }
    assert zero.status_code == 422
    assert [e["kind"] for e in api.get(f"/envelopes/{envelope}/ledger", as_=world.AUDITOR).json()] == [
        "allocation",
        "adjustment",
        "adjustment",
    ]


def test_a_transfer_moves_money_within_one_year(api: Api) -> None:
    body = {
        "from_envelope_id": api.envelopes["kleding"],
        "to_envelope_id": api.envelopes["energie"],
        "amount": "300.00",
        "reason": "meer energiefacturen",
    }

    response = api.post("/envelope-transfers", as_=FIN, json=body)
    too_much = api.post("/envelope-transfers", as_=FIN, json=body | {"amount": "4700.01"})
    to_itself = api.post(
        "/envelope-transfers", as_=FIN, json=body | {"to_envelope_id": api.envelopes["kleding"]}
    )
    unknown = api.post("/envelope-transfers", as_=FIN, json=body | {"to_envelope_id": uuid.uuid4().hex})

    assert response.status_code == 201
    moved = response.json()
    assert moved["amount"] == "300.00"
    assert (moved["from_envelope"]["available"], moved["from_envelope"]["transferred_out"]) == (
        "4700.00",
        "300.00",
    )
    assert (moved["to_envelope"]["available"], moved["to_envelope"]["allocated"]) == ("5300.00", "5300.00")
    assert too_much.status_code == 409
    assert to_itself.status_code == 422
    assert to_itself.json()["errors"][0]["field"] == "to_envelope_id"
    assert unknown.status_code == 404


def test_a_frozen_envelope_gives_out_no_new_money(api: Api) -> None:
    envelope = api.envelopes["kleding"]
    frozen = api.post(f"/envelopes/{envelope}/freeze", as_=FIN, json={"reason": "controle"})
    assert frozen.status_code == 200
    assert frozen.json()["frozen"] is True
    assert api.post(f"/envelopes/{envelope}/freeze", as_=FIN, json={"reason": "nog eens"}).status_code == 409

    answer = world.submit(api, world.aid_body(world.open_dossier(api)))

    assert answer["status"] == "escalated"
    assert answer["held"] == "0.00"
    assert "general.envelope_frozen" in [reason["rule"] for reason in answer["reasons"]]
    unfrozen = api.post(f"/envelopes/{envelope}/unfreeze", as_=FIN, json={"reason": "in orde"})
    assert unfrozen.status_code == 200
    assert unfrozen.json()["frozen"] is False
    assert api.post(f"/envelopes/{envelope}/unfreeze", as_=FIN, json={}).status_code == 422


def test_a_small_envelope_is_never_overspent(api: Api) -> None:
    envelope = api.envelopes["vrije_tijd"]
    api.post(f"/envelopes/{envelope}/adjustments", as_=FIN, json={"amount": "-4900.00", "reason": "klein"})
    dossier = world.open_dossier(api)
    body = world.aid_body(dossier, item="vrijetijdsbijdrage", theme="vrije_tijd", amount="60.00")
    second_child = world.aid_body(
        dossier, item="vrijetijdsbijdrage", theme="vrije_tijd", amount="60.00", member=1
    )

    first = world.submit(api, body)
    second = world.submit(api, second_child)

    assert first["status"] == "approved"
    assert second["status"] == "escalated"
    assert second["held"] == "0.00"
    assert "general.envelope_cover" in [reason["rule"] for reason in second["reasons"]]
    figures = api.get(f"/envelopes/{envelope}", as_=FIN).json()
    assert (figures["available"], figures["committed"]) == ("40.00", "60.00")


def test_the_ledger_of_an_unknown_envelope_is_not_found(api: Api) -> None:
    assert api.get(f"/envelopes/{uuid.uuid4().hex}/ledger", as_=FIN).status_code == 404
    assert api.get(f"/envelopes/{uuid.uuid4().hex}", as_=FIN).status_code == 404
    assert api.get("/envelopes/not-an-id", as_=FIN).status_code == 422
    assert ENVELOPE_AMOUNT == "5000.00"
