"""Aid requests over HTTP: the answer at once with every reason, idempotent retries, previews that change
nothing, withdrawing, resubmitting, cancelling, and who sees which request."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.e2e.http import world
from tests.e2e.http.conftest import ENVELOPE_AMOUNT, OTHER_CASEWORKER, Api


def available(api: Api, theme: str = "kleding") -> str:
    response = api.get(f"/envelopes/{api.envelopes[theme]}", as_=world.FINANCE)
    return str(response.json()["available"])


def test_winter_shoes_within_the_delegation_are_approved_at_once(api: Api) -> None:
    dossier = world.open_dossier(api)

    response = api.post(
        "/aid-requests", as_="anna", json=world.aid_body(dossier), headers={"Idempotency-Key": "shoes-1"}
    )

    assert response.status_code == 201
    answer = response.json()
    assert answer["status"] == "approved"
    assert answer["outcome"] == "approve"
    assert answer["reasons"] == []
    assert (answer["amount"], answer["approved_amount"], answer["held"]) == ("55.00", "55.00", "0.00")
    assert answer["envelope_id"] == api.envelopes["kleding"]
    assert answer["envelope_available"] == "4945.00"
    assert len(answer["policy_version"]) == 64
    assert response.headers["location"] == f"/api/v1/aid-requests/{answer['id']}"
    assert response.headers["cache-control"] == "no-store"
    assert "idempotent-replayed" not in response.headers
    assert available(api) == "4945.00"


def test_a_request_above_the_limit_escalates_with_every_reason(api: Api) -> None:
    dossier = world.open_dossier(api)

    answer = world.submit(api, world.aid_body(dossier, amount="75.00"))

    assert answer["status"] == "escalated"
    assert answer["held"] == "75.00"
    [reason] = answer["reasons"]
    assert reason["rule"] == "kleding.winterschoenen.amount_per_request"
    assert reason["text"] == "€ 75,00 is meer dan het maximum van € 60,00 per paar winterschoenen"
    assert reason["text_en"] == "€75.00 is more than the maximum of €60.00 per pair of winter shoes"
    assert reason["figures"] == {"amount": "75.00", "max": "60.00"}
    assert reason["basis"]


def test_a_retry_with_the_same_key_gets_the_first_answer_and_is_not_debited_twice(api: Api) -> None:
    dossier = world.open_dossier(api)
    body, key = world.aid_body(dossier), {"Idempotency-Key": "retry-me"}
    first = api.post("/aid-requests", as_="anna", json=body, headers=key)
    head = api.log_head()

    again = api.post("/aid-requests", as_="anna", json=body, headers=key)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    assert available(api) == "4945.00"
    assert api.log_head() == head
    mine = api.get(f"/aid-requests?dossier_id={dossier['id']}", as_="anna").json()
    assert [request["id"] for request in mine] == [first.json()["id"]]


def test_the_same_key_with_another_body_is_refused_and_changes_nothing(api: Api) -> None:
    dossier = world.open_dossier(api)
    key = {"Idempotency-Key": "used-once"}
    api.post("/aid-requests", as_="anna", json=world.aid_body(dossier), headers=key)
    head = api.log_head()

    response = api.post(
        "/aid-requests", as_="anna", json=world.aid_body(dossier, amount="40.00"), headers=key
    )

    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "urn:mandaat:problem:idempotency-key-reused"
    assert problem["errors"] == [
        {"field": "Idempotency-Key", "location": "header", "message": problem["detail"]}
    ]
    assert api.log_head() == head
    assert available(api) == "4945.00"


def test_keys_belong_to_their_caseworker(api: Api) -> None:
    mine, theirs = world.open_dossier(api), world.open_dossier(api, OTHER_CASEWORKER)
    key = {"Idempotency-Key": "the-same-key"}

    first = api.post("/aid-requests", as_="anna", json=world.aid_body(mine), headers=key)
    second = api.post("/aid-requests", as_=OTHER_CASEWORKER, json=world.aid_body(theirs), headers=key)

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]


@pytest.mark.parametrize("key", [None, "", "a b", "x" * 129])
def test_submitting_needs_a_well_formed_idempotency_key(api: Api, key: str | None) -> None:
    dossier = world.open_dossier(api)
    headers = {} if key is None else {"Idempotency-Key": key}

    response = api.post("/aid-requests", as_="anna", json=world.aid_body(dossier), headers=headers)

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["Idempotency-Key"]
    assert response.json()["errors"][0]["location"] == "header"


def test_a_preview_answers_like_a_submission_and_writes_nothing(api: Api) -> None:
    dossier = world.open_dossier(api)
    head = api.log_head()

    response = api.post("/aid-requests/preview", as_="anna", json=world.aid_body(dossier, amount="75.00"))

    assert response.status_code == 200
    preview = response.json()
    assert (preview["outcome"], preview["effect"]) == ("escalate", "hold")
    assert [reason["rule"] for reason in preview["reasons"]] == ["kleding.winterschoenen.amount_per_request"]
    assert preview["envelope_available"] == ENVELOPE_AMOUNT
    assert preview["facts"]["beneficiary_age"] == 8
    assert "birth_date" not in str(preview["facts"])
    assert api.log_head() == head
    assert available(api) == ENVELOPE_AMOUNT
    assert api.get("/aid-requests", as_="anna").json() == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": 55}, "amount"),
        ({"amount": 55.0}, "amount"),
        ({"amount": "55.001"}, "amount"),
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "1e3"}, "amount"),
        ({"amount": " 55.00"}, "amount"),
        ({"amount": "٥٥"}, "amount"),  # Arabic-Indic digits are digits to Python, not to us
        ({"quantity": "2"}, "quantity"),
        ({"quantity": 0}, "quantity"),
        ({"date": "23/11/2026"}, "date"),
        ({"date": 20261123}, "date"),
        ({"theme": "Kleding!"}, "theme"),
        ({"dossier_id": "MA-0042"}, "dossier_id"),
        ({"justification": ""}, "justification"),
        ({"beneficiary_key": "x"}, "beneficiary_key"),
    ],
)
def test_malformed_input_is_refused_with_the_field_named(
    api: Api, change: dict[str, Any], field: str
) -> None:
    body = {**world.aid_body(world.open_dossier(api)), **change}

    response = api.post("/aid-requests", as_="anna", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})

    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"] == "urn:mandaat:problem:validation-error"
    assert [error["field"] for error in problem["errors"]] == [field]
    assert available(api) == ENVELOPE_AMOUNT


def test_what_the_domain_refuses_names_the_field_as_the_api_calls_it(api: Api) -> None:
    dossier = world.open_dossier(api)
    someone_else = world.open_dossier(api)["members"][0]["id"]

    not_a_member = api.post(
        "/aid-requests/preview", as_="anna", json=world.aid_body(dossier) | {"beneficiary_id": someone_else}
    )
    future = api.post("/aid-requests/preview", as_="anna", json=world.aid_body(dossier, date="2026-11-24"))
    zero = api.post(
        "/aid-requests",
        as_="anna",
        json=world.aid_body(dossier, amount="0.00"),
        headers={"Idempotency-Key": "z"},
    )

    assert not_a_member.status_code == 404
    assert not_a_member.json()["errors"][0]["field"] == "beneficiary_id"
    assert future.status_code == 422
    assert future.json()["errors"][0]["field"] == "date"
    assert zero.status_code == 422
    assert zero.json()["errors"][0]["field"] == "amount"


def test_a_request_in_a_year_without_an_envelope_is_a_conflict(api: Api) -> None:
    dossier = world.open_dossier(api)

    response = api.post("/aid-requests/preview", as_="anna", json=world.aid_body(dossier, date="2025-12-01"))

    assert response.status_code == 409
    assert response.json()["type"] == "urn:mandaat:problem:no-envelope"


def test_an_open_request_is_withdrawn_and_its_hold_released(api: Api) -> None:
    escalated = world.escalated_request(api, world.open_dossier(api))
    assert available(api) == "4925.00"

    response = api.post(f"/aid-requests/{escalated['id']}/withdraw", as_="anna")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["held"]) == ("withdrawn", "0.00")
    assert available(api) == ENVELOPE_AMOUNT
    again = api.post(f"/aid-requests/{escalated['id']}/withdraw", as_="anna", json={"reason": "nogmaals"})
    assert again.status_code == 409
    assert again.json()["type"] == "urn:mandaat:problem:invalid-transition"


def test_a_returned_request_is_resubmitted_and_decided_again(api: Api) -> None:
    returned = world.returned_request(api, world.open_dossier(api))
    assert returned["status"] == "returned"

    response = api.post(
        f"/aid-requests/{returned['id']}/resubmit",
        as_="anna",
        json={"justification": "maat 32, goedkopere schoenen gevonden", "amount": "45.00"},
    )

    assert response.status_code == 200
    answer = response.json()
    assert (answer["status"], answer["amount"], answer["approved_amount"]) == ("approved", "45.00", "45.00")
    assert available(api) == "4955.00"


def test_approved_aid_is_cancelled_with_a_reason(api: Api) -> None:
    approved = world.approved_request(api, world.open_dossier(api))

    without = api.post(f"/aid-requests/{approved['id']}/cancel", as_="anna", json={"reason": ""})
    response = api.post(f"/aid-requests/{approved['id']}/cancel", as_="anna", json={"reason": "dubbel"})

    assert without.status_code == 422
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert available(api) == ENVELOPE_AMOUNT


def test_a_request_shows_everything_to_its_caseworker_and_nothing_to_others(api: Api) -> None:
    dossier = world.open_dossier(api)
    approved = world.approved_request(api, dossier)

    mine = api.get(f"/aid-requests/{approved['id']}", as_="anna")
    committee = api.get(f"/aid-requests/{approved['id']}", as_=world.COMMITTEE)
    other = api.get(f"/aid-requests/{approved['id']}", as_=OTHER_CASEWORKER)

    assert mine.status_code == committee.status_code == 200
    request = mine.json()
    assert request["dossier_id"] == dossier["id"]
    assert request["beneficiary_id"] == dossier["members"][0]["id"]
    assert request["justification"] == "geen waterdichte schoenen voor de winter"
    assert (request["status"], request["requested_by"], request["date"]) == ("approved", "anna", "2026-11-23")
    assert other.status_code == 404
    assert other.json()["detail"] == f"there is no aid request {approved['id']}"
    unknown = api.get(f"/aid-requests/{uuid.uuid4().hex}", as_=OTHER_CASEWORKER)
    assert other.json() == unknown.json() | {"detail": other.json()["detail"]}


def test_my_requests_can_be_listed_by_status(api: Api) -> None:
    dossier = world.open_dossier(api)
    approved = world.approved_request(api, dossier)
    escalated = world.escalated_request(api, world.open_dossier(api))
    world.approved_request(api, world.open_dossier(api, OTHER_CASEWORKER))

    everything = api.get("/aid-requests", as_="anna").json()
    open_ones = api.get("/aid-requests?status=escalated&status=returned", as_="anna").json()
    for_committee = api.get("/aid-requests", as_=world.COMMITTEE).json()

    assert {r["id"] for r in everything} == {approved["id"], escalated["id"]}
    assert [r["id"] for r in open_ones] == [escalated["id"]]
    assert len(for_committee) == 3
    assert api.get("/aid-requests?status=nonsense", as_="anna").status_code == 422
