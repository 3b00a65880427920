"""The application as `mandaat serve` will run it: a uvicorn factory reading MANDAAT_* settings, several
worker processes sharing nothing but the database, the OpenAPI document, and /docs."""

from __future__ import annotations

import sqlite3
import warnings
from pathlib import Path

import pytest

from api.composition import build
from api.http.app import app_from_environment, create_app
from tests.e2e.http.conftest import API, PASSWORD, SECRET, Api, Installation, settings_for

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def copy_of(installation: Installation, folder: Path) -> str:
    target = folder / "copy.db"
    assert installation.database is not None
    with sqlite3.connect(installation.database) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return f"sqlite:///{target}"


def test_the_uvicorn_factory_reads_the_environment(
    installation: Installation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MANDAAT_DATABASE_URL", copy_of(installation, tmp_path))
    monkeypatch.setenv("MANDAAT_SECRET_KEY", SECRET)
    monkeypatch.setenv("MANDAAT_ARGON2_MEMORY_KIB", "64")

    with TestClient(app_from_environment()) as client:
        response = client.post(f"{API}/auth/token", data={"username": "anna", "password": PASSWORD})
        assert response.status_code == 200
        token = response.json()["access_token"]
        assert client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"}).json()["id"] == "anna"


def test_making_the_application_touches_no_database(tmp_path: Path) -> None:
    app = create_app(settings_for(f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}"))

    assert app.title == "Mandaat"
    assert not (tmp_path / "missing").exists()


def test_workers_without_a_configured_secret_share_the_one_kept_in_the_database(
    installation: Installation, tmp_path: Path
) -> None:
    url = copy_of(installation, tmp_path)
    first, second = (build(settings_for(url, secret_key=None)) for _ in range(2))
    try:
        with (
            TestClient(create_app(first.settings, services=first)) as one,
            TestClient(create_app(second.settings, services=second)) as two,
        ):
            token = one.post(f"{API}/auth/token", data={"username": "anna", "password": PASSWORD}).json()[
                "access_token"
            ]
            assert two.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
            # and it is not the one configured for the other tests
            other = installation.tokens["anna"]
            assert two.get(f"{API}/me", headers={"Authorization": f"Bearer {other}"}).status_code == 401
    finally:
        first.close()
        second.close()


def test_errors_are_documented_as_problem_details(api: Api) -> None:
    openapi = api.get("/openapi.json").json()

    assert "HTTPValidationError" not in openapi["components"]["schemas"]
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], (method, path, status)
                    assert response["content"]["application/problem+json"]["schema"] == {
                        "$ref": "#/components/schemas/Problem"
                    }
    flows = openapi["components"]["securitySchemes"]["OAuth2PasswordBearer"]["flows"]
    assert flows["password"]["tokenUrl"] == f"{API}/auth/token"


def test_amounts_are_documented_as_decimal_strings(api: Api) -> None:
    schemas = api.get("/openapi.json").json()["components"]["schemas"]

    amount = schemas["AidRequestCreate"]["properties"]["amount"]
    assert amount["type"] == "string"
    assert amount["pattern"] == r"^[0-9]{1,9}(\.[0-9]{1,2})?$"
    assert schemas["EnvelopePublic"]["properties"]["available"]["type"] == "string"


def test_the_docs_page_is_served(api: Api) -> None:
    """Swagger UI served by the application itself (fastapi-offline's files, no CDN), started by a script file
    of its own: the Content-Security-Policy allows no inline script (tests/e2e/web/browser/test_docs_page.py
    shows it in a browser)."""
    response = api.get("/docs")

    assert response.status_code == 200
    assert "/docs-assets/swagger-ui-bundle.js" in response.text
    assert '<script src="/static/swagger-init.js"></script>' in response.text
    assert "cdn" not in response.text
    assert api.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    assert api.client.get("/static/swagger-init.js").status_code == 200
