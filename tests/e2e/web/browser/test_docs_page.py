"""/docs in real headless Chromium, under the Content-Security-Policy every answer carries: Swagger UI (served
by the application, started by /static/swagger-init.js rather than an inline script) renders every operation
of the OpenAPI document, an operation opens, and the browser reports no CSP violation, script error or
missing file."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

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
