"""On the pages too, another caseworker's dossier or request is exactly one that does not exist: every page
and form on a dossier or a request, tried on someone else's and on a made-up id, gives the same page (404,
word for word, but for its own address); on the caseworker's own it is there."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.http import world
from tests.e2e.http.conftest import Api
from tests.e2e.web.conftest import CASEWORKER, OTHER_CASEWORKER, signed_in

ON_DOSSIER = (
    ("GET", "/dossiers/{id}"),
    ("GET", "/dossiers/{id}/aanvraag"),
    ("POST", "/dossiers/{id}/aanvraag"),
    ("POST", "/dossiers/{id}/aanvraag/voorbeeld"),
)
ON_REQUEST = (
    ("GET", "/aanvragen/{id}"),
    ("POST", "/aanvragen/{id}/intrekken"),
    ("GET", "/aanvragen/{id}/aanvullen"),
    ("POST", "/aanvragen/{id}/aanvullen"),
)
FORM = {"reason": "niet meer nodig", "justification": "maat 32", "amount": "10,00", "intent": "preview"}


@pytest.mark.parametrize(("method", "path"), [*ON_DOSSIER, *ON_REQUEST])
def test_someone_elses_is_shown_as_nothing(api: Api, method: str, path: str) -> None:
    mine, theirs = world.open_dossier(api, CASEWORKER), world.open_dossier(api, OTHER_CASEWORKER)
    if (method, path) in ON_REQUEST:
        mine, theirs = world.returned_request(api, mine), world.returned_request(api, theirs)
    browser = signed_in(api, CASEWORKER)

    def open_(identifier: str) -> tuple[int, str]:
        address = path.format(id=identifier)
        response = browser.get(address) if method == "GET" else browser.post(address, FORM)
        return response.status_code, response.text.replace(identifier, "ID")  # the page's own address

    hidden, absent = open_(theirs["id"]), open_(uuid.uuid4().hex)

    assert hidden == absent
    assert hidden[0] == 404
    assert open_(mine["id"])[0] in (200, 303, 422)
