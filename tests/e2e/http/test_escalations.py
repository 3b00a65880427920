"""The committee over HTTP: its queue, and approving (that amount or another), refusing with a motivation,
returning with a question."""

from __future__ import annotations

import uuid

from envelopes import services as use
from envelopes.domain.users import Role
from envelopes.services import commands as cmd
from tests.e2e.http import world
from tests.e2e.http.conftest import Api

COMMITTEE = world.COMMITTEE


def decide(api: Api, request_id: str, **body: str) -> dict[str, object]:
    response = api.post(f"/escalations/{request_id}/decision", as_=COMMITTEE, json=body)
    return {**response.json(), "http": response.status_code}


def test_the_queue_holds_the_open_escalations_oldest_first(api: Api) -> None:
    first = world.submit(api, world.aid_body(world.open_dossier(api), amount="75.00", date="2026-11-02"))
    second = world.escalated_request(api, world.open_dossier(api))
    world.approved_request(api, world.open_dossier(api))

    queue = api.get("/escalations", as_=COMMITTEE)

    assert queue.status_code == 200
    assert [r["id"] for r in queue.json()] == [first["id"], second["id"]]
    assert queue.json()[0]["reasons"][0]["rule"] == "kleding.winterschoenen.amount_per_request"
    assert api.get("/escalations?status=open", as_=COMMITTEE).json() == queue.json()
    assert api.get("/escalations?status=returned", as_=COMMITTEE).json() == []
    assert api.get("/escalations?status=closed", as_=COMMITTEE).status_code == 422


def test_approving_the_amount_asked_turns_the_hold_into_a_commitment(api: Api) -> None:
    escalated = world.escalated_request(api, world.open_dossier(api))

    answer = decide(api, escalated["id"], decision="approve")

    assert answer["http"] == 200
    assert (answer["approved_amount"], answer["held"], answer["envelope_available"]) == (
        "75.00",
        "0.00",
        "4925.00",
    )
    assert api.get("/escalations", as_=COMMITTEE).json() == []


def test_approving_less_than_asked_needs_a_motivation(api: Api) -> None:
    escalated = world.escalated_request(api, world.open_dossier(api))

    without = decide(api, escalated["id"], decision="approve", amount="60.00")
    answer = decide(api, escalated["id"], decision="approve", amount="60.00", motivation="het maximum")

    assert without["http"] == 422
    assert without["errors"] == [{"field": "motivation", "location": "body", "message": without["detail"]}]
    assert (answer["http"], answer["approved_amount"], answer["envelope_available"]) == (
        200,
        "60.00",
        "4940.00",
    )


def test_refusing_needs_a_motivation_and_releases_the_hold(api: Api) -> None:
    escalated = world.escalated_request(api, world.open_dossier(api))

    without = decide(api, escalated["id"], decision="refuse")
    answer = decide(api, escalated["id"], decision="refuse", motivation="geen noodzaak aangetoond")

    assert without["http"] == 422
    assert (answer["http"], answer["held"], answer["envelope_available"]) == (200, "0.00", "5000.00")
    request = api.get(f"/aid-requests/{escalated['id']}", as_="anna").json()
    assert (request["status"], request["motivation"], request["decided_by"]) == (
        "refused",
        "geen noodzaak aangetoond",
        COMMITTEE,
    )


def test_returning_asks_the_caseworker_a_question(api: Api) -> None:
    returned = world.returned_request(api, world.open_dossier(api))

    request = api.get(f"/aid-requests/{returned['id']}", as_="anna").json()

    assert (request["status"], request["question"], request["held"]) == (
        "returned",
        "Welke maat heeft het kind?",
        "75.00",
    )
    assert [r["id"] for r in api.get("/escalations?status=returned", as_=COMMITTEE).json()] == [
        returned["id"]
    ]


def test_a_request_is_ruled_on_once(api: Api) -> None:
    approved = world.approved_request(api, world.open_dossier(api))

    again = decide(api, approved["id"], decision="refuse", motivation="te laat")
    unknown = decide(api, uuid.uuid4().hex, decision="approve")
    nonsense = api.post(f"/escalations/{approved['id']}/decision", as_=COMMITTEE, json={"decision": "maybe"})

    assert again["http"] == 409
    assert again["type"] == "urn:mandaat:problem:invalid-transition"
    assert again["figures"] == {"status": "approved"}
    assert unknown["http"] == 404
    assert nonsense.status_code == 422
    assert nonsense.json()["errors"][0]["field"] == "decision"


def test_nobody_rules_on_aid_they_requested(api: Api) -> None:
    escalated = world.escalated_request(api, world.open_dossier(api))
    use.set_role(cmd.SetRole("admin", "anna", Role.COMMITTEE), api.mandaat.uow(), api.clock)

    response = api.post(f"/escalations/{escalated['id']}/decision", as_="anna", json={"decision": "approve"})

    assert response.status_code == 403
    assert response.json()["type"] == "urn:mandaat:problem:own-request"
    assert decide(api, escalated["id"], decision="approve")["http"] == 200
