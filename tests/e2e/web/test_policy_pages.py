"""The policy officer's pages: the handbook of the version in force, the versions, and registering one from
uploaded rule files (a broken file shows every path:line:column problem and changes nothing)."""

from __future__ import annotations

import re

from tests.e2e.http.conftest import Api, demo_files
from tests.e2e.web.conftest import CASEWORKER, POLICY, Browser, signed_in


def upload(browser: Browser, files: dict[str, bytes], effective_from: str) -> str:
    browser.get("/beleid/versies")
    response = browser.client.post(
        "/beleid/versies",
        data={"csrf_token": browser.token, "effective_from": effective_from},
        files=[("files", (name, content, "text/yaml")) for name, content in files.items()],
    )
    return response.text


def test_the_handbook_of_the_policy_in_force_in_dutch_and_english(api: Api) -> None:
    browser = signed_in(api, CASEWORKER)

    dutch = browser.get("/beleid").text
    browser.post("/taal", {"lang": "en", "back": "/beleid"})
    english = browser.get("/beleid").text

    assert "<h1>Handboek hulpgelden</h1>" in dutch
    assert '<h3 id="kleding-winterschoenen">Winterschoenen</h3>' in dutch
    assert "€ 60,00 (vanaf 1 januari 2024), € 65,00 (vanaf 1 januari 2027)" in dutch
    assert "Van kracht sinds 1 januari 2000." in dutch
    assert "<h1>Handbook of aid rules</h1>" in english
    assert "Winter shoes" in english


def test_a_broken_rule_file_shows_every_problem_and_changes_nothing(api: Api) -> None:
    browser = signed_in(api, POLICY)
    files = {name: text.encode() for name, text in demo_files().items()}
    files["kleding.yaml"] = b"theme: kleding\ntitle: {nl: Kleding\n"
    files["energie.yaml"] = files["energie.yaml"].replace(b"energiefactuur:", b"energie factuur:")

    page = upload(browser, files, "2026-12-01")

    assert "De regelbestanden laden niet: er is niets veranderd." in page
    problems = re.findall(r"<li><code>([^<]*)</code></li>", page)
    assert any(re.match(r"kleding\.yaml:\d+:\d+: ", p) for p in problems), problems
    assert any(re.match(r"energie\.yaml:\d+:\d+: ", p) for p in problems), problems
    assert len(api.mandaat.views.policy_versions()) == 1


def test_a_new_version_is_registered_from_a_date(api: Api) -> None:
    browser = signed_in(api, POLICY)
    files = {name: text.encode() for name, text in demo_files().items()}
    files["kleding.yaml"] = files["kleding.yaml"] + b"# aangepast\n"

    page = upload(browser, files, "01/12/2026")

    assert re.search(r"Versie [0-9a-f]{12} geregistreerd; ze geldt vanaf 1 december 2026\.", page)
    assert "gepland" in page
    assert [row.registered_by for row in api.mandaat.views.policy_versions()] == ["system", POLICY]


def test_a_version_from_a_past_date_or_without_files_is_refused_next_to_its_field(api: Api) -> None:
    browser = signed_in(api, POLICY)
    files = {name: text.encode() for name, text in demo_files().items()}

    past = upload(browser, files, "2026-01-01")
    none = upload(browser, {}, "2026-12-01")
    not_text = upload(browser, {"kleding.yaml": b"\xff\xfe"}, "2026-12-01")

    assert re.search(r'id="f-effective_from-error">.*Een nieuwe versie gaat vandaag of later in\.', past)
    assert re.search(r'id="f-files-error">.*Kies de regelbestanden', none)
    assert "kleding.yaml is geen UTF-8-tekst." in not_text
    assert len(api.mandaat.views.policy_versions()) == 1
