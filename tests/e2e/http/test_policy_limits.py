"""Rule files over the installation's limits (MANDAAT_POLICY_MAX_*), through the API and the upload page, on
SQLite and on PostgreSQL: too many files, a file too large, too many entries — each refused with the limit
named, and nothing registered: the policy in force stays in force."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from rules.loader import load_policy
from rules.policies import DEMO_POLICY
from tests.e2e.http import world
from tests.e2e.http.conftest import DATABASES, Api, demo_files, serving_on
from tests.e2e.web.conftest import POLICY, signed_in
from tests.integration.conftest import postgres_server_url  # noqa: F401 (a fixture)
from tests.support.generate import plain_theme

LIMITS = {
    "policy_max_files": 8,
    "policy_max_file_bytes": 4096,
    "policy_max_bytes": 16 * 1024,
    "policy_max_entries": 60,
}
TOMORROW = "2026-11-24"  # the tests' clock stands at 23 November 2026


@pytest.fixture(scope="module", params=DATABASES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from serving_on(request, tmp_path_factory.mktemp("policy-limits"), **LIMITS)


def too_many_files() -> dict[str, str]:
    return {
        **demo_files(),
        "extra_a.yaml": plain_theme("extra_a", 1),
        "extra_b.yaml": plain_theme("extra_b", 1),
    }


def a_file_too_large() -> dict[str, str]:
    return {**demo_files(), "groot.yaml": plain_theme("groot", 1) + "# " + "x" * 5000 + "\n"}


def too_many_entries() -> dict[str, str]:
    return {**demo_files(), "meer.yaml": plain_theme("meer", 20)}


CASES = {
    "too many files": (
        too_many_files,
        "(the rule files): the policy has 9 rule files; a policy has at most 8",
    ),
    "a file too large": (a_file_too_large, "groot.yaml:1:1: the file is larger than 4 KiB, the most a rule"),
    "too many entries": (too_many_entries, "the policy has more than 60 entries (items, their limits,"),
}


def state(api: Api) -> tuple[Any, ...]:
    """What registering would change: the versions, the version in force, the log's head."""
    versions = api.get("/policy/versions", as_=world.CASEWORKER).json()
    in_force = api.get("/policy", as_=world.CASEWORKER).json()["version"]
    return len(versions), in_force, api.log_head()


def test_the_demo_policy_is_within_these_limits(served: Api) -> None:
    limits = served.mandaat.settings.policy_limits()
    assert (limits.files, limits.file_bytes, limits.total_bytes, limits.entries) == tuple(LIMITS.values())
    assert (
        load_policy(DEMO_POLICY, limits).version
        == served.get("/policy", as_=world.CASEWORKER).json()["version"]
    )


@pytest.mark.parametrize("case", list(CASES))
def test_rule_files_over_a_limit_are_refused_through_the_api(served: Api, case: str) -> None:
    files, message = CASES[case]
    before = state(served)

    response = served.post(
        "/policy/versions", as_=world.POLICY, json={"files": files(), "effective_from": TOMORROW}
    )

    assert response.status_code == 422, response.text
    assert response.json()["code"] == "policy_rejected"
    assert message in response.json()["detail"]
    assert [error["field"] for error in response.json()["errors"]] == ["files"]
    assert state(served) == before


def upload(api: Api, files: dict[str, str]) -> httpx.Response:
    browser = signed_in(api, POLICY)
    browser.get("/beleid/versies")
    parts = [("files", (name, text.encode(), "application/yaml")) for name, text in files.items()]
    return browser.post("/beleid/versies", {"effective_from": TOMORROW}, files=parts)


@pytest.mark.parametrize(
    ("case", "shown"),
    [
        ("too many files", "Hoogstens 8 bestanden; u koos er 9."),
        ("a file too large", "groot.yaml is groter dan 4 KiB."),
        ("too many entries", "the policy has more than 60 entries"),
    ],
)
def test_rule_files_over_a_limit_are_refused_on_the_upload_page(served: Api, case: str, shown: str) -> None:
    files, _ = CASES[case]
    before = state(served)

    response = upload(served, files())

    assert response.status_code == 422, response.text
    assert shown in response.text
    assert state(served) == before


def test_files_over_their_limit_together_are_refused_on_the_upload_page(served: Api) -> None:
    files = {**demo_files(), **{f"t{n}.yaml": plain_theme(f"t{n}", 1) + "#" * 3500 + "\n" for n in range(4)}}
    for name in ("vrije_tijd.yaml", "onderwijs.yaml", "huisvesting.yaml"):
        del files[name]
    sizes = [len(text.encode()) for text in files.values()]
    assert (len(files), max(sizes) < 4096, sum(sizes) > 16 * 1024) == (8, True, True)
    before = state(served)

    response = upload(served, files)

    assert response.status_code == 422
    assert "De bestanden samen zijn groter dan 16 KiB." in response.text
    assert state(served) == before


def test_an_answer_lists_20_rule_file_problems_and_how_many_more(served: Api) -> None:
    broken = demo_files()
    broken["kleding.yaml"] += "".join(f"kapot_{n}: ja\n" for n in range(30))

    response = served.post(
        "/policy/versions", as_=world.POLICY, json={"files": broken, "effective_from": TOMORROW}
    )
    page = upload(served, broken)

    problem = response.json()
    assert response.status_code == 422
    assert (len(problem["errors"]), problem["more_errors"]) == (20, 10)
    assert problem["detail"].endswith("\n… and 10 more")
    assert page.text.count("<li><code>kleding.yaml:") == 20
    assert "Wat er fout is (30), als bestand:regel:kolom:" in page.text
    assert "En nog 10 meer: toon ze allemaal met mandaat rules check." in page.text


def test_a_version_within_the_limits_still_registers(served: Api) -> None:
    files = {**demo_files(), "meer.yaml": plain_theme("meer", 5)}
    day = date(2027, 6, 1).isoformat()

    response = served.post("/policy/versions", as_=world.POLICY, json={"files": files, "effective_from": day})

    assert response.status_code == 201, response.text


def test_an_upload_of_more_parts_than_a_form_may_hold_gets_a_readable_page(served: Api) -> None:
    before = state(served)

    response = upload(served, {f"f{number}.yaml": "theme: x\n" for number in range(1001)})

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "Dit formulier kan niet gelezen worden" in response.text
    assert state(served) == before
