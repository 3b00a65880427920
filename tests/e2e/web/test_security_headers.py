"""Security headers on every answer of the application (api/web/security.py): every route the application
has — the JSON API, the web pages, /docs, /openapi.json, the static files — with each of its methods, signed
in as each role and not signed in; and every kind of error (404, 405, 422 and 500 problem details, a page's
404 and 500, a static file that is not there).

The route list comes from the application itself: a route whose address this file cannot fill in fails.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from starlette.routing import Mount

from envelopes.domain.users import Role
from tests.e2e.http import world
from tests.e2e.http.conftest import USERS, Api
from tests.e2e.web.conftest import another_browser, application_routes, assert_security_headers, signed_in

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

#: A file in each mounted folder, to ask for.
MOUNTED = {"/static": "/static/mandaat.css", "/docs-assets": "/docs-assets/swagger-ui.css"}
PARAMETER = re.compile(r"\{([a-z_]+)(?::[a-z]+)?\}")


@dataclass(frozen=True)
class Address:
    method: str
    template: str


def addresses(api: Api) -> list[Address]:
    """Every route of the application, with each of its methods (a mounted folder: GET a file in it)."""
    found = []
    for route, path, methods in application_routes(api.client.app):
        if isinstance(route, Mount):
            found.append(Address("GET", MOUNTED[path]))
            continue
        found += [Address(method, path) for method in sorted(methods - {"HEAD"})]
    return found


def parameters(api: Api) -> dict[str, str]:
    """A value for each parameter of an address: things that exist (the caseworker's)."""
    dossier = world.open_dossier(api)
    return {
        "dossier_id": dossier["id"],
        "request_id": world.escalated_request(api, dossier)["id"],
        "envelope_id": api.envelopes["kleding"],
        "act": "bijstorten",
        "sequence": "1",
        "unknown": "nergens",
    }


def filled(template: str, values: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in values, f"{template}: fill in {{{name}}} in tests/e2e/web/test_security_headers.py"
        return values[name]

    return PARAMETER.sub(value, template)


def callers(api: Api) -> Iterator[tuple[str, httpx.Client, dict[str, str], str]]:
    """Nobody signed in, then each role: (who, a browser, its bearer header, its CSRF token)."""
    anonymous = another_browser(api)
    anonymous.get("/aanmelden")
    yield "nobody", anonymous.client, {}, anonymous.token
    for role in Role:
        user = USERS[role]
        browser = signed_in(api, user)
        yield user, browser.client, {"Authorization": f"Bearer {api.tokens[user]}"}, browser.token


def test_every_route_answers_with_the_security_headers(api: Api) -> None:
    routes = sorted(addresses(api), key=lambda route: route.template == "/afmelden")  # signing out last
    templates = {route.template for route in routes}
    assert {"/api/v1/dossiers/{dossier_id}", "/dossiers/{dossier_id}", "/docs", "/openapi.json"} <= templates
    assert {"/static/mandaat.css", "/docs-assets/swagger-ui.css", "/afmelden"} <= templates
    values = parameters(api)
    statuses = set()
    for _, client, bearer, csrf in callers(api):
        for route in routes:
            path = filled(route.template, values)
            if route.method == "GET":
                response = client.get(path, headers=bearer, follow_redirects=False)
            elif path.startswith("/api/"):
                response = client.request(route.method, path, headers=bearer, json={}, follow_redirects=False)
            else:  # a form: the session's CSRF token, nothing else
                response = client.post(path, data={"csrf_token": csrf}, follow_redirects=False)
            assert_security_headers(path, response)
            statuses.add(response.status_code)
    assert {200, 303, 401, 403, 404, 422} <= statuses  # answers of every kind were seen


@pytest.mark.parametrize(
    ("method", "path", "status", "user"),
    [
        ("GET", "/api/v1/nothing-here", 404, None),
        ("DELETE", "/api/v1/dossiers", 405, None),
        ("POST", "/api/v1/dossiers", 422, world.CASEWORKER),
        ("GET", "/api/v1/dossiers/not-an-id", 422, world.CASEWORKER),
        ("GET", "/api/v1/dossiers", 401, None),
        ("GET", "/api/v1/envelopes", 403, world.ADMIN),
        ("PUT", "/dossiers", 405, None),
        ("GET", "/nergens/verder", 404, None),
        ("GET", "/static/nothing.js", 404, None),
        ("GET", "/docs-assets/nothing.js", 404, None),
        ("HEAD", "/static/mandaat.js", 200, None),
        ("OPTIONS", "/api/v1/dossiers", 405, None),
    ],
)
def test_errors_carry_the_security_headers(
    api: Api, method: str, path: str, status: int, user: str | None
) -> None:
    bearer = {} if user is None else {"Authorization": f"Bearer {api.tokens[user]}"}

    response = api.client.request(method, path, headers=bearer, content=b"{", follow_redirects=False)

    assert response.status_code == status
    assert_security_headers(path, response)


def test_an_unexpected_error_of_the_api_carries_them_too(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 500 comes from Starlette's outermost error handler: the headers are put around even that."""

    def broken(**_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(api.mandaat.views, "envelopes", broken)
    client = TestClient(api.client.app, raise_server_exceptions=False)
    token = {"Authorization": f"Bearer {api.tokens[world.FINANCE]}"}

    response = client.get("/api/v1/envelopes", headers=token)

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert_security_headers("/api/v1/envelopes", response)


def test_an_unexpected_error_on_a_page_carries_them_too(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**_: object) -> None:
        raise RuntimeError("boom")

    browser = signed_in(api, world.FINANCE)
    monkeypatch.setattr(api.mandaat.views, "envelopes", broken)

    response = browser.get("/financien")

    assert response.status_code == 500
    assert "Er ging iets mis" in response.text
    assert_security_headers("/financien", response)


def test_api_answers_are_not_stored_and_a_route_cannot_loosen_that(api: Api) -> None:
    answer = api.get("/dossiers", as_=world.CASEWORKER)
    export = signed_in(api, world.FINANCE).get("/financien/export.csv")

    assert (answer.headers["cache-control"], answer.headers["pragma"]) == ("no-store", "no-cache")
    assert export.headers["cache-control"] == "no-store"
    assert export.headers["content-type"].startswith("text/csv")


def test_the_docs_page_starts_swagger_ui_from_a_file_not_an_inline_script(api: Api) -> None:
    page = api.client.get("/docs")
    scripts = re.findall(r"<script\b[^>]*>", page.text)
    started = api.client.get("/static/swagger-init.js")

    assert page.status_code == 200
    assert scripts == [
        '<script src="/docs-assets/swagger-ui-bundle.js">',
        '<script src="/static/swagger-init.js">',
    ]
    assert re.findall(r"<script[^>]*>(?!</script>)", page.text) == []  # nothing between the tags
    assert " on" not in re.sub(r'"[^"]*"', "", page.text)  # no event-handler attributes
    assert 'data-openapi-url="/openapi.json"' in page.text
    assert started.status_code == 200
    assert "javascript" in started.headers["content-type"]
    assert "SwaggerUIBundle(" in started.text
    policy = page.headers["content-security-policy"]
    assert "img-src 'self' data:" in policy  # Swagger UI's icons; the other pages do not allow it
    assert "data:" not in api.client.get("/aanmelden").headers["content-security-policy"]
