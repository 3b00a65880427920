"""What a person does in the browser, step by step, for the browser tests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import ConsoleMessage, Page, expect

from api.demo import DEMO_PASSWORD
from tests.e2e.web.browser.conftest import AXE

SERIOUS = ("serious", "critical")


def sign_in(page: Page, user: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/aanmelden")
    page.get_by_label("Gebruikersnaam").fill(user)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("button", name="Afmelden")).to_be_visible()


FORM_REFUSED = re.compile(r"status of (400|409|422|429) ")  # a form shown again with its errors


def watch_console(page: Page) -> list[str]:
    """Errors the page logs: a script error, a Content-Security-Policy violation, a resource not found."""
    problems: list[str] = []

    def seen(message: ConsoleMessage) -> None:
        if message.type == "error" and not FORM_REFUSED.search(message.text):
            problems.append(message.text)

    page.on("console", seen)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def shoot(page: Page, folder: Path | None, name: str) -> None:
    if folder is not None:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical WCAG 2.1 A/AA violations axe-core finds on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
            });
            return result.violations
                .filter(v => ["serious", "critical"].includes(v.impact))
                .map(v => ({id: v.id, impact: v.impact, help: v.help,
                            nodes: v.nodes.map(n => n.target.join(" "))}));
        }"""
    )
    return found


def money(text: str) -> re.Pattern[str]:
    """ "€ 1.234,50" as the page writes it (a no-break space after the euro sign)."""
    return re.compile(re.escape(text).replace(r"\ ", r"[\s\u00a0]"))
