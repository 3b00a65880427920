"""Who may open or post what on the web pages: every web route × every role (and nobody signed in) × (for a
page of a dossier or a request) the caller's own dossier and another caseworker's, as the API's matrix does
(tests/e2e/http/test_authorization_matrix.py).

Each case is a valid request — a form carries the session's CSRF token and everything the act needs — so the
role and the dossier's owner are the only things that vary. The exact status is asserted (no 2xx, and no
redirect but to the sign-in page, where a role may not). A refused form changes nothing: the decision log's
head and every stored row (but the access log's and the sessions') are as before.

The route list comes from the application itself: a new page without an entry here fails
`test_every_web_route_has_a_matrix_entry`.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from api.web.errors import WebRoute
from envelopes.domain.users import Role
from tests.e2e.http import world
from tests.e2e.http.conftest import OTHER_CASEWORKER, PASSWORD, USERS, Api, demo_files
from tests.e2e.web.conftest import another_browser, application_routes, assert_security_headers, signed_in

OWN, OTHER, ANY = "own", "other", "any"
C, F, K, P, A, D = Role.CASEWORKER, Role.FINANCE, Role.COMMITTEE, Role.POLICY, Role.AUDITOR, Role.ADMIN
EVERYONE = tuple(Role)
SIGN_IN = "/aanmelden"
#: Tables a refused request may write to: the access log (the refusal itself) and the browser sessions.
BOOKKEEPING = frozenset({"access_log", "web_sessions"})


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    form: dict[str, str] = field(default_factory=dict)
    files: list[tuple[str, tuple[str, bytes, str]]] | None = None


Prepare = Callable[[Api, str, str], Call]  # (api, the dossier's caseworker, the caller) -> the call


@dataclass(frozen=True)
class Entry:
    prepare: Prepare
    own: dict[Role, int]  # the status per role; a role not named gets 403
    other: dict[Role, int] | None = None  # on another caseworker's dossier; None: the page has no dossier
    anonymous: tuple[int, str | None] = (303, SIGN_IN)  # nobody signed in: the status, and where it leads
    changes: bool = False  # a form that changes something when allowed (refused, it must not)

    def expected(self, role: Role, context: str) -> int:
        statuses = self.other if context == OTHER and self.other is not None else self.own
        return statuses.get(role, 403)


def only(status: int, *roles: Role) -> dict[Role, int]:
    return dict.fromkeys(roles, status)


# --- what each call needs ---------------------------------------------------------------------------------


def fixed(method: str, path: str, form: dict[str, str] | None = None) -> Prepare:
    return lambda api, owner, caller: Call(method, path, dict(form or {}))


def sign_in(api: Api, owner: str, caller: str) -> Call:
    return Call("POST", SIGN_IN, {"username": caller, "password": PASSWORD})


def new_dossier(api: Api, owner: str, caller: str) -> Call:
    form = {"reference": f"MA-{uuid.uuid4().hex[:8]}", "rows": "1", "birth_0": world.CHILD}
    return Call("POST", "/dossiers/nieuw", form)


def on_dossier(suffix: str = "", method: str = "GET") -> Prepare:
    def prepare(api: Api, owner: str, caller: str) -> Call:
        return Call(method, f"/dossiers/{world.open_dossier(api, owner)['id']}{suffix}")

    return prepare


def request_form(dossier: dict[str, Any]) -> dict[str, str]:
    return {
        "beneficiary": dossier["members"][0]["id"],
        "item": "kleding/winterschoenen",
        "amount": "55,00",
        "quantity": "1",
        "date": "",
        "justification": "geen waterdichte schoenen",
        "idempotency_key": uuid.uuid4().hex,
    }


def submit(api: Api, owner: str, caller: str) -> Call:
    dossier = world.open_dossier(api, owner)
    return Call("POST", f"/dossiers/{dossier['id']}/aanvraag", request_form(dossier))


def preview(api: Api, owner: str, caller: str) -> Call:
    dossier = world.open_dossier(api, owner)
    return Call("POST", f"/dossiers/{dossier['id']}/aanvraag/voorbeeld", request_form(dossier))


def aid_request(api: Api, owner: str, caller: str) -> Call:
    return Call("GET", f"/aanvragen/{world.approved_request(api, world.open_dossier(api, owner))['id']}")


def withdraw(api: Api, owner: str, caller: str) -> Call:
    escalated = world.escalated_request(api, world.open_dossier(api, owner))
    return Call("POST", f"/aanvragen/{escalated['id']}/intrekken", {"reason": "het gezin verhuist"})


def complete_form(api: Api, owner: str, caller: str) -> Call:
    returned = world.returned_request(api, world.open_dossier(api, owner))
    return Call("GET", f"/aanvragen/{returned['id']}/aanvullen")


def complete(api: Api, owner: str, caller: str) -> Call:
    returned = world.returned_request(api, world.open_dossier(api, owner))
    form = {"justification": "maat 31", "amount": "59,99", "quantity": "1"}
    return Call("POST", f"/aanvragen/{returned['id']}/aanvullen", form)


def envelope(suffix: str = "") -> Prepare:
    return lambda api, owner, caller: Call("GET", f"/financien/enveloppen/{api.envelopes['kleding']}{suffix}")


def top_up(api: Api, owner: str, caller: str) -> Call:
    form = {"amount": "100", "reason": "extra middelen", "step": "confirm", "available_before": "5000.00"}
    return Call("POST", f"/financien/enveloppen/{api.envelopes['kleding']}/bijstorten", form)


def transfer(api: Api, owner: str, caller: str) -> Call:
    form = {
        "source": api.envelopes["kleding"],
        "target": api.envelopes["energie"],
        "amount": "10",
        "reason": "verschuiving",
        "step": "confirm",
        "available_before": "5000.00/5000.00",
    }
    return Call("POST", "/financien/overdracht", form)


def escalation(api: Api, owner: str, caller: str) -> Call:
    return Call("GET", f"/comite/{world.escalated_request(api, world.open_dossier(api, owner))['id']}")


def rule(api: Api, owner: str, caller: str) -> Call:
    escalated = world.escalated_request(api, world.open_dossier(api, owner))
    form = {"ruling": "approve", "amount": "75,00", "motivation": "", "question": ""}
    return Call("POST", f"/comite/{escalated['id']}/beslissing", form)


def register_policy(api: Api, owner: str, caller: str) -> Call:
    files = [("files", (name, text.encode(), "text/yaml")) for name, text in demo_files().items()]
    return Call("POST", "/beleid/versies", {"effective_from": "2026-12-01"}, files)


MATRIX: dict[tuple[str, str], Entry] = {
    # signing in and out, the language, the start page, any other address
    ("GET", "/"): Entry(fixed("GET", "/"), only(303, *EVERYONE)),
    ("GET", SIGN_IN): Entry(fixed("GET", SIGN_IN), only(303, *EVERYONE), anonymous=(200, None)),
    ("POST", SIGN_IN): Entry(sign_in, only(303, *EVERYONE), anonymous=(303, "/dossiers")),
    ("POST", "/afmelden"): Entry(fixed("POST", "/afmelden"), only(303, *EVERYONE)),
    ("POST", "/taal"): Entry(
        fixed("POST", "/taal", {"lang": "en", "back": "/beleid"}),
        only(303, *EVERYONE),
        anonymous=(303, "/beleid"),
    ),
    ("GET", "/{unknown:path}"): Entry(fixed("GET", "/nergens"), only(404, *EVERYONE), anonymous=(404, None)),
    ("GET", "/beheer"): Entry(fixed("GET", "/beheer"), only(200, D)),
    # the caseworker: their own dossiers only; another's are "not found"
    ("GET", "/dossiers"): Entry(fixed("GET", "/dossiers"), only(200, C)),
    ("GET", "/dossiers/nieuw"): Entry(fixed("GET", "/dossiers/nieuw"), only(200, C)),
    ("POST", "/dossiers/nieuw"): Entry(new_dossier, only(303, C), changes=True),
    ("GET", "/dossiers/{dossier_id}"): Entry(on_dossier(), only(200, C), {C: 404}),
    ("GET", "/dossiers/{dossier_id}/aanvraag"): Entry(on_dossier("/aanvraag"), only(200, C), {C: 404}),
    ("POST", "/dossiers/{dossier_id}/aanvraag"): Entry(submit, only(303, C), {C: 404}, changes=True),
    ("POST", "/dossiers/{dossier_id}/aanvraag/voorbeeld"): Entry(preview, only(200, C), {C: 404}),
    ("GET", "/aanvragen"): Entry(fixed("GET", "/aanvragen"), only(200, C)),
    ("GET", "/aanvragen/{request_id}"): Entry(aid_request, only(200, C), {C: 404}),
    ("POST", "/aanvragen/{request_id}/intrekken"): Entry(withdraw, only(303, C), {C: 404}, changes=True),
    ("GET", "/aanvragen/{request_id}/aanvullen"): Entry(complete_form, only(200, C), {C: 404}),
    ("POST", "/aanvragen/{request_id}/aanvullen"): Entry(complete, only(303, C), {C: 404}, changes=True),
    # finance: the envelopes (the auditor reads them too)
    ("GET", "/financien"): Entry(fixed("GET", "/financien"), only(200, F, A)),
    ("GET", "/financien/export.csv"): Entry(fixed("GET", "/financien/export.csv"), only(200, F, A)),
    ("GET", "/financien/enveloppen/{envelope_id}"): Entry(envelope(), only(200, F, A)),
    ("GET", "/financien/enveloppen/{envelope_id}/{act}"): Entry(envelope("/bijstorten"), only(200, F)),
    ("POST", "/financien/enveloppen/{envelope_id}/{act}"): Entry(top_up, only(303, F), changes=True),
    ("GET", "/financien/overdracht"): Entry(fixed("GET", "/financien/overdracht"), only(200, F)),
    ("POST", "/financien/overdracht"): Entry(transfer, only(303, F), changes=True),
    # the committee: every escalation, whoever's dossier it is on
    ("GET", "/comite"): Entry(fixed("GET", "/comite"), only(200, K)),
    ("GET", "/comite/beslist"): Entry(fixed("GET", "/comite/beslist"), only(200, K)),
    ("GET", "/comite/{request_id}"): Entry(escalation, only(200, K), only(200, K)),
    ("POST", "/comite/{request_id}/beslissing"): Entry(rule, only(303, K), only(303, K), changes=True),
    # the policy: everyone reads the handbook; the policy officer registers versions
    ("GET", "/beleid"): Entry(fixed("GET", "/beleid"), only(200, *EVERYONE)),
    ("GET", "/beleid/versies"): Entry(fixed("GET", "/beleid/versies"), only(200, P)),
    ("POST", "/beleid/versies"): Entry(register_policy, only(303, P), changes=True),
    # the decision log: the auditor and the admin
    ("GET", "/audit"): Entry(fixed("GET", "/audit"), only(200, A, D)),
    ("GET", "/audit/controle"): Entry(fixed("GET", "/audit/controle?uitvoeren=1"), only(200, A, D)),
    ("GET", "/audit/{sequence}"): Entry(fixed("GET", "/audit/1"), only(200, A, D)),
}


def stored(api: Api) -> dict[str, list[str]]:
    """Every stored row but the bookkeeping's, table by table."""
    path = make_url(api.mandaat.settings.database_url).database
    assert path is not None
    with closing(sqlite3.connect(path)) as database:
        names = [name for (name,) in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {
            name: sorted(repr(row) for row in database.execute(f'SELECT * FROM "{name}"'))
            for name in names
            if name not in BOOKKEEPING
        }


CASES = [
    pytest.param(route, role, context, id=f"{route[0]} {route[1]} as {role.value} ({context})")
    for route, entry in MATRIX.items()
    for role in Role
    for context in ((OWN, OTHER) if entry.other is not None else (ANY,))
]


@pytest.mark.parametrize(("route", "role", "context"), CASES)
def test_the_matrix(api: Api, route: tuple[str, str], role: Role, context: str) -> None:
    entry = MATRIX[route]
    caller = USERS[role]
    owner = OTHER_CASEWORKER if context == OTHER else world.CASEWORKER
    call = entry.prepare(api, owner, caller)
    expected = entry.expected(role, context)
    browser = signed_in(api, caller)
    before, rows_before = api.log_head(), stored(api)

    if call.method == "GET":
        response = browser.get(call.path, follow_redirects=False)
    else:
        response = browser.client.post(
            call.path,
            data={"csrf_token": browser.token, **call.form},
            files=call.files,
            follow_redirects=False,
        )

    assert response.status_code == expected, (response.status_code, response.text[:2000])
    assert_security_headers(call.path, response)
    if expected in (403, 404):
        assert ("Geen toegang" if expected == 403 else "Niet gevonden") in response.text
        assert api.log_head() == before, "a refused request changed the decision log"
        assert stored(api) == rows_before, "a refused request changed what is stored"
    elif entry.changes:
        assert api.log_head() > before, "the allowed act was not done: the matrix would prove nothing"


@pytest.mark.parametrize("route", list(MATRIX), ids=lambda route: f"{route[0]} {route[1]}")
def test_nobody_signed_in_is_sent_to_the_sign_in_page(api: Api, route: tuple[str, str]) -> None:
    entry = MATRIX[route]
    call = entry.prepare(api, world.CASEWORKER, world.CASEWORKER)
    browser = another_browser(api)
    browser.get(SIGN_IN)  # a session of its own, with a CSRF token: the form itself is valid
    before, rows_before = api.log_head(), stored(api)

    if call.method == "GET":
        response = browser.get(call.path, follow_redirects=False)
    else:
        response = browser.client.post(
            call.path,
            data={"csrf_token": browser.token, **call.form},
            files=call.files,
            follow_redirects=False,
        )

    status, location = entry.anonymous
    assert response.status_code == status, response.text[:2000]
    assert response.headers.get("location") == location
    assert_security_headers(call.path, response)
    if location == SIGN_IN:
        assert api.log_head() == before
        assert stored(api) == rows_before


def web_routes(api: Api) -> set[tuple[str, str]]:
    return {
        (method, path)
        for route, path, methods in application_routes(api.client.app)
        if isinstance(route, WebRoute)
        for method in methods
    }


def test_every_web_route_has_a_matrix_entry(api: Api) -> None:
    routes = web_routes(api)
    assert ("GET", "/dossiers/{dossier_id}") in routes  # the enumeration sees the pages at all
    assert not any(path.startswith("/api/") for _, path in routes)
    assert routes == set(MATRIX)


def test_every_role_is_allowed_some_page_and_refused_another() -> None:
    """Guard against a vacuous matrix: each role gets a 200 somewhere and a 403 somewhere."""
    for role in Role:
        statuses = {entry.expected(role, OWN) for entry in MATRIX.values()}
        assert 200 in statuses, role
        assert 403 in statuses, role
