"""Who may call what: every endpoint × every role × (for what hangs on a client dossier) the caller's own
dossier and someone else's. Each case is a valid request, so the role and the dossier's owner are the only
things that vary; the exact status is asserted, and a refused call must change nothing (the decision log does
not move) and answer problem details.

The endpoint list comes from the application's own routes: a new route without an entry here fails
`test_every_route_has_a_matrix_entry`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from envelopes.domain.users import Role
from tests.e2e.http import world
from tests.e2e.http.conftest import API, OTHER_CASEWORKER, PASSWORD, USERS, Api, demo_files

OWN, OTHER, ANY = "own", "other", "any"
C, F, K, P, A, D = Role.CASEWORKER, Role.FINANCE, Role.COMMITTEE, Role.POLICY, Role.AUDITOR, Role.ADMIN
EVERYONE = tuple(Role)


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] | None = None
    signed_in: bool = True


Prepare = Callable[[Api, str, str], Call]  # (api, the dossier's caseworker, the caller) -> the call


@dataclass(frozen=True)
class Entry:
    prepare: Prepare
    own: dict[Role, int]  # the status per role; a role not named gets 403
    other: dict[Role, int] | None = None  # on someone else's dossier; None: the endpoint has no dossier

    def expected(self, role: Role, context: str) -> int:
        statuses = self.other if context == OTHER and self.other is not None else self.own
        return statuses.get(role, 403)


def only(status: int, *roles: Role) -> dict[Role, int]:
    return dict.fromkeys(roles, status)


# --- what each call needs ---------------------------------------------------------------------------------


def _other_caseworker(owner: str) -> str:
    return OTHER_CASEWORKER if owner == world.CASEWORKER else world.CASEWORKER


def token(api: Api, owner: str, caller: str) -> Call:
    return Call("POST", "/auth/token", form={"username": caller, "password": PASSWORD}, signed_in=False)


def new_dossier(api: Api, owner: str, caller: str) -> Call:
    body = {"reference": f"MA-{uuid.uuid4().hex[:8]}", "members": [{"birth_date": world.CHILD}]}
    return Call("POST", "/dossiers", json=body)


def lookup(api: Api, owner: str, caller: str) -> Call:
    return Call("POST", "/dossiers/lookup", json={"reference": world.open_dossier(api, owner)["reference"]})


def dossier(api: Api, owner: str, caller: str) -> Call:
    return Call("GET", f"/dossiers/{world.open_dossier(api, owner)['id']}")


def reassign(api: Api, owner: str, caller: str) -> Call:
    found = world.open_dossier(api, owner)
    return Call("POST", f"/dossiers/{found['id']}/reassign", json={"caseworker_id": _other_caseworker(owner)})


def submit(api: Api, owner: str, caller: str) -> Call:
    body = world.aid_body(world.open_dossier(api, owner))
    return Call("POST", "/aid-requests", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})


def preview(api: Api, owner: str, caller: str) -> Call:
    return Call("POST", "/aid-requests/preview", json=world.aid_body(world.open_dossier(api, owner)))


def requests_on(api: Api, owner: str, caller: str) -> Call:
    found = world.open_dossier(api, owner)
    world.approved_request(api, found)
    return Call("GET", f"/aid-requests?dossier_id={found['id']}")


def aid_request(api: Api, owner: str, caller: str) -> Call:
    return Call("GET", f"/aid-requests/{world.approved_request(api, world.open_dossier(api, owner))['id']}")


def withdraw(api: Api, owner: str, caller: str) -> Call:
    escalated = world.escalated_request(api, world.open_dossier(api, owner))
    return Call("POST", f"/aid-requests/{escalated['id']}/withdraw", json={"reason": "niet meer nodig"})


def resubmit(api: Api, owner: str, caller: str) -> Call:
    returned = world.returned_request(api, world.open_dossier(api, owner))
    return Call("POST", f"/aid-requests/{returned['id']}/resubmit", json={"justification": "maat 32"})


def cancel(api: Api, owner: str, caller: str) -> Call:
    approved = world.approved_request(api, world.open_dossier(api, owner))
    return Call("POST", f"/aid-requests/{approved['id']}/cancel", json={"reason": "dubbel ingegeven"})


def decide(api: Api, owner: str, caller: str) -> Call:
    escalated = world.escalated_request(api, world.open_dossier(api, owner))
    return Call("POST", f"/escalations/{escalated['id']}/decision", json={"decision": "approve"})


def envelope(suffix: str = "", method: str = "POST", json: Any = None) -> Prepare:
    def prepare(api: Api, owner: str, caller: str) -> Call:
        return Call(method, f"/envelopes/{api.envelopes['kleding']}{suffix}", json=json)

    return prepare


def unfreeze(api: Api, owner: str, caller: str) -> Call:
    frozen = api.post(
        f"/envelopes/{api.envelopes['kleding']}/freeze", as_=world.FINANCE, json={"reason": "x"}
    )
    assert frozen.status_code == 200, frozen.text
    return Call("POST", f"/envelopes/{api.envelopes['kleding']}/unfreeze", json={"reason": "gecontroleerd"})


def transfer(api: Api, owner: str, caller: str) -> Call:
    body = {
        "from_envelope_id": api.envelopes["kleding"],
        "to_envelope_id": api.envelopes["energie"],
        "amount": "10.00",
        "reason": "verschuiving",
    }
    return Call("POST", "/envelope-transfers", json=body)


def fixed(method: str, path: str, json: Any = None) -> Prepare:
    return lambda api, owner, caller: Call(method, path, json=json)


MATRIX: dict[tuple[str, str], Entry] = {
    ("POST", "/auth/token"): Entry(token, only(200, *EVERYONE)),
    ("GET", "/me"): Entry(fixed("GET", "/me"), only(200, *EVERYONE)),
    # client dossiers: personal data; a caseworker sees only their own
    ("POST", "/dossiers"): Entry(new_dossier, only(201, C)),
    ("GET", "/dossiers"): Entry(fixed("GET", "/dossiers"), only(200, C, K)),
    ("POST", "/dossiers/lookup"): Entry(lookup, only(200, C, K), {C: 404, K: 200}),
    ("GET", "/dossiers/{dossier_id}"): Entry(dossier, only(200, C, K), {C: 404, K: 200}),
    ("POST", "/dossiers/{dossier_id}/reassign"): Entry(reassign, only(200, C, D), {C: 404, D: 200}),
    # aid requests
    ("POST", "/aid-requests"): Entry(submit, only(201, C), {C: 404}),
    ("POST", "/aid-requests/preview"): Entry(preview, only(200, C), {C: 404}),
    ("GET", "/aid-requests"): Entry(requests_on, only(200, C, K), only(200, C, K)),
    ("GET", "/aid-requests/{request_id}"): Entry(aid_request, only(200, C, K), {C: 404, K: 200}),
    ("POST", "/aid-requests/{request_id}/withdraw"): Entry(withdraw, only(200, C), {C: 404}),
    ("POST", "/aid-requests/{request_id}/resubmit"): Entry(resubmit, only(200, C), {C: 404}),
    ("POST", "/aid-requests/{request_id}/cancel"): Entry(cancel, only(200, C, K), {C: 404, K: 200}),
    # envelopes: finance changes them; everyone but the admin reads them
    ("GET", "/envelopes"): Entry(fixed("GET", "/envelopes"), only(200, C, F, K, P, A)),
    ("POST", "/envelopes"): Entry(
        fixed("POST", "/envelopes", {"theme": "kleding", "period": 2027, "amount": "900.00"}), only(201, F)
    ),
    ("GET", "/envelopes/{envelope_id}"): Entry(envelope(method="GET"), only(200, C, F, K, P, A)),
    ("GET", "/envelopes/{envelope_id}/ledger"): Entry(envelope("/ledger", "GET"), only(200, F, A)),
    ("POST", "/envelopes/{envelope_id}/adjustments"): Entry(
        envelope("/adjustments", json={"amount": "-100.00", "reason": "besparing"}), only(201, F)
    ),
    ("POST", "/envelopes/{envelope_id}/freeze"): Entry(
        envelope("/freeze", json={"reason": "audit"}), only(200, F)
    ),
    ("POST", "/envelopes/{envelope_id}/unfreeze"): Entry(unfreeze, only(200, F)),
    ("POST", "/envelope-transfers"): Entry(transfer, only(201, F)),
    # the committee
    ("GET", "/escalations"): Entry(fixed("GET", "/escalations"), only(200, K)),
    ("POST", "/escalations/{request_id}/decision"): Entry(decide, only(200, K), {K: 200}),
    # the decision log: the auditor (and the admin)
    ("GET", "/log"): Entry(fixed("GET", "/log"), only(200, A, D)),
    ("GET", "/log/verify"): Entry(fixed("GET", "/log/verify"), only(200, A, D)),
    # the policy: everyone reads it; the policy officer registers versions
    ("GET", "/policy"): Entry(fixed("GET", "/policy"), only(200, *EVERYONE)),
    ("GET", "/policy/versions"): Entry(fixed("GET", "/policy/versions"), only(200, *EVERYONE)),
    ("POST", "/policy/versions"): Entry(
        lambda api, owner, caller: Call(
            "POST", "/policy/versions", json={"files": demo_files(), "effective_from": "2026-11-24"}
        ),
        only(201, P),
    ),
}

CASES = [
    pytest.param(endpoint, role, context, id=f"{endpoint[0]} {endpoint[1]} as {role.value} ({context})")
    for endpoint, entry in MATRIX.items()
    for role in Role
    for context in ((OWN, OTHER) if entry.other is not None else (ANY,))
]


@pytest.mark.parametrize(("endpoint", "role", "context"), CASES)
def test_the_matrix(api: Api, endpoint: tuple[str, str], role: Role, context: str) -> None:
    entry = MATRIX[endpoint]
    caller = USERS[role]
    owner = OTHER_CASEWORKER if context == OTHER else world.CASEWORKER
    call = entry.prepare(api, owner, caller)
    expected = entry.expected(role, context)
    before = api.log_head()

    response = api.call(
        call.method,
        call.path,
        as_=caller if call.signed_in else None,
        json=call.json,
        headers=call.headers,
        data=call.form,
    )

    assert response.status_code == expected, response.text
    if not 200 <= expected < 300:
        assert api.log_head() == before, "a refused call changed something"
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == expected


def test_every_route_has_a_matrix_entry(api: Api) -> None:
    paths = api.client.app.openapi()["paths"]
    routes = {
        (method.upper(), path.removeprefix(API))
        for path, operations in paths.items()
        for method in operations
    }
    assert all(path.startswith(API) for path in paths)
    assert routes == set(MATRIX)


def test_every_role_is_allowed_something_and_refused_something() -> None:
    """Guard against a vacuous matrix: each role gets a 2xx somewhere and a 403 somewhere."""
    for role in Role:
        statuses = {entry.expected(role, OWN) for entry in MATRIX.values()}
        assert any(200 <= status < 300 for status in statuses), role
        assert 403 in statuses, role
