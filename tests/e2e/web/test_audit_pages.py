"""The auditor's pages: the decision log filtered on date, actor, action and theme; one entry in full; and the
check of the hash chain, which names the first bad entry."""

from __future__ import annotations

import re

from sqlalchemy import text

from tests.e2e.http.conftest import Api
from tests.e2e.http.world import approved_request, escalated_request, open_dossier
from tests.e2e.web.conftest import ADMIN, AUDITOR, CASEWORKER, signed_in


def sequences(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<td class="num"><a href="/audit/\d+">(\d+)</a></td>', html)]


def test_the_log_newest_first_and_filtered(api: Api) -> None:
    dossier = open_dossier(api)
    approved_request(api, dossier)
    escalated_request(api, dossier)
    browser = signed_in(api, AUDITOR)

    everything = sequences(browser.get("/audit").text)
    decided = browser.get("/audit?actie=aid.submitted").text
    by_caseworker = sequences(browser.get(f"/audit?actor={CASEWORKER}").text)
    clothing = browser.get("/audit?thema=kleding").text
    energy = sequences(browser.get("/audit?thema=energie").text)
    later = sequences(browser.get("/audit?van=2026-11-24").text)
    today = sequences(browser.get("/audit?van=23/11/2026&tot=23/11/2026").text)

    assert everything == sorted(everything, reverse=True)
    assert len(everything) >= 10
    assert sequences(decided) == everything[:2]
    assert "Goedgekeurd" in decided
    assert "Naar het comité" in decided
    assert by_caseworker == everything[:3]  # the dossier and the two requests
    assert sequences(clothing)[:2] == everything[:2]
    assert "Envelop geopend" in clothing
    assert len(energy) == 1  # its envelope opened
    assert later == []
    assert today == everything


def test_a_malformed_date_filter_is_shown_next_to_its_field(api: Api) -> None:
    page = signed_in(api, AUDITOR).get("/audit?van=gisteren").text

    assert re.search(r'id="f-van-error">.*Dit is geen datum', page)


def test_one_entry_in_full(api: Api) -> None:
    dossier = open_dossier(api)
    approved_request(api, dossier)
    browser = signed_in(api, AUDITOR)
    newest = sequences(browser.get("/audit").text)[0]

    html = browser.get(f"/audit/{newest}").text

    assert f"<h1>Logitem {newest}: Aanvraag beslist</h1>" in html
    assert "kleding.winterschoenen.delegation" in html
    assert "&#34;beneficiary_age&#34;: 8" in html
    assert len(re.findall(r'<code class="hash">[0-9a-f]{64}</code>', html)) == 3  # policy, previous, this
    assert '€\xa05.000,00</td><td class="num">€\xa04.945,00' in html
    assert browser.get("/audit/999999").status_code == 404


def test_verifying_the_chain(api: Api) -> None:
    approved_request(api, open_dossier(api))
    browser = signed_in(api, ADMIN)

    intact = browser.get("/audit/controle?uitvoeren=1").text
    head = re.search(r"<code>(\d+:[0-9a-f]{64})</code>", intact)
    assert "De keten is in orde" in intact
    assert head is not None
    assert "De keten is in orde" in browser.get(f"/audit/controle?uitvoeren=1&kop={head.group(1)}").text
    wrong = head.group(1).split(":")[0] + ":" + "0" * 64
    assert "De keten is niet in orde" in browser.get(f"/audit/controle?uitvoeren=1&kop={wrong}").text
    assert re.search(r'id="f-kop-error">', browser.get("/audit/controle?uitvoeren=1&kop=kapot").text)


def test_an_edited_entry_is_named(api: Api) -> None:
    approved_request(api, open_dossier(api))
    with api.mandaat.database.begin() as connection:
        connection.execute(text("UPDATE log_entries SET actor_id = 'iemand' WHERE sequence = 3"))

    html = signed_in(api, AUDITOR).get("/audit/controle?uitvoeren=1").text

    assert "De keten is niet in orde" in html
    assert "Het eerste foute item is nummer 3." in html
    assert "entry 3 was edited" in html
