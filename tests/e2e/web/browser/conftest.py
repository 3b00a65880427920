"""Browser tests: real headless Chromium (Debian's, driven by Playwright) against `mandaat serve --demo`,
started as a process on a free port in a temporary folder, on a fresh SQLite database.

Without /usr/bin/chromium or axe-core (`make test` installs it from npm) they are skipped with the reason;
under CI=true they fail instead. Screenshots of each role's main page go to $MANDAAT_SCREENSHOTS when set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright

from tests.support.served import Served, start

ROOT = Path(__file__).resolve().parents[4]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FAST_PASSWORDS = {
    "MANDAAT_ARGON2_TIME_COST": "1",
    "MANDAAT_ARGON2_MEMORY_KIB": "1024",
    "MANDAAT_ARGON2_PARALLELISM": "1",
}


def require(path: Path, what: str) -> None:
    if path.exists():
        return
    reason = f"{what} is missing ({path})"
    if os.environ.get("CI") == "true":
        pytest.fail(
            f"{reason}: the browser tests must run in CI (.ci/run installs chromium; make test, axe-core)"
        )
    pytest.skip(
        f"{reason}: install it (apt-get install chromium; make {AXE.relative_to(ROOT)}) to run this test"
    )


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    require(CHROMIUM, "Debian's chromium")
    require(AXE, "axe-core")
    folder = tmp_path_factory.mktemp("served")
    served = start(f"sqlite:///{folder / 'mandaat.db'}", folder, demo=True, env=FAST_PASSWORDS)
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    require(CHROMIUM, "Debian's chromium")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def chromium(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def context(chromium: Browser, server: Served) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies), Dutch, tablet-sized (a caseworker's iPad in landscape)."""
    made = chromium.new_context(
        base_url=server.base_url, locale="nl-BE", viewport={"width": 1180, "height": 820}
    )
    made.set_default_timeout(10_000)
    try:
        yield made
    finally:
        made.close()


@pytest.fixture
def screenshots() -> Path | None:
    folder = os.environ.get("MANDAAT_SCREENSHOTS")
    if not folder:
        return None
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def chromium_no_script(chromium: Browser, server: Served) -> Iterator[BrowserContext]:
    """A browser with JavaScript switched off: every form must still work."""
    made = chromium.new_context(base_url=server.base_url, locale="nl-BE", java_script_enabled=False)
    made.set_default_timeout(10_000)
    try:
        yield made
    finally:
        made.close()
