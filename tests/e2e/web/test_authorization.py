"""Who may open which page: roles declared once (the same tables as the API), other caseworkers' dossiers as
"not found", refusals in the access log, security headers on every page, ids only in addresses.

Every web route × every role × own and other dossier is in test_authorization_matrix.py; the headers on
every route of the application (the API's too) in test_security_headers.py."""

from __future__ import annotations

import re

import pytest

from envelopes.domain.users import Role
from envelopes.persistence.accounts import SqlAccounts
from envelopes.persistence.database import make_session_factory
from tests.e2e.http.conftest import USERS, Api
from tests.e2e.http.world import escalated_request, open_dossier
from tests.e2e.web.conftest import (
    CASEWORKER,
    OTHER_CASEWORKER,
    another_browser,
    assert_security_headers,
    signed_in,
)

C, F, K, P, A, D = (USERS[role] for role in Role)
PAGES = {
    "/dossiers": {C},
    "/dossiers/nieuw": {C},
    "/aanvragen": {C},
    "/financien": {F, A},
    "/financien/overdracht": {F},
    "/financien/export.csv": {F, A},
    "/comite": {K},
    "/comite/beslist": {K},
    "/beleid": {C, F, K, P, A, D},
    "/beleid/versies": {P},
    "/audit": {A, D},
    "/audit/controle": {A, D},
    "/beheer": {D},
}


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_each_role_opens_its_own_pages_and_no_others(api: Api, role: Role) -> None:
    browser = signed_in(api, USERS[role])
    for path, allowed in PAGES.items():
        status = browser.get(path, follow_redirects=False).status_code
        assert status == (200 if USERS[role] in allowed else 403), (role, path, status)


def test_a_caseworker_cannot_open_finance_pages_or_act_on_envelopes(api: Api) -> None:
    browser = signed_in(api, CASEWORKER)
    envelope = api.envelopes["kleding"]

    page = browser.get(f"/financien/enveloppen/{envelope}")
    act = browser.post(
        f"/financien/enveloppen/{envelope}/bijstorten", {"amount": "10", "reason": "x", "step": "confirm"}
    )

    assert page.status_code == 403
    assert "Geen toegang" in page.text
    assert act.status_code == 403
    assert api.mandaat.views.envelope(envelope)[1].adjusted.cents == 0  # type: ignore[index]


def test_another_caseworkers_dossier_and_requests_are_not_found(api: Api) -> None:
    theirs = open_dossier(api, OTHER_CASEWORKER)
    their_request = escalated_request(api, theirs)
    browser = signed_in(api, CASEWORKER)

    responses = [
        browser.get(f"/dossiers/{theirs['id']}"),
        browser.get(f"/dossiers/{theirs['id']}/aanvraag"),
        browser.get(f"/aanvragen/{their_request['id']}"),
        browser.post(f"/aanvragen/{their_request['id']}/intrekken", {"reason": ""}),
        browser.post(f"/dossiers/{theirs['id']}/aanvraag/voorbeeld", {"amount": "10"}),
    ]

    assert [response.status_code for response in responses] == [404] * 5
    assert all("Niet gevonden" in response.text for response in responses)
    assert api.mandaat.views.aid_request(their_request["id"])[0].status.value == "escalated"  # type: ignore[index]
    with SqlAccounts(make_session_factory(api.mandaat.database)) as store:
        refused = [event for event in store.events(limit=20) if event.event == "access.refused"]
    assert [event.detail for event in refused[:5]] == ["not_assigned"] * 5
    assert refused[0].user_id == CASEWORKER


def test_a_role_that_may_not_is_written_to_the_access_log(api: Api) -> None:
    browser = signed_in(api, CASEWORKER)

    browser.get("/comite")

    with SqlAccounts(make_session_factory(api.mandaat.database)) as store:
        last = store.events(limit=1)[0]
    assert (last.event, last.status, last.detail, last.route, last.user_id) == (
        "access.refused",
        403,
        "role",
        "/comite",
        CASEWORKER,
    )


def test_pages_need_a_session(api: Api) -> None:
    anonymous = another_browser(api)
    for path in PAGES:
        response = anonymous.get(path, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/aanmelden"), path


def test_every_page_carries_the_security_headers(api: Api) -> None:
    browser = signed_in(api, CASEWORKER)
    for path in ("/aanmelden", "/dossiers", "/nothing-here", "/static/mandaat.css"):
        headers = browser.get(path).headers
        policy = headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "style-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["cache-control"] == ("no-cache" if path.startswith("/static/") else "no-store")


def test_pages_hold_no_inline_script_or_style(api: Api) -> None:
    browser = signed_in(api, CASEWORKER)
    dossier = open_dossier(api, CASEWORKER)
    for path in ("/dossiers", f"/dossiers/{dossier['id']}", f"/dossiers/{dossier['id']}/aanvraag", "/beleid"):
        html = browser.get(path).text
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], path
        assert "<style" not in html, path
        assert " style=" not in html, path
        assert re.search(r"\son[a-z]+=", html) is None, path


def test_addresses_hold_ids_never_a_case_file_reference(api: Api) -> None:
    dossier = open_dossier(api, CASEWORKER, reference="MA-2026-SECRET")
    escalated_request(api, dossier)
    browser = signed_in(api, CASEWORKER)
    for path in ("/dossiers", f"/dossiers/{dossier['id']}", "/aanvragen"):
        html = browser.get(path).text
        assert "MA-2026-SECRET" in html  # shown on the page ...
        addresses = re.findall(r'(?:href|action)="([^"]*)"', html)
        assert addresses, path
        assert [a for a in addresses if "SECRET" in a] == [], path  # ... never in an address


def test_an_unknown_address_is_a_page_but_the_api_keeps_its_problems(api: Api) -> None:
    page = another_browser(api).get("/nergens")
    problem = api.client.get("/api/v1/nothing-here")

    assert page.status_code == 404
    assert "text/html" in page.headers["content-type"]
    assert problem.headers["content-type"] == "application/problem+json"
    assert_security_headers("/api/v1/nothing-here", problem)  # the API's answers carry them too
    assert_security_headers("/nergens", page)
