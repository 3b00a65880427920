"""The caseworker's pages: dossiers, the request form with its live answer, submitting, requests by status,
withdrawing, and completing a request the committee returned."""

from __future__ import annotations

import re
import uuid

from envelopes.domain.envelopes import EntryKind
from tests.e2e.http.conftest import Api
from tests.e2e.http.world import ADULT, CHILD, escalated_request, open_dossier, returned_request
from tests.e2e.web.conftest import CASEWORKER, Browser, signed_in

FRAGMENT = {"X-Mandaat-Fragment": "1"}


def new_dossier(browser: Browser, reference: str | None = None) -> str:
    form = {
        "reference": reference or f"MA-{uuid.uuid4().hex[:8]}",
        "rows": "6",
        "birth_0": ADULT,
        "relation_0": "aanvrager",
        "birth_1": "01/05/2018",
        "relation_1": "kind",
    }
    response = browser.post("/dossiers/nieuw", form)
    assert response.status_code == 200, response.text
    found = re.search(r"/dossiers/([0-9a-f]{32})$", str(response.url))
    assert found, response.url
    return found.group(1)


def request_form(dossier: dict[str, object], **values: str) -> dict[str, str]:
    members = dossier["members"]
    assert isinstance(members, list)
    return {
        "beneficiary": members[0]["id"],
        "item": "kleding/winterschoenen",
        "amount": "55,00",
        "quantity": "1",
        "date": "",
        "justification": "geen waterdichte schoenen",
        "idempotency_key": uuid.uuid4().hex,
        **values,
    }


def test_a_caseworker_opens_a_dossier_with_its_household(api: Api) -> None:
    browser = signed_in(api, CASEWORKER)
    dossier_id = new_dossier(browser, "MA-2026-0042")

    page = browser.last
    assert page is not None
    assert "Het dossier is geopend." in page.text
    assert "<h1>Dossier MA-2026-0042</h1>" in page.text
    assert "Lid 1: aanvrager, 41 jaar" in page.text
    assert "Lid 2: kind, 8 jaar" in page.text
    assert "1 mei 2018" in page.text
    assert "MA-2026-0042" in browser.get("/dossiers").text
    assert api.mandaat.views.dossier(dossier_id).caseworker_id == CASEWORKER  # type: ignore[union-attr]


def test_a_dossier_form_shows_each_problem_next_to_its_field(api: Api) -> None:
    browser = signed_in(api, CASEWORKER)

    response = browser.post("/dossiers/nieuw", {"reference": "", "rows": "6", "birth_1": "31/02/2020"})

    assert response.status_code == 422
    assert re.search(r'id="f-reference-error">.*Vul de dossierreferentie in\.', response.text)
    assert re.search(r'id="f-birth_1-error">.*Dit is geen datum', response.text)
    assert 'aria-invalid="true"' in response.text
    assert 'class="error-summary"' in response.text


def test_a_reference_used_before_is_refused_in_plain_dutch(api: Api) -> None:
    browser = signed_in(api, CASEWORKER)
    new_dossier(browser, "MA-DUBBEL")

    response = browser.post("/dossiers/nieuw", {"reference": "MA-DUBBEL", "rows": "1", "birth_0": ADULT})

    assert response.status_code == 409
    assert "Er bestaat al een dossier met deze referentie." in response.text


def test_the_live_answer_approves_within_the_limit_with_what_the_envelope_holds(api: Api) -> None:
    dossier = open_dossier(api)
    browser = signed_in(api, CASEWORKER)
    browser.get(f"/dossiers/{dossier['id']}/aanvraag")

    answer = browser.post(
        f"/dossiers/{dossier['id']}/aanvraag/voorbeeld", request_form(dossier), headers=FRAGMENT
    )

    assert answer.status_code == 200
    assert "<html" not in answer.text  # a fragment for the page's script
    assert "Goedgekeurd binnen de grenzen" in answer.text
    assert "€\xa055,00 wordt vastgelegd op de envelop." in answer.text
    assert "De envelop heeft nu €\xa05.000,00 beschikbaar; daarna €\xa04.945,00." in answer.text
    assert api.mandaat.views.aid_requests(caseworker_id=CASEWORKER, dossier_id=dossier["id"], limit=5) == []


def test_the_live_answer_escalates_with_every_reason(api: Api) -> None:
    dossier = open_dossier(api)
    adult = dossier["members"][1]["id"]
    browser = signed_in(api, CASEWORKER)
    browser.get(f"/dossiers/{dossier['id']}/aanvraag")

    answer = browser.post(
        f"/dossiers/{dossier['id']}/aanvraag/voorbeeld",
        request_form(dossier, beneficiary=adult, amount="300"),
        headers=FRAGMENT,
    ).text

    assert "Naar het comité" in answer
    assert (
        "€ 300,00 is meer dan het maximum van € 60,00 per paar winterschoenen" in answer
    )  # the rules' own words
    assert "mandaatplafond" in answer  # above the caseworker's € 250,00 ceiling too
    assert "kleding.winterschoenen.delegation" in answer  # and an adult: not delegated
    assert "€\xa0300,00 wordt gereserveerd tot het comité beslist." in answer


def test_the_live_answer_says_what_is_still_missing(api: Api) -> None:
    dossier = open_dossier(api)
    browser = signed_in(api, CASEWORKER)
    browser.get(f"/dossiers/{dossier['id']}/aanvraag")

    answer = browser.post(
        f"/dossiers/{dossier['id']}/aanvraag/voorbeeld",
        request_form(dossier, item="", amount=""),
        headers=FRAGMENT,
    )

    assert "Vul nog in: de hulpvorm, het bedrag." in answer.text


