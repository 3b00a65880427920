"""The web pages over HTTP: the real application on a copy of an installed SQLite database, with a fake clock.

The installation is the one the JSON API's tests use (tests/e2e/http/conftest.py): the demo policy, a user of
every role (two caseworkers), an envelope per theme for 2026. `Browser` signs in through the sign-in form and
posts forms with the CSRF token of the page it last read, as a browser would.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.routing import BaseRoute
from starlette.types import ASGIApp

from api.composition import Mandaat
from envelopes.domain.users import Role
from tests.e2e.http.conftest import (
    PASSWORD,
    USERS,
    Api,
    FakeClock,
    Installation,
    fresh_api,
    installation,  # noqa: F401 (the session-wide installation, shared with the API tests' definition)
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

CASEWORKER = USERS[Role.CASEWORKER]
FINANCE = USERS[Role.FINANCE]
COMMITTEE = USERS[Role.COMMITTEE]
POLICY = USERS[Role.POLICY]
AUDITOR = USERS[Role.AUDITOR]
ADMIN = USERS[Role.ADMIN]
OTHER_CASEWORKER = "bram"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Browser:
    """One browser: its own cookies, the CSRF token of the last page it read."""

    client: TestClient
    mandaat: Mandaat
    clock: FakeClock
    envelopes: dict[str, str]
    token: str = ""
    last: httpx.Response | None = field(default=None, repr=False)

    def get(self, path: str, **options: Any) -> httpx.Response:
        response = self.client.get(path, **options)
        self._remember(response)
        return response

    def post(
        self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **options: Any
    ) -> httpx.Response:
        if csrf and not self.token:
            self.get("/aanmelden")
        sent = {**({"csrf_token": self.token} if csrf else {}), **(data or {})}
        response = self.client.post(path, data=sent, **options)
        self._remember(response)
        return response

    def sign_in(self, user: str, password: str = PASSWORD) -> httpx.Response:
        self.get("/aanmelden")
        return self.post("/aanmelden", {"username": user, "password": password})

    def cookie(self) -> str | None:
        return self.client.cookies.get("mandaat_session")

    def _remember(self, response: httpx.Response) -> None:
        self.last = response
        found = (
            CSRF.search(response.text) if "text/html" in response.headers.get("content-type", "") else None
        )
        if found:
            self.token = found.group(1)


@pytest.fixture
def api(installation: Installation, tmp_path: Path) -> Iterator[Api]:  # noqa: F811
    yield from fresh_api(installation, tmp_path)


@pytest.fixture
def browser(api: Api) -> Browser:
    return Browser(api.client, api.mandaat, api.clock, api.envelopes)


def another_browser(api: Api, **options: Any) -> Browser:
    client = TestClient(api.client.app, **options)
    return Browser(client, api.mandaat, api.clock, api.envelopes)


def signed_in(api: Api, user: str) -> Browser:
    browser = another_browser(api)
    response = browser.sign_in(user)
    assert response.status_code == 200, response.text
    return browser


ASSETS = ("/static/", "/docs-assets/")
DESCRIPTIONS = ("/openapi.json", "/docs")  # the same for everyone, no personal data: may be cached


def assert_security_headers(path: str, response: httpx.Response) -> None:
    """The headers every answer carries (api/web/security.py): a Content-Security-Policy without inline
    script, no framing, nosniff; no-store on all but the application's own static files (revalidated) and the
    API's description (no cache header: it may be cached)."""
    headers = response.headers
    where = f"{response.request.method} {path} → {response.status_code}"
    policy = headers.get("content-security-policy", "")
    directives = {}
    for part in filter(None, (part.strip() for part in policy.split(";"))):
        name, _, value = part.partition(" ")
        directives[name] = value
    assert directives.get("default-src") == "'none'", where
    assert directives.get("script-src") == "'self'", where
    assert "unsafe-inline" not in policy, where
    assert "unsafe-eval" not in policy, where
    assert directives.get("frame-ancestors") == "'none'", where
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("x-frame-options") == "DENY", where
    cache = None if path in DESCRIPTIONS else "no-cache" if path.startswith(ASSETS) else "no-store"
    assert headers.get("cache-control") == cache, where


def application_routes(app: ASGIApp) -> list[tuple[BaseRoute, str, set[str]]]:
    """Every route of the application: (the route as declared, its whole path, its methods)."""
    routes: list[BaseRoute] = getattr(app, "routes", [])
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # FastAPI before 0.16x copied the routes of an included router into app.routes
        return [
            (route, getattr(route, "path", ""), set(getattr(route, "methods", None) or ()))
            for route in routes
        ]
    return [
        (context.original_route, str(context.path), set(context.methods or ()))
        for context in iter_route_contexts(routes)
    ]
