"""Finance's pages: the envelopes at a glance (chart and table), spending per month, an envelope's
ledger, the CSV export, and top-up, reduce, freeze, unfreeze and transfer, each confirmed with the figures
before and after."""

from __future__ import annotations

import csv
import io
import re

from envelopes.domain.envelopes import Balance
from tests.e2e.http.conftest import Api
from tests.e2e.http.world import approved_request, escalated_request, open_dossier
from tests.e2e.web.conftest import AUDITOR, FINANCE, Browser, signed_in


def balance(api: Api, theme: str) -> Balance:
    found = api.mandaat.views.envelope(api.envelopes[theme])
    assert found is not None
    return found[1]


def rows(html: str, label: str) -> list[list[str]]:
    """The cells of every table row headed `label`, in the page's order."""
    found = re.findall(rf"<tr[^>]*>\s*<th scope=\"row\">{re.escape(label)}.*?</tr>", html, re.S)
    assert found, label
    return [re.findall(r'<td class="num">([^<]*)</td>', one) for one in found]


def row(html: str, label: str) -> list[str]:
    return rows(html, label)[0]


def test_the_envelopes_of_a_year_as_a_chart_a_table_and_spending_per_month(api: Api) -> None:
    dossier = open_dossier(api)
    approved_request(api, dossier)
    escalated_request(api, dossier)
    browser = signed_in(api, FINANCE)

    html = browser.get("/financien?jaar=2026").text

    assert "<h1>Enveloppen 2026</h1>" in html
    assert html.count('class="segment segment-') >= 6
    assert '<svg viewBox="0 0 600 276" class="budget-chart" role="img"' in html
    kleding = re.search(
        r'<a href="/financien/enveloppen/[0-9a-f]{32}">Kleding en schoenen</a>.*?</tr>', html, re.S
    )
    assert kleding is not None
    assert re.findall(r'<td class="num">(?:<strong>)?([^<]*)', kleding.group(0)) == [
        "€\xa05.000,00",
        "€\xa00,00",
        "€\xa055,00",
        "€\xa075,00",
        "€\xa04.870,00",
    ]
    assert "<title>nov: €\xa055,00</title>" in html  # spent in November
    assert "Kleding en schoenen</strong> €\xa055,00" in html


def test_the_csv_export_has_the_figures_as_decimal_strings(api: Api) -> None:
    browser = signed_in(api, FINANCE)

    response = browser.get("/financien/export.csv?jaar=2026")

    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["theme"] for r in rows} == set(api.envelopes)
    assert rows[0]["allocated"] == "5000.00"
    assert rows[0]["available"] == "5000.00"


FORMULAS = ('=HYPERLINK("http://x","y")', "-2+3", "@SUM(1)", "+1")  # a team's spaces are trimmed


def test_the_csv_export_writes_a_team_that_looks_like_a_formula_as_text(api: Api) -> None:
    for team in FORMULAS:  # free text, as finance may type it
        opened = api.post(
            "/envelopes",
            as_=FINANCE,
            json={"theme": "kleding", "period": 2026, "amount": "10.00", "team": team},
        )
        assert opened.status_code == 201, opened.text
    reduced = api.post(
        f"/envelopes/{api.envelopes['kleding']}/adjustments",
        as_=FINANCE,
        json={"amount": "-100.00", "reason": "besparing"},
    )
    assert reduced.status_code == 201, reduced.text

    response = signed_in(api, FINANCE).get("/financien/export.csv?jaar=2026")

    exported = list(csv.DictReader(io.StringIO(response.text)))
    assert sorted(r["team"] for r in exported if r["team"]) == sorted("'" + team for team in FORMULAS)
    whole = next(r for r in exported if r["theme"] == "kleding" and not r["team"])
    assert (whole["adjusted"], whole["available"]) == ("-100.00", "4900.00")  # numbers stay numbers
    assert all(not value.startswith("'") for r in exported for key, value in r.items() if key != "team")


def top_up(browser: Browser, envelope: str, step: str, **extra: str) -> str:
    form = {"amount": "1.500,00", "reason": "collegebesluit 20 november", "step": step, **extra}
    return browser.post(f"/financien/enveloppen/{envelope}/bijstorten", form).text


def test_a_top_up_shows_the_figures_before_and_after_and_changes_nothing_until_confirmed(api: Api) -> None:
    browser = signed_in(api, FINANCE)
    envelope = api.envelopes["kleding"]

    confirm = top_up(browser, envelope, "check")

    assert "Bevestigen: bijstorten Kleding en schoenen 2026" in confirm
    assert row(confirm, "Beschikbaar") == ["€\xa05.000,00", "€\xa06.500,00"]
    assert row(confirm, "Aanpassingen") == ["€\xa00,00", "€\xa01.500,00"]
    assert balance(api, "kleding").available.cents == 500_000
    done = top_up(browser, envelope, "confirm", available_before="5000.00")
    assert "Envelop bijgestort." in done
    assert balance(api, "kleding").available.cents == 650_000
    assert "collegebesluit 20 november" in done  # in the ledger


