"""Every error is RFC 9457 problem details with a stable type; no API answer may be stored by a cache."""

from __future__ import annotations

import logging
import uuid
import warnings
from collections.abc import Callable

import httpx
import pytest

from api.http.errors import TITLES, problem_type
from tests.e2e.http import world
from tests.e2e.http.conftest import OTHER_CASEWORKER, Api

with warnings.catch_warnings():
    warnings.simplefilter("ignore")


def someone_elses_request(api: Api) -> str:
    return str(world.escalated_request(api, world.open_dossier(api, OTHER_CASEWORKER))["id"])


FAILING_CALLS: dict[str, Callable[[Api], httpx.Response]] = {
    "unauthenticated": lambda api: api.get("/dossiers"),
    "role_not_allowed": lambda api: api.get("/dossiers", as_=world.FINANCE),
    "not_found": lambda api: api.get(f"/dossiers/{uuid.uuid4().hex}", as_="anna"),
    "validation_error": lambda api: api.post("/dossiers", as_="anna", json={"reference": 42}),
    "invalid_credentials": lambda api: api.sign_in("anna", "wrong"),
    "insufficient_funds": lambda api: api.post(
        f"/envelopes/{api.envelopes['kleding']}/adjustments",
        as_=world.FINANCE,
        json={"amount": "-9999.00", "reason": "x"},
    ),
    "invalid_transition": lambda api: api.post(
        f"/aid-requests/{world.approved_request(api, world.open_dossier(api))['id']}/withdraw", as_="anna"
    ),
    "method_not_allowed": lambda api: api.call("DELETE", "/dossiers", as_="anna"),
    # someone else's dossier is answered not_found, whatever the act (test_hidden_dossiers.py)
    "not_found_for_another_caseworker": lambda api: api.post(
        f"/aid-requests/{someone_elses_request(api)}/withdraw", as_="anna"
    ),
}


@pytest.mark.parametrize("code", list(FAILING_CALLS))
def test_every_error_is_problem_details(api: Api, code: str) -> None:
    response = FAILING_CALLS[code](api)

    assert response.status_code >= 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["cache-control"] == "no-store"
    problem = response.json()
    code = code.removesuffix("_for_another_caseworker")
    assert {"type", "title", "status", "detail", "code"} <= set(problem)
    assert problem["code"] == code
    assert problem["type"] == f"urn:mandaat:problem:{code.replace('_', '-')}"
    assert problem["status"] == response.status_code
    assert problem["title"] == TITLES[code]
    assert problem["detail"]


def test_invalid_input_names_every_field_at_fault(api: Api) -> None:
    response = api.post(
        "/dossiers",
        as_="anna",
        json={"reference": "", "members": [{"birth_date": "2018-05-01"}, {"birth_date": "morgen", "x": 1}]},
    )

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {(e["field"], e["location"]) for e in errors} == {
        ("reference", "body"),
        ("members[1].birth_date", "body"),
        ("members[1].x", "body"),
    }
    assert all(e["message"] for e in errors)
    assert "reference" in response.json()["detail"]


def test_a_body_that_is_not_json_is_invalid_input(api: Api) -> None:
    response = api.post(
        "/dossiers", as_="anna", content=b"{not json", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_an_unknown_address_is_a_problem_too(api: Api) -> None:
    response = api.get("/api/v1/nothing-here")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:mandaat:problem:not-found"


def test_an_unexpected_error_says_nothing_about_itself(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(**_: object) -> None:
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(api.mandaat.views, "envelopes", broken)

    response = api.get("/envelopes", as_="fien")

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:mandaat:problem:internal-error"
    assert "hunter2" not in response.text
    [logged] = [record for record in caplog.records if record.levelno >= logging.WARNING]
    line = logged.getMessage()
    assert line.startswith("unexpected error on GET /api/v1/envelopes: RuntimeError at ")
    assert "\n" not in line
    assert logged.exc_info is None
    assert "hunter2" not in line


@pytest.mark.parametrize(
    "path", ["/me", "/dossiers", "/envelopes", "/aid-requests", "/policy", "/escalations", "/log"]
)
def test_answers_are_never_stored_by_caches(api: Api, path: str) -> None:
    user = {"/escalations": world.COMMITTEE, "/log": world.AUDITOR}.get(path, "anna")

    response = api.get(path, as_=user)

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"


def test_the_openapi_document_may_be_cached(api: Api) -> None:
    assert "cache-control" not in api.get("/openapi.json").headers


def test_the_problem_types_are_stable() -> None:
    """Clients match on these: a type is never renamed (add new ones at will)."""
    assert sorted(problem_type(code) for code in TITLES) == [
        "urn:mandaat:problem:already-exists",
        "urn:mandaat:problem:body-too-large",
        "urn:mandaat:problem:conflict",
        "urn:mandaat:problem:control-character",
        "urn:mandaat:problem:domain-error",
        "urn:mandaat:problem:envelope-frozen",
        "urn:mandaat:problem:forbidden",
        "urn:mandaat:problem:idempotency-key-reused",
        "urn:mandaat:problem:insufficient-funds",
        "urn:mandaat:problem:internal-error",
        "urn:mandaat:problem:invalid-credentials",
        "urn:mandaat:problem:invalid-input",
        "urn:mandaat:problem:invalid-transition",
        "urn:mandaat:problem:method-not-allowed",
        "urn:mandaat:problem:no-envelope",
        "urn:mandaat:problem:no-policy-in-force",
        "urn:mandaat:problem:not-assigned",
        "urn:mandaat:problem:not-found",
        "urn:mandaat:problem:own-request",
        "urn:mandaat:problem:policy-rejected",
        "urn:mandaat:problem:role-not-allowed",
        "urn:mandaat:problem:too-many-attempts",
        "urn:mandaat:problem:unauthenticated",
        "urn:mandaat:problem:validation-error",
        "urn:mandaat:problem:weak-password",
    ]
