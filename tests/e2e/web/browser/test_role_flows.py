"""Each role's main flow in a real browser, against `mandaat serve --demo`.

The tests share one demo installation; each makes what it needs (a dossier, a request) so that none depends on
another having run first.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from pathlib import Path

import httpx
from playwright.sync_api import BrowserContext, Page, expect

from api.demo import DEMO_PASSWORD, born
from envelopes.domain.ids import BRUSSELS
from tests.e2e.web.browser.steps import money, shoot, sign_in, watch_console
from tests.support.served import API, Served
from tests.support.served import sign_in as api_token


def test_a_caseworker_opens_a_dossier_gets_shoes_approved_and_an_over_limit_request_escalated(
    context: BrowserContext, screenshots: Path | None
) -> None:
    page = context.new_page()
    problems = watch_console(page)
    sign_in(page, "maatschappelijk.assistent")
    expect(page).to_have_url(re.compile(r"/dossiers$"))
    shoot(page, screenshots, "1-caseworker-dossiers")

    reference = f"WEB-{uuid.uuid4().hex[:8]}"
    page.get_by_role("link", name="Nieuw dossier").click()
    page.get_by_label("Dossierreferentie").fill(reference)
    today = datetime.now(BRUSSELS).date()
    page.locator("#f-birth_0").fill(born(today, 37, 1).isoformat())
    page.locator("#f-relation_0").select_option("aanvrager")
    page.locator("#f-birth_1").fill(born(today, 8, 4).isoformat())
    page.locator("#f-relation_1").select_option("kind")
    page.get_by_role("button", name="Dossier openen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Dossier {reference}")
    expect(page.get_by_role("status")).to_contain_text("Het dossier is geopend.")

    page.get_by_role("link", name="Nieuwe aanvraag").click()
    ask(page, "Lid 2: kind, 8 jaar", "kleding/winterschoenen", "55,00")
    answer = page.locator("#preview")
    expect(answer).to_contain_text("Goedgekeurd binnen de grenzen")  # live, as the caseworker types
    expect(answer).to_contain_text(money("€ 55,00 wordt vastgelegd op de envelop."))
    page.get_by_label("Waarom is deze hulp nodig?").fill(
        "Het kind heeft geen waterdichte schoenen voor de winter."
    )
    shoot(page, screenshots, "1-caseworker-request-approved-preview")
    page.get_by_role("button", name="Aanvraag indienen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Winterschoenen: goedgekeurd")

    page.get_by_role("link", name=f"Terug naar dossier {reference}").click()
    page.get_by_role("link", name="Nieuwe aanvraag").click()
    ask(page, "Lid 2: kind, 8 jaar", "kleding/winterschoenen", "75,00")
    expect(answer).to_contain_text("Naar het comité")
    expect(answer).to_contain_text(
        money("€ 75,00 is meer dan het maximum van € 60,00 per paar winterschoenen")
    )
    expect(answer).to_contain_text("al een paar winterschoenen toegekend")  # every reason, not the first
    expect(answer).to_contain_text(money("€ 75,00 wordt gereserveerd tot het comité beslist."))
    page.get_by_label("Waarom is deze hulp nodig?").fill("Hoge schoenen voor een kind met steunzolen.")
    shoot(page, screenshots, "1-caseworker-request-escalated-preview")
    page.get_by_role("button", name="Aanvraag indienen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Winterschoenen: bij het comité")
    expect(page.locator(".reasons li")).to_have_count(2)

    page.get_by_role("link", name="Mijn aanvragen").click()
    page.get_by_role("link", name=re.compile(r"^Bij het comité")).click()
    expect(page.get_by_role("row").filter(has_text=reference)).to_contain_text(money("€ 75,00"))
    assert problems == []


def test_finance_tops_up_an_envelope_and_transfers_between_two(
    context: BrowserContext, screenshots: Path | None
) -> None:
    page = context.new_page()
    problems = watch_console(page)
    sign_in(page, "finance")
    expect(page).to_have_url(re.compile(r"/financien$"))
    expect(page.locator("svg.budget-chart")).to_be_visible()
    shoot(page, screenshots, "2-finance-envelopes")

    page.get_by_role("link", name="Kleding en schoenen").click()
    before = euros(page.get_by_role("row", name=re.compile("^Beschikbaar")).get_by_role("cell").inner_text())
    page.get_by_role("link", name="Bijstorten").click()
    page.get_by_label("Bedrag in euro").fill("500,00")
    page.get_by_label("Reden").fill("Collegebeslissing 20 november: extra winterkledij")
    page.get_by_role("button", name="Verder: cijfers nakijken").click()
    row = page.get_by_role("row", name=re.compile("^Beschikbaar"))
    expect(row.get_by_role("cell").nth(0)).to_have_text(money(shown(before)))
    expect(row.get_by_role("cell").nth(1)).to_have_text(money(shown(before + 50_000)))
    shoot(page, screenshots, "2-finance-confirm-top-up")
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_role("status")).to_have_text("Envelop bijgestort.")
    expect(page.get_by_role("row", name=re.compile("^Beschikbaar"))).to_contain_text(
        money(shown(before + 50_000))
    )

    page.get_by_role("link", name="Overdracht", exact=True).click()
    source = option(page, "#f-source", "Energie")
    target = option(page, "#f-target", "Kleding en schoenen")
    page.get_by_label("Van envelop").select_option(source)
    page.get_by_label("Naar envelop").select_option(target)
    page.get_by_label("Bedrag in euro").fill("1.000,00")
    page.get_by_label("Reden").fill("Verschuiving na de energiepremie van de Vlaamse overheid")
    page.get_by_role("button", name="Verder: cijfers nakijken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(money("Bevestigen: overdracht van € 1.000,00"))
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_role("status")).to_have_text(money("€ 1.000,00 overgedragen."))
    expect(page.locator("tbody tr").filter(has_text="Overdracht uit deze envelop").last).to_contain_text(
        money("€ 1.000,00")
    )
    assert problems == []


def test_the_committee_approves_another_amount_and_refuses_with_a_motivation(
    context: BrowserContext, server: Served, screenshots: Path | None
) -> None:
    escalated = escalate_winter_shoes(server, "80.00")
    page = context.new_page()
    problems = watch_console(page)
    sign_in(page, "comite")
    expect(page).to_have_url(re.compile(r"/comite$"))
    shoot(page, screenshots, "3-committee-queue")

    page.goto(f"/comite/{escalated}")
    expect(page.get_by_role("heading", name="Wat de regels zagen")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("8 jaar")
    shoot(page, screenshots, "3-committee-escalation")
    page.get_by_label("keurt goed").check()
    page.get_by_label("Toegekend bedrag in euro (bij goedkeuring)").fill("60,00")
    page.get_by_role("button", name="Beslissing vastleggen").click()
    expect(page.locator("#f-motivation-error")).to_have_text(
        "Fout: Een ander bedrag dan gevraagd vraagt een motivering."
    )
    page.get_by_label("Motivering").fill("Het maximum van het kader volstaat voor degelijke winterschoenen.")
    page.get_by_role("button", name="Beslissing vastleggen").click()
    expect(page.get_by_role("status")).to_have_text(money("Goedgekeurd voor € 60,00."))

    page.get_by_role("link", name="Huurwaarborg").first.click()
    page.get_by_label("weigert").check()
    page.get_by_role("button", name="Beslissing vastleggen").click()
    expect(page.locator("#f-motivation-error")).to_contain_text("Schrijf de motivering van de weigering.")
    page.get_by_label("Motivering").fill(
        "De huurprijs ligt boven de huurprijsgrens van het lokaal woonbeleid."
    )
    page.get_by_role("button", name="Beslissing vastleggen").click()
    expect(page.get_by_role("status")).to_have_text("Geweigerd, met de motivering.")

    page.get_by_role("link", name="Beslist").click()
    expect(page.get_by_role("row").filter(has_text="Huurwaarborg")).to_contain_text("Geweigerd")
    expect(page.get_by_role("row").filter(has_text=money("€ 80,00"))).to_contain_text(money("€ 60,00"))
    assert problems == []


def test_the_auditor_reads_the_log_and_verifies_the_chain(
    context: BrowserContext, screenshots: Path | None
) -> None:
    page = context.new_page()
    problems = watch_console(page)
    sign_in(page, "audit")
    expect(page).to_have_url(re.compile(r"/audit$"))
    shoot(page, screenshots, "4-auditor-log")
    page.get_by_label("Handeling").select_option("envelope.opened")
    page.get_by_role("button", name="Filteren").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(6)
    rows.first.get_by_role("link", name="Envelop geopend").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Envelop geopend")
    expect(page.locator("code.hash").first).to_have_text(re.compile(r"^[0-9a-f]{64}$"))

    page.get_by_role("link", name="Keten controleren").first.click()
    page.get_by_role("button", name="Controleer de keten nu").click()
    expect(page.get_by_role("heading", name="De keten is in orde")).to_be_visible()
    shoot(page, screenshots, "4-auditor-verified")
    assert problems == []


def test_a_policy_officer_reads_the_handbook_and_a_broken_rule_file_changes_nothing(
    context: BrowserContext, screenshots: Path | None
) -> None:
    page = context.new_page()
    problems = watch_console(page)
    sign_in(page, "beleid")
    expect(page.get_by_role("heading", level=1)).to_have_text("Handboek hulpgelden")
    expect(page.get_by_role("heading", name="Winterschoenen")).to_be_visible()
    shoot(page, screenshots, "5-policy-handbook")

    page.get_by_role("link", name="Versies").click()
    versions = page.locator("tbody tr").count()
    page.get_by_label("Regelbestanden").set_input_files(
        [
            {
                "name": "algemeen.yaml",
                "mimeType": "text/yaml",
                "buffer": b"general: {title: {nl: Algemeen}\n",
            },
            {"name": "kleding.yaml", "mimeType": "text/yaml", "buffer": b"theme: kleding\nitems: [\n"},
        ]
    )
    page.get_by_role("button", name="Controleren en registreren").click()
    found = page.locator(".problems li")
    expect(found.first).to_be_visible()
    expect(page.locator(".problems")).to_contain_text(re.compile(r"algemeen\.yaml:\d+:\d+: "))
    expect(page.locator(".problems")).to_contain_text(re.compile(r"kleding\.yaml:\d+:\d+: "))
    shoot(page, screenshots, "5-policy-rejected")
    expect(page.locator("tbody tr")).to_have_count(versions)
    assert problems == []


def test_the_request_form_works_without_javascript(chromium_no_script: BrowserContext) -> None:
    page = chromium_no_script.new_page()
    sign_in(page, "maatschappelijk.assistent")
    page.get_by_role("link", name="DEMO-0005").click()
    page.get_by_role("link", name="Nieuwe aanvraag").click()
    ask(page, "Lid 4: kind, 10 jaar", "vrije_tijd/vrijetijdsbijdrage", "40")
    page.get_by_role("button", name="Bekijk de uitkomst").click()
    expect(page.locator("#preview")).to_contain_text("Goedgekeurd binnen de grenzen")
    page.get_by_label("Waarom is deze hulp nodig?").fill("Inschrijving jeugdbeweging.")
    page.get_by_role("button", name="Aanvraag indienen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vrijetijdsbijdrage: goedgekeurd")


def ask(page: Page, beneficiary: str, item: str, amount: str) -> None:
    page.get_by_label("Voor wie").select_option(label=beneficiary)
    page.get_by_label("Hulpvorm").select_option(item)
    page.get_by_label("Bedrag in euro").fill(amount)


def option(page: Page, select: str, text: str) -> str:
    value = page.locator(f"{select} option", has_text=text).first.get_attribute("value")
    assert value, text
    return value


def euros(text: str) -> int:
    """ "€ 12.000,00" → 1200000 cents."""
    digits = re.sub(r"[^\d,]", "", text).replace(",", "")
    return int(digits)


def shown(cents: int) -> str:
    whole, part = divmod(cents, 100)
    return f"€ {whole:,}".replace(",", ".") + f",{part:02d}"


def escalate_winter_shoes(server: Served, amount: str) -> str:
    """Through the API, as the demo caseworker: winter shoes above the limit for DEMO-0001's 8-year-old."""
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        token = api_token(client, server.base_url, "maatschappelijk.assistent", DEMO_PASSWORD)
        headers = {"Authorization": f"Bearer {token}"}
        dossier = client.post(
            f"{API}/dossiers/lookup", json={"reference": "DEMO-0001"}, headers=headers
        ).json()
        body = {
            "dossier_id": dossier["id"],
            "beneficiary_id": dossier["members"][1]["id"],
            "theme": "kleding",
            "item": "winterschoenen",
            "amount": amount,
            "justification": "Waterdichte hoge schoenen",
        }
        answer = client.post(
            f"{API}/aid-requests", json=body, headers={**headers, "Idempotency-Key": uuid.uuid4().hex}
        )
        assert answer.status_code == 201, answer.text
        assert answer.json()["status"] == "escalated"
        return str(answer.json()["id"])
