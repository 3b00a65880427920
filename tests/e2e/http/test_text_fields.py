"""Every free text of every API body, on SQLite and on PostgreSQL: a NUL and an ESC are refused (422, the
field named, nothing written), and line breaks sent as CR LF are kept and returned as LF where a text has
lines, refused where it is a single line (envelopes/domain/text.py)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.e2e.http import world
from tests.e2e.http.conftest import API, DATABASES, PASSWORD, Api, serving_on
from tests.integration.conftest import postgres_server_url  # noqa: F401 (a fixture)

NUL, ESC, CRLF = "vóór\x00na", "rood\x1b[31m", "regel een\r\nregel twee"
LF = "regel een\nregel twee"


@pytest.fixture(scope="module", params=DATABASES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from serving_on(request, tmp_path_factory.mktemp("texts"))


Act = Callable[[str], httpx.Response]
"""Sends a body with a text in the field at stake, once what it acts on exists."""
Prepare = Callable[[Api], Act]
Kept = Callable[[Api, httpx.Response], Any]


@dataclass(frozen=True)
class TextField:
    field: str  # as the API names it in errors[].field
    prepare: Prepare  # makes what the act needs (which writes), then returns the act
    kept: Kept | None = None  # where a text with lines is read back (None: a single line, or nothing kept)


def aid(api: Api, request_id: str) -> dict[str, Any]:
    return dict(api.get(f"/aid-requests/{request_id}", as_=world.CASEWORKER).json())


def kept_on_request(name: str) -> Kept:
    return lambda api, response: aid(api, response.json()["id"])[name]


def last_ledger_reason(key: str) -> Kept:
    def kept(api: Api, response: httpx.Response) -> Any:
        answer = response.json()
        envelope_id = answer[key]["id"] if key else answer["id"]
        return api.get(f"/envelopes/{envelope_id}/ledger", as_=world.FINANCE).json()[-1]["reason"]

    return kept


def logged_reason(api: Api, response: httpx.Response) -> Any:
    entries = api.get(f"/log?after={api.log_head() - 1}", as_=world.AUDITOR).json()["entries"]
    return entries[-1]["details"]["reason"]


def new_envelope(api: Api, *, frozen: bool = False) -> str:
    body = {"theme": "kleding", "period": 2026, "amount": "100.00", "team": uuid.uuid4().hex[:12]}
    response = api.post("/envelopes", as_=world.FINANCE, json=body)
    assert response.status_code == 201, response.text
    envelope_id = str(response.json()["id"])
    if frozen:
        freeze = {"reason": "controle"}
        assert api.post(f"/envelopes/{envelope_id}/freeze", as_=world.FINANCE, json=freeze).status_code == 200
    return envelope_id


def submit(api: Api) -> Act:
    dossier = world.open_dossier(api)
    key = {"Idempotency-Key": uuid.uuid4().hex}
    return lambda text: api.post(
        "/aid-requests", as_=world.CASEWORKER, json=world.aid_body(dossier, justification=text), headers=key
    )


def preview(api: Api) -> Act:
    dossier = world.open_dossier(api)
    return lambda text: api.post(
        "/aid-requests/preview", as_=world.CASEWORKER, json=world.aid_body(dossier, justification=text)
    )


def on_request(
    made: Callable[[Api, dict[str, Any]], dict[str, Any]], act: str, field: str, **extra: str
) -> Prepare:
    def prepare(api: Api) -> Act:
        request_id = made(api, world.open_dossier(api))["id"]
        return lambda text: api.post(
            f"/aid-requests/{request_id}/{act}", as_=world.CASEWORKER, json={field: text, **extra}
        )

    return prepare


def ruling(decision: str, **extra: str) -> Prepare:
    def prepare(api: Api) -> Act:
        request_id = world.escalated_request(api, world.open_dossier(api))["id"]
        return lambda text: api.post(
            f"/escalations/{request_id}/decision",
            as_=world.COMMITTEE,
            json={"decision": decision, "motivation": text, **extra},
        )

    return prepare


def adjust(api: Api) -> Act:
    envelope_id = api.envelopes["energie"]
    return lambda text: api.post(
        f"/envelopes/{envelope_id}/adjustments", as_=world.FINANCE, json={"amount": "1.00", "reason": text}
    )


def freeze(*, unfreeze: bool) -> Prepare:
    def prepare(api: Api) -> Act:
        envelope_id = new_envelope(api, frozen=unfreeze)
        act = "unfreeze" if unfreeze else "freeze"
        return lambda text: api.post(
            f"/envelopes/{envelope_id}/{act}", as_=world.FINANCE, json={"reason": text}
        )

    return prepare


def transfer(api: Api) -> Act:
    body = {"from_envelope_id": api.envelopes["onderwijs"], "to_envelope_id": api.envelopes["vrije_tijd"]}
    return lambda text: api.post(
        "/envelope-transfers", as_=world.FINANCE, json={**body, "amount": "1.00", "reason": text}
    )


def open_dossier(api: Api) -> Act:
    return lambda text: api.post(
        "/dossiers", as_=world.CASEWORKER, json={"reference": text, "members": [{"birth_date": world.CHILD}]}
    )


def with_relation(api: Api) -> Act:
    reference = f"R-{uuid.uuid4().hex[:8]}"
    return lambda text: api.post(
        "/dossiers",
        as_=world.CASEWORKER,
        json={"reference": reference, "members": [{"birth_date": world.CHILD, "relation": text}]},
    )


def look_up(api: Api) -> Act:
    return lambda text: api.post("/dossiers/lookup", as_=world.CASEWORKER, json={"reference": text})


def reassign(api: Api) -> Act:
    dossier_id = world.open_dossier(api)["id"]
    return lambda text: api.post(
        f"/dossiers/{dossier_id}/reassign", as_=world.ADMIN, json={"caseworker_id": text}
    )


def open_envelope(api: Api) -> Act:
    return lambda text: api.post(
        "/envelopes",
        as_=world.FINANCE,
        json={"theme": "kleding", "period": 2027, "amount": "1.00", "team": text},
    )


def sign_in(field: str) -> Prepare:
    def prepare(api: Api) -> Act:
        form = {"username": world.CASEWORKER, "password": PASSWORD}
        return lambda text: api.client.post(f"{API}/auth/token", data={**form, field: text})

    return prepare


FIELDS = {
    "aid-request justification": TextField("justification", submit, kept_on_request("justification")),
    "preview justification": TextField("justification", preview),
    "withdraw reason": TextField(
        "reason", on_request(world.escalated_request, "withdraw", "reason"), kept_on_request("closing_reason")
    ),
    "resubmit justification": TextField(
        "justification",
        on_request(world.returned_request, "resubmit", "justification", amount="55.00"),
        kept_on_request("justification"),
    ),
    "cancel reason": TextField(
        "reason", on_request(world.approved_request, "cancel", "reason"), kept_on_request("closing_reason")
    ),
    "refusal motivation": TextField("motivation", ruling("refuse"), kept_on_request("motivation")),
    "approval motivation": TextField(
        "motivation", ruling("approve", amount="60.00"), kept_on_request("motivation")
    ),
    "return question": TextField("motivation", ruling("return"), kept_on_request("question")),
    "adjustment reason": TextField("reason", adjust, last_ledger_reason("")),
    "freeze reason": TextField("reason", freeze(unfreeze=False), logged_reason),
    "unfreeze reason": TextField("reason", freeze(unfreeze=True), logged_reason),
    "transfer reason": TextField("reason", transfer, last_ledger_reason("from_envelope")),
    "dossier reference": TextField("reference", open_dossier),
    "member relation": TextField("members[0].relation", with_relation),
    "lookup reference": TextField("reference", look_up),
    "reassign caseworker_id": TextField("caseworker_id", reassign),
    "envelope team": TextField("team", open_envelope),
    "sign-in username": TextField("username", sign_in("username")),
    "sign-in password": TextField("password", sign_in("password")),
}
SINGLE_LINES = [name for name, field in FIELDS.items() if field.kept is None and "preview" not in name]
WITH_LINES = [name for name, field in FIELDS.items() if field.kept is not None]


def assert_refused(api: Api, response: httpx.Response, field: str, head: int) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]], response.text
    assert api.log_head() == head  # nothing was written


@pytest.mark.parametrize("text", [NUL, ESC], ids=["NUL", "ESC"])
@pytest.mark.parametrize("name", list(FIELDS))
def test_a_control_character_is_refused_with_the_field_named(served: Api, name: str, text: str) -> None:
    field = FIELDS[name]
    act = field.prepare(served)
    head = served.log_head()

    response = act(text)

    assert_refused(served, response, field.field, head)


@pytest.mark.parametrize("name", WITH_LINES)
def test_line_breaks_are_kept_as_lf_in_a_text_with_lines(served: Api, name: str) -> None:
    field = FIELDS[name]
    assert field.kept is not None
    act = field.prepare(served)

    response = act(CRLF)

    assert response.status_code in (200, 201), response.text
    assert field.kept(served, response) == LF


def test_a_preview_reads_line_breaks_as_any_text(served: Api) -> None:
    assert preview(served)(CRLF).status_code == 200


@pytest.mark.parametrize("name", SINGLE_LINES)
def test_a_line_break_is_refused_in_a_single_line(served: Api, name: str) -> None:
    field = FIELDS[name]
    act = field.prepare(served)
    head = served.log_head()

    response = act(CRLF)

    assert_refused(served, response, field.field, head)


def test_a_nul_in_a_sign_in_name_is_invalid_input_not_a_server_error(served: Api) -> None:
    response = sign_in("username")(served)(f"{world.CASEWORKER}\x00")

    assert response.status_code == 422
    assert response.json()["code"] == "control_character"
    assert response.json()["errors"] == [
        {"field": "username", "location": "body", "message": response.json()["detail"]}
    ]
    assert served.sign_in(world.CASEWORKER).status_code == 200  # not counted as a failed sign-in


def test_an_unpaired_surrogate_is_refused_not_a_server_error(served: Api) -> None:
    """JSON can write half a UTF-16 pair ("\\ud800"): no character, and no database stores it."""
    dossier = world.open_dossier(served)
    head = served.log_head()
    body = json.dumps(world.aid_body(dossier, justification="PLACEHOLDER"))

    response = served.post(
        "/aid-requests",
        as_=world.CASEWORKER,
        content=body.replace("PLACEHOLDER", "a\\ud800b").encode(),
        headers={"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex},
    )

    assert_refused(served, response, "justification", head)  # by pydantic's str, or else by the domain


def test_rule_files_with_an_unpaired_surrogate_are_refused_as_not_utf8(served: Api) -> None:
    files = {"algemeen.yaml": "general:\n  title: {nl: PLACEHOLDER}\n"}
    body = json.dumps({"files": files, "effective_from": "2026-12-01"}).replace("PLACEHOLDER", "\\udc80")

    response = served.post(
        "/policy/versions",
        as_=world.POLICY,
        content=body.encode(),
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 422, response.text
    assert "algemeen.yaml:2:15: the file is not UTF-8 text" in response.json()["detail"]
