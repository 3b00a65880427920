"""The committee's pages: the open escalations with their reasons, one with the facts the rules saw and
its envelope, and the rulings (approve that amount or another, refuse with a motivation, return with a
question)."""

from __future__ import annotations

import re

from tests.e2e.http.conftest import Api
from tests.e2e.http.world import escalated_request, open_dossier
from tests.e2e.web.conftest import CASEWORKER, COMMITTEE, Browser, signed_in


def decide(browser: Browser, request_id: str, **form: str) -> str:
    browser.get(f"/comite/{request_id}")
    return browser.post(f"/comite/{request_id}/beslissing", form).text


def test_the_queue_lists_each_escalation_with_its_reasons(api: Api) -> None:
    escalated = escalated_request(api, open_dossier(api))
    browser = signed_in(api, COMMITTEE)

    html = browser.get("/comite").text

    assert f'href="/comite/{escalated["id"]}"' in html
    assert "€ 75,00 is meer dan het maximum van € 60,00 per paar winterschoenen" in html
    assert "Eén aanvraag wacht op een beslissing." in html


def test_an_escalation_shows_the_facts_the_rules_saw_and_the_envelope(api: Api) -> None:
    escalated = escalated_request(api, open_dossier(api))
    browser = signed_in(api, COMMITTEE)

    html = browser.get(f"/comite/{escalated['id']}").text

    assert "<h1>Winterschoenen: €\xa075,00</h1>" in html
    assert re.search(r"Leeftijd begunstigde</dt><dd>8 jaar · kind", html)
    assert "2 personen, van wie 1 kinderen" in html
    assert "Envelop beschikbaar toen</dt><dd>€\xa05.000,00" in html
    assert "geen waterdichte schoenen voor de winter" in html  # the caseworker's justification
    assert re.search(r"Gereserveerd</th>\s*<td class=\"num\">€\xa075,00", html)


def test_approving_another_amount_needs_a_motivation(api: Api) -> None:
    escalated = escalated_request(api, open_dossier(api))
    browser = signed_in(api, COMMITTEE)

    refused = decide(browser, escalated["id"], ruling="approve", amount="60,00", motivation="")
    done = decide(
        browser, escalated["id"], ruling="approve", amount="60,00", motivation="het maximum volstaat"
    )

    assert re.search(
        r'id="f-motivation-error">.*Een ander bedrag dan gevraagd vraagt een motivering\.', refused
    )
    assert "Goedgekeurd voor €\xa060,00." in done
    aid = api.mandaat.views.aid_request(escalated["id"])[0]  # type: ignore[index]
    assert (aid.status.value, str(aid.approved_amount), aid.decided_by) == ("approved", "60.00", COMMITTEE)
    assert "het maximum volstaat" in browser.get("/comite/beslist").text


def test_the_amount_asked_is_approved_without_a_motivation(api: Api) -> None:
    escalated = escalated_request(api, open_dossier(api))
    browser = signed_in(api, COMMITTEE)

    done = decide(browser, escalated["id"], ruling="approve", amount="75", motivation="")

    assert "Goedgekeurd voor €\xa075,00." in done


def test_refusing_needs_a_motivation(api: Api) -> None:
    escalated = escalated_request(api, open_dossier(api))
    browser = signed_in(api, COMMITTEE)

    missing = decide(browser, escalated["id"], ruling="refuse", motivation=" ")
    done = decide(
        browser, escalated["id"], ruling="refuse", motivation="Het gezin kreeg al schoenen via de school."
    )

    assert re.search(r'id="f-motivation-error">.*Schrijf de motivering van de weigering\.', missing)
    assert "Geweigerd, met de motivering." in done
    assert api.mandaat.views.envelope(api.envelopes["kleding"])[1].held.cents == 0  # type: ignore[index]


def test_returning_needs_a_question_which_the_caseworker_then_sees(api: Api) -> None:
    escalated = escalated_request(api, open_dossier(api))
    browser = signed_in(api, COMMITTEE)

    missing = decide(browser, escalated["id"], ruling="return", question="")
    done = decide(browser, escalated["id"], ruling="return", question="Welke schoenmaat heeft het kind?")

    assert re.search(r'id="f-question-error">.*Schrijf uw vraag\.', missing)
    assert "Teruggestuurd naar de maatschappelijk assistent, met uw vraag." in done
    caseworker = signed_in(api, CASEWORKER)
    assert "Welke schoenmaat heeft het kind?" in caseworker.get(f"/aanvragen/{escalated['id']}").text


def test_no_ruling_chosen_is_shown_next_to_the_choice(api: Api) -> None:
    escalated = escalated_request(api, open_dossier(api))
    browser = signed_in(api, COMMITTEE)

    page = decide(browser, escalated["id"], amount="75")

    assert re.search(r'id="f-ruling-error">Kies wat het comité beslist\.', page)


def test_a_decided_request_can_no_longer_be_ruled_on(api: Api) -> None:
    escalated = escalated_request(api, open_dossier(api))
    browser = signed_in(api, COMMITTEE)
    decide(browser, escalated["id"], ruling="refuse", motivation="nee")

    again = decide(browser, escalated["id"], ruling="approve", amount="75")

    assert "Beslissing vastleggen" not in browser.get(f"/comite/{escalated['id']}").text
    assert "Dat kan niet meer: deze aanvraag is intussen geweigerd." in again
