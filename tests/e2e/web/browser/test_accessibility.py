"""axe-core (from the npm registry, injected by Playwright) finds no serious or critical WCAG 2.1 A/AA
violation on any page: every role's pages, their details, forms showing errors, the live answer, and the
main pages in English.

axe is injected as an inline script, which the pages' Content-Security-Policy rightly forbids: these contexts
bypass CSP (the flow tests run with it and fail on any violation).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.web.browser.steps import axe_violations, sign_in
from tests.support.served import Served

Visit = Callable[[Page], None]


def goto(path: str) -> Visit:
    return lambda page: page.goto(path) and None


def follow(path: str, link: str) -> Visit:
    """Open `path`, then the first link in its main content matching `link` (a CSS selector)."""

    def visit(page: Page) -> None:
        page.goto(path)
        page.locator(f"main {link}").first.click()

    return visit


def submit_empty(path: str, button: str) -> Visit:
    def visit(page: Page) -> None:
        page.goto(path)
        page.get_by_role("button", name=button).click()
        expect(page.locator(".error-summary")).to_be_visible()

    return visit


def preview_request(page: Page) -> None:
    page.goto("/dossiers")
    page.get_by_role("link", name="DEMO-0003").click()
    page.get_by_role("link", name="Nieuwe aanvraag").click()
    page.get_by_label("Voor wie").select_option(index=3)
    page.get_by_label("Hulpvorm").select_option("kleding/winterschoenen")
    page.get_by_label("Bedrag in euro").fill("300")
    expect(page.locator("#preview .reasons li").first).to_be_visible()


PAGES: dict[str, list[tuple[str, Visit]]] = {
    "maatschappelijk.assistent": [
        ("dossiers", goto("/dossiers")),
        ("a dossier", follow("/dossiers", "tbody a")),
        ("new dossier with errors", submit_empty("/dossiers/nieuw", "Dossier openen")),
        ("request form with the live answer", preview_request),
        ("requests", goto("/aanvragen")),
        ("a request", follow("/aanvragen", "tbody a")),
        ("handbook", goto("/beleid")),
        ("not found", goto("/dossiers/00000000000000000000000000000000")),
    ],
    "finance": [
        ("envelopes", goto("/financien")),
        ("an envelope and its ledger", follow("/financien", "tbody a")),
        ("top up with errors", lambda page: (follow("/financien", "tbody a")(page), submit_top_up(page))[1]),
        ("transfer", goto("/financien/overdracht")),
    ],
    "comite": [
        ("queue", goto("/comite")),
        ("an escalation", follow("/comite", "tbody a")),
        ("decided", goto("/comite/beslist")),
    ],
    "beleid": [
        ("handbook", goto("/beleid")),
        ("versions", goto("/beleid/versies")),
    ],
    "audit": [
        ("log", goto("/audit")),
        ("an entry", follow("/audit", "tbody a")),
        ("verify", lambda page: (page.goto("/audit/controle?uitvoeren=1"), None)[1]),
        ("a forbidden page", goto("/dossiers")),
    ],
    "beheer": [("users", goto("/beheer"))],
}


def submit_top_up(page: Page) -> None:
    page.get_by_role("link", name="Bijstorten").click()
    page.get_by_role("button", name="Verder: cijfers nakijken").click()


@pytest.fixture
def axe_context(chromium: Browser, server: Served) -> Iterator[BrowserContext]:
    made = chromium.new_context(base_url=server.base_url, locale="nl-BE", bypass_csp=True)
    made.set_default_timeout(10_000)
    try:
        yield made
    finally:
        made.close()


@pytest.mark.parametrize("user", list(PAGES))
def test_no_serious_or_critical_violation_on_any_page(axe_context: BrowserContext, user: str) -> None:
    page = axe_context.new_page()
    page.goto("/aanmelden")
    found = {"sign-in page": axe_violations(page)} if user == "beheer" else {}
    sign_in(page, user)
    for name, visit in PAGES[user]:
        visit(page)
        found[name] = axe_violations(page)
    assert {name: violations for name, violations in found.items() if violations} == {}


def test_no_serious_or_critical_violation_in_english(chromium: Browser, server: Served) -> None:
    """The main page of every role, and a form showing its errors, in English (the same templates).

    Each user gets a fresh browser profile: the language choice is a cookie, so it would otherwise carry over
    to the next user's (Dutch) sign-in page.
    """

    def english_page(user: str) -> tuple[BrowserContext, Page]:
        made = chromium.new_context(base_url=server.base_url, locale="nl-BE", bypass_csp=True)
        made.set_default_timeout(10_000)
        page = made.new_page()
        sign_in(page, user)
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        return made, page

    found = {}
    for user, pages in PAGES.items():
        made, page = english_page(user)
        name, visit = pages[0]
        visit(page)
        found[f"{user}: {name}"] = axe_violations(page)
        made.close()
    made, page = english_page("maatschappelijk.assistent")
    page.goto("/dossiers/nieuw")
    page.get_by_role("button", name="Open the dossier").click()
    expect(page.locator(".error-summary")).to_be_visible()
    found["new dossier with errors"] = axe_violations(page)
    made.close()
    assert {name: violations for name, violations in found.items() if violations} == {}
