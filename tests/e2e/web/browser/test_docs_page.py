"""/docs in real headless Chromium, under the Content-Security-Policy every answer carries: Swagger UI (served
by the application, started by /static/swagger-init.js rather than an inline script) renders every operation
of the OpenAPI document, an operation opens, and the browser reports no CSP violation, script error or
missing file; and a new caseworker signs in there and gets winter shoes approved."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from api.demo import CASEWORKER, DEMO_PASSWORD
from tests.e2e.web.browser.steps import watch_console
from tests.support.served import Served

#: Collects every CSP violation the page reports (Playwright adds it before the page's own scripts; it is
#: not subject to the page's policy).
VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


@pytest.fixture
def docs(chromium: Browser, server: Served) -> Iterator[Page]:
    context = chromium.new_context(base_url=server.base_url, locale="en-GB")
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        page.add_init_script(VIOLATIONS)
        yield page
    finally:
        context.close()


def test_the_docs_page_renders_every_operation_without_a_csp_violation(docs: Page, server: Served) -> None:
    problems = watch_console(docs)
    openapi = httpx.get(f"{server.base_url}/openapi.json", timeout=10).json()
    operations = sum(len(methods) for methods in openapi["paths"].values())

    response = docs.goto("/docs")

    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    expect(docs.locator(".opblock")).to_have_count(operations)
    expect(docs.locator(".info .title")).to_contain_text("Mandaat")
    dossier = docs.locator(".opblock-get").filter(has_text="/api/v1/dossiers/{dossier_id}")
    dossier.locator(".opblock-summary").first.click()
    expect(dossier.locator(".parameters-container").first).to_be_visible()
    expect(docs.locator(".btn.authorize")).to_be_visible()
    assert docs.evaluate("window.__violations") == []
    assert problems == []


def test_a_new_caseworker_gets_winter_shoes_approved_through_the_docs_page(docs: Page) -> None:
    """What the README promises a new user: sign in with a demo login through Authorize (the OAuth2 password
    flow), open a dossier for a household with an eight-year-old, and ask for winter shoes — approved at once,
    with the envelope's commitment — all in Swagger UI's own forms."""
    problems = watch_console(docs)
    docs.goto("/docs")
    docs.locator(".btn.authorize").click()
    docs.fill("#oauth_username", CASEWORKER.user_id)
    docs.fill("#oauth_password", DEMO_PASSWORD)
    docs.locator(".auth-btn-wrapper .authorize").click()
    expect(docs.locator(".auth-btn-wrapper button", has_text="Logout")).to_be_visible()
    docs.locator(".auth-btn-wrapper .btn-done").click()

    today = date.today()
    household = {
        "reference": f"DOCS-{uuid.uuid4().hex[:8]}",
        "members": [
            {"birth_date": today.replace(year=today.year - 35, day=1).isoformat(), "relation": "aanvrager"},
            {"birth_date": today.replace(year=today.year - 8, day=1).isoformat(), "relation": "kind"},
        ],
    }
    status, dossier = _try_out(docs, "post", "/api/v1/dossiers", body=household)
    assert status == "201"
    child = next(member for member in dossier["members"] if member["relation"] == "kind")
    shoes = {
        "dossier_id": dossier["id"],
        "beneficiary_id": child["id"],
        "theme": "kleding",
        "item": "winterschoenen",
        "amount": "55.00",
        "justification": "Warme, waterdichte winterschoenen voor de winter",
    }
    status, answer = _try_out(docs, "post", "/api/v1/aid-requests", body=shoes, key=str(uuid.uuid4()))

    assert status == "201"
    assert (answer["status"], answer["approved_amount"], answer["reasons"]) == ("approved", "55.00", [])
    assert problems == []


def _try_out(
    page: Page, method: str, path: str, *, body: dict[str, Any], key: str | None = None
) -> tuple[str, Any]:
    """Open an operation, "Try it out" with this body (and Idempotency-Key), "Execute": status and JSON."""
    summary = page.locator(f'.opblock-summary-path[data-path="{path}"]')
    operation = page.locator(f".opblock-{method}").filter(has=summary)
    operation.locator(".opblock-summary").first.click()
    operation.locator(".try-out__btn").click()
    if key is not None:
        operation.locator('tr[data-param-name="Idempotency-Key"] input').fill(key)
    operation.locator("textarea.body-param__text").fill(json.dumps(body))
    operation.locator(".execute").click()
    answer = operation.locator(".live-responses-table .response-col_description .microlight").first
    expect(answer).to_be_visible()
    status = operation.locator(".live-responses-table .response .response-col_status").first.inner_text()
    return status.strip(), json.loads(answer.inner_text())