def test_without_javascript_the_preview_button_shows_the_answer_on_the_page(api: Api) -> None:
    dossier = open_dossier(api)
    browser = signed_in(api, CASEWORKER)
    browser.get(f"/dossiers/{dossier['id']}/aanvraag")

    page = browser.post(f"/dossiers/{dossier['id']}/aanvraag", {**request_form(dossier), "intent": "preview"})

    assert "<h1>Nieuwe aanvraag</h1>" in page.text
    assert "Goedgekeurd binnen de grenzen" in page.text
    assert 'value="55,00"' in page.text  # the form keeps what was typed


def test_submitting_approves_and_a_double_submit_debits_once(api: Api) -> None:
    dossier = open_dossier(api)
    browser = signed_in(api, CASEWORKER)
    browser.get(f"/dossiers/{dossier['id']}/aanvraag")
    form = {**request_form(dossier), "intent": "submit"}

    first = browser.post(f"/dossiers/{dossier['id']}/aanvraag", form)
    second = browser.post(f"/dossiers/{dossier['id']}/aanvraag", form)

    assert first.url == second.url
    assert re.search(r"/aanvragen/[0-9a-f]{32}$", str(first.url))
    assert "Goedgekeurd: €\xa055,00 is vastgelegd." in first.text
    assert "<h1>Winterschoenen: goedgekeurd</h1>" in first.text
    ledger = api.mandaat.views.ledger(api.envelopes["kleding"], limit=50)
    assert [entry.kind for entry in ledger].count(EntryKind.COMMITMENT) == 1


def test_submitting_shows_each_problem_next_to_its_field(api: Api) -> None:
    dossier = open_dossier(api)
    browser = signed_in(api, CASEWORKER)
    browser.get(f"/dossiers/{dossier['id']}/aanvraag")

    page = browser.post(
        f"/dossiers/{dossier['id']}/aanvraag",
        {**request_form(dossier, amount="12,345", justification=""), "intent": "submit"},
    )

    assert page.status_code == 422
    assert re.search(r'id="f-amount-error">.*Dit is geen bedrag', page.text)
    assert re.search(r'id="f-justification-error">.*Schrijf waarom deze hulp nodig is\.', page.text)


def test_a_request_dated_in_the_future_is_refused_next_to_the_date(api: Api) -> None:
    dossier = open_dossier(api)
    browser = signed_in(api, CASEWORKER)
    browser.get(f"/dossiers/{dossier['id']}/aanvraag")

    page = browser.post(
        f"/dossiers/{dossier['id']}/aanvraag",
        {**request_form(dossier, date="2027-01-05"), "intent": "submit"},
    )

    assert page.status_code == 422
    assert re.search(r'id="f-date-error">.*De datum van de aanvraag ligt in de toekomst\.', page.text)


def test_my_requests_by_status(api: Api) -> None:
    dossier = open_dossier(api)
    escalated_request(api, dossier)
    browser = signed_in(api, CASEWORKER)

    everything = browser.get("/aanvragen").text
    waiting = browser.get("/aanvragen?status=escalated").text
    approved = browser.get("/aanvragen?status=approved").text

    assert dossier["reference"] in everything
    assert dossier["reference"] in waiting
    assert "€\xa075,00" in waiting
    assert dossier["reference"] not in approved
    assert re.search(r'aria-current="page">Bij het comité <span class="count">1</span>', waiting)


def test_withdrawing_an_open_request_releases_its_hold(api: Api) -> None:
    dossier = open_dossier(api)
    escalated = escalated_request(api, dossier)
    browser = signed_in(api, CASEWORKER)
    browser.get(f"/aanvragen/{escalated['id']}")

    page = browser.post(f"/aanvragen/{escalated['id']}/intrekken", {"reason": "het gezin verhuist"})

    assert "<h1>Winterschoenen: ingetrokken</h1>" in page.text
    assert api.mandaat.views.envelope(api.envelopes["kleding"])[1].held.cents == 0  # type: ignore[index]
    again = browser.post(f"/aanvragen/{escalated['id']}/intrekken", {"reason": ""})
    assert again.status_code == 409
    assert "Dat kan niet meer: deze aanvraag is intussen ingetrokken." in again.text


def test_a_returned_request_is_completed_and_resubmitted(api: Api) -> None:
    dossier = open_dossier(api)
    returned = returned_request(api, dossier)
    browser = signed_in(api, CASEWORKER)
    assert "Aanvullen" in browser.get("/aanvragen?status=returned").text

    form = browser.get(f"/aanvragen/{returned['id']}/aanvullen").text
    assert "Welke maat heeft het kind?" in form
    assert 'value="75,00"' in form
    page = browser.post(
        f"/aanvragen/{returned['id']}/aanvullen",
        {"justification": "maat 31", "amount": "59,99", "quantity": "1"},
    )

    assert "Opnieuw ingediend: goedgekeurd." in page.text
    assert "<h1>Winterschoenen: goedgekeurd</h1>" in page.text


def test_a_child_born_on_the_page_is_the_childs_age(api: Api) -> None:
    """The dossier page shows ages on today's date (the fake clock's), from the birth dates."""
    dossier = open_dossier(api)
    browser = signed_in(api, CASEWORKER)
    assert CHILD == "2018-05-01"
    assert "Lid 1: kind, 8 jaar" in browser.get(f"/dossiers/{dossier['id']}").text