def test_a_confirmation_on_figures_that_changed_meanwhile_is_shown_again(api: Api) -> None:
    browser = signed_in(api, FINANCE)

    page = top_up(browser, api.envelopes["kleding"], "confirm", available_before="4999.00")

    assert "De cijfers zijn intussen veranderd: bekijk ze opnieuw." in page
    assert balance(api, "kleding").adjusted.cents == 0


def test_a_reduction_below_what_is_available_is_refused_next_to_the_amount(api: Api) -> None:
    browser = signed_in(api, FINANCE)
    envelope = api.envelopes["energie"]

    page = browser.post(
        f"/financien/enveloppen/{envelope}/verminderen",
        {"amount": "6000", "reason": "besparing", "step": "check"},
    )

    assert re.search(
        r'id="f-amount-error">.*De envelop heeft nog €\xa05.000,00 beschikbaar; €\xa06.000,00 is nodig',
        page.text,
    )
    assert balance(api, "energie").adjusted.cents == 0


def test_freezing_needs_a_reason_and_is_confirmed(api: Api) -> None:
    browser = signed_in(api, FINANCE)
    envelope = api.envelopes["onderwijs"]

    missing = browser.post(f"/financien/enveloppen/{envelope}/bevriezen", {"reason": "", "step": "check"})
    confirm = browser.post(
        f"/financien/enveloppen/{envelope}/bevriezen", {"reason": "audit", "step": "check"}
    )
    done = browser.post(
        f"/financien/enveloppen/{envelope}/bevriezen",
        {"reason": "audit", "step": "confirm", "available_before": "5000.00"},
    )

    assert re.search(r'id="f-reason-error">.*Geef een reden op\.', missing.text)
    assert row(confirm.text, "Bevroren") == ["nee", "ja"]
    assert "Envelop bevroren: elke nieuwe aanvraag gaat nu naar het comité." in done.text
    assert api.mandaat.views.envelope(envelope)[0].frozen  # type: ignore[index]
    assert "/vrijgeven" in done.text


def test_a_transfer_shows_both_envelopes_before_and_after(api: Api) -> None:
    browser = signed_in(api, FINANCE)
    source, target = api.envelopes["energie"], api.envelopes["kleding"]
    browser.get(f"/financien/overdracht?van={source}")
    form = {"source": source, "target": target, "amount": "1000", "reason": "energiepremie"}

    confirm = browser.post("/financien/overdracht", {**form, "step": "check"}).text
    done = browser.post(
        "/financien/overdracht", {**form, "step": "confirm", "available_before": "5000.00/5000.00"}
    ).text

    assert "Bevestigen: overdracht van €\xa01.000,00" in confirm
    zero, thousand = "€\xa00,00", "€\xa01.000,00"
    assert rows(confirm, "Overgedragen uit deze envelop") == [[zero, thousand], [zero, zero]]
    assert rows(confirm, "Overgedragen naar deze envelop") == [[zero, zero], [zero, thousand]]
    assert [r[1] for r in rows(confirm, "Beschikbaar")] == ["€\xa04.000,00", "€\xa06.000,00"]
    assert "€\xa01.000,00 overgedragen." in done
    assert (balance(api, "energie").available.cents, balance(api, "kleding").available.cents) == (
        400_000,
        600_000,
    )


def test_a_transfer_to_the_same_envelope_is_refused_next_to_the_target(api: Api) -> None:
    browser = signed_in(api, FINANCE)
    same = api.envelopes["energie"]

    page = browser.post(
        "/financien/overdracht",
        {"source": same, "target": same, "amount": "10", "reason": "x", "step": "check"},
    )

    assert re.search(
        r'id="f-target-error">.*Kies een andere envelop van hetzelfde begrotingsjaar\.', page.text
    )


def test_an_envelopes_ledger_for_finance_and_the_auditor_who_cannot_act(api: Api) -> None:
    dossier = open_dossier(api)
    approved_request(api, dossier)
    auditor = signed_in(api, AUDITOR)

    page = auditor.get(f"/financien/enveloppen/{api.envelopes['kleding']}").text
    act = auditor.post(
        f"/financien/enveloppen/{api.envelopes['kleding']}/bijstorten", {"amount": "1", "reason": "x"}
    )

    assert "<h2>Grootboek</h2>" in page
    assert "Toewijzing" in page
    assert "Vastlegging" in page
    assert "/bijstorten" not in page
    assert act.status_code == 403
