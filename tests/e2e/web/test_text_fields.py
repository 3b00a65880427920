"""Every free text of every form on the pages, on SQLite and on PostgreSQL: a NUL and an ESC are refused
with the form's error next to the field (nothing written), and line breaks as browsers send them (CR LF) are
kept as LF where a text has lines, refused in a single line (api/web/forms.py, envelopes/domain/text.py)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.e2e.http import world
from tests.e2e.http.conftest import DATABASES, PASSWORD, Api, serving_on
from tests.e2e.web.conftest import CASEWORKER, COMMITTEE, FINANCE, Browser, another_browser, signed_in
from tests.integration.conftest import postgres_server_url  # noqa: F401 (a fixture)

NUL, ESC, CRLF = "vóór\x00na", "rood\x1b[31m", "regel een\r\nregel twee"
LF = "regel een\nregel twee"
CONTROL = "Deze tekst bevat een onzichtbaar stuurteken"
ONE_LINE = "Dit veld is één regel tekst: laat de regeleinden weg."


@pytest.fixture(scope="module", params=DATABASES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from serving_on(request, tmp_path_factory.mktemp("web-texts"))


Act = Callable[[str], httpx.Response]
Kept = Callable[[Api, httpx.Response], Any]


@dataclass(frozen=True)
class FormField:
    field: str  # the form field: its error is shown next to it (`f-<field>-error`)
    prepare: Callable[[Api], Act]  # makes what the form acts on, signs in, and returns the act
    kept: Kept | None = None  # where a text with lines is read back; None for a single line
    next_to_field: bool = True  # False: the form has this one field, its error is shown above it


def aid(api: Api, response: httpx.Response) -> dict[str, Any]:
    request_id = re.search(r"/aanvragen/([0-9a-f]{32})", str(response.url))
    assert request_id, response.url
    return dict(api.get(f"/aid-requests/{request_id.group(1)}", as_=CASEWORKER).json())


def on_request(name: str) -> Kept:
    return lambda api, response: aid(api, response)[name]


def ruled(api: Api, response: httpx.Response, name: str, request_id: str) -> Any:
    return api.get(f"/aid-requests/{request_id}", as_=CASEWORKER).json()[name]


def last_ledger_reason(theme: str) -> Kept:
    def kept(api: Api, response: httpx.Response) -> Any:
        entries = api.get(f"/envelopes/{api.envelopes[theme]}/ledger", as_=FINANCE).json()
        return entries[-1]["reason"]

    return kept


def logged_reason(api: Api, response: httpx.Response) -> Any:
    entries = api.get(f"/log?after={api.log_head() - 1}", as_=world.AUDITOR).json()["entries"]
    return entries[-1]["details"]["reason"]


def sign_in(field: str) -> Callable[[Api], Act]:
    def prepare(api: Api) -> Act:
        browser = another_browser(api)
        browser.get("/aanmelden")
        form = {"username": CASEWORKER, "password": PASSWORD}
        return lambda text: browser.post("/aanmelden", {**form, field: text})

    return prepare


def new_dossier(api: Api) -> Act:
    browser = signed_in(api, CASEWORKER)
    return lambda text: browser.post(
        "/dossiers/nieuw", {"reference": text, "rows": "1", "birth_0": world.ADULT}
    )


def request_form(dossier: dict[str, Any], justification: str) -> dict[str, str]:
    return {
        "beneficiary": dossier["members"][0]["id"],
        "item": "kleding/winterschoenen",
        "amount": "55,00",
        "quantity": "1",
        "justification": justification,
        "idempotency_key": uuid.uuid4().hex,
    }


def submit(api: Api) -> Act:
    dossier = world.open_dossier(api)
    browser = signed_in(api, CASEWORKER)
    return lambda text: browser.post(f"/dossiers/{dossier['id']}/aanvraag", request_form(dossier, text))


def withdraw(api: Api) -> Act:
    request_id = world.escalated_request(api, world.open_dossier(api))["id"]
    browser = signed_in(api, CASEWORKER)
    return lambda text: browser.post(f"/aanvragen/{request_id}/intrekken", {"reason": text})


def complete(api: Api) -> Act:
    request_id = world.returned_request(api, world.open_dossier(api))["id"]
    browser = signed_in(api, CASEWORKER)
    form = {"amount": "55,00", "quantity": "1"}
    return lambda text: browser.post(f"/aanvragen/{request_id}/aanvullen", {**form, "justification": text})


class Ruling:
    """The committee's form: the text is the motivation (refuse) or the question (return)."""

    def __init__(self, ruling: str, field: str) -> None:
        self.ruling, self.field = ruling, field
        self.request_id = ""

    def prepare(self, api: Api) -> Act:
        self.request_id = world.escalated_request(api, world.open_dossier(api))["id"]
        browser = signed_in(api, COMMITTEE)
        browser.get(f"/comite/{self.request_id}")
        return lambda text: browser.post(
            f"/comite/{self.request_id}/beslissing", {"ruling": self.ruling, self.field: text}
        )

    def kept(self, api: Api, response: httpx.Response) -> Any:
        return api.get(f"/aid-requests/{self.request_id}", as_=CASEWORKER).json()[self.field]


REFUSE, RETURN = Ruling("refuse", "motivation"), Ruling("return", "question")


def finance_act(act: str, theme: str = "") -> Callable[[Api], Act]:
    def prepare(api: Api) -> Act:
        envelope_id = api.envelopes[theme] if theme else new_envelope(api, frozen=act == "vrijgeven")
        browser = signed_in(api, FINANCE)
        available = api.get(f"/envelopes/{envelope_id}", as_=FINANCE).json()["available"]
        form = {"step": "confirm", "available_before": available, **({"amount": "1,00"} if theme else {})}
        return lambda text: browser.post(
            f"/financien/enveloppen/{envelope_id}/{act}", {**form, "reason": text}
        )

    return prepare


def new_envelope(api: Api, *, frozen: bool) -> str:
    body = {"theme": "kleding", "period": 2026, "amount": "100.00", "team": uuid.uuid4().hex[:12]}
    envelope_id = str(api.post("/envelopes", as_=FINANCE, json=body).json()["id"])
    if frozen:
        api.post(f"/envelopes/{envelope_id}/freeze", as_=FINANCE, json={"reason": "controle"})
    return envelope_id


def transfer(api: Api) -> Act:
    source, target = api.envelopes["onderwijs"], api.envelopes["vrije_tijd"]
    browser = signed_in(api, FINANCE)
    figures = [api.get(f"/envelopes/{key}", as_=FINANCE).json()["available"] for key in (source, target)]
    form = {"source": source, "target": target, "amount": "1,00", "step": "confirm"}
    form["available_before"] = "/".join(figures)
    return lambda text: browser.post("/financien/overdracht", {**form, "reason": text})


FIELDS = {
    "sign-in username": FormField("username", sign_in("username")),
    "sign-in password": FormField("password", sign_in("password")),
    "dossier reference": FormField("reference", new_dossier),
    "request justification": FormField("justification", submit, on_request("justification")),
    "withdraw reason": FormField("reason", withdraw, on_request("closing_reason"), next_to_field=False),
    "complete justification": FormField("justification", complete, on_request("justification")),
    "refusal motivation": FormField("motivation", REFUSE.prepare, REFUSE.kept),
    "return question": FormField("question", RETURN.prepare, RETURN.kept),
    "top-up reason": FormField("reason", finance_act("bijstorten", "energie"), last_ledger_reason("energie")),
    "reduction reason": FormField(
        "reason", finance_act("verminderen", "gezondheid"), last_ledger_reason("gezondheid")
    ),
    "freeze reason": FormField("reason", finance_act("bevriezen"), logged_reason),
    "unfreeze reason": FormField("reason", finance_act("vrijgeven"), logged_reason),
    "transfer reason": FormField("reason", transfer, last_ledger_reason("onderwijs")),
}
SINGLE_LINES = [name for name, field in FIELDS.items() if field.kept is None]
WITH_LINES = [name for name, field in FIELDS.items() if field.kept is not None]


def assert_refused(api: Api, response: httpx.Response, field: FormField, message: str, head: int) -> None:
    assert response.status_code == 422, response.text
    assert "text/html" in response.headers["content-type"]
    if field.next_to_field:
        assert re.search(rf'id="f-{field.field}-error">[^<]*<span[^>]*>[^<]*</span>{message}', response.text)
    else:
        assert message in response.text
    assert api.log_head() == head  # nothing was written


@pytest.mark.parametrize("text", [NUL, ESC], ids=["NUL", "ESC"])
@pytest.mark.parametrize("name", list(FIELDS))
def test_a_control_character_is_refused_next_to_the_field(served: Api, name: str, text: str) -> None:
    field = FIELDS[name]
    act = field.prepare(served)
    head = served.log_head()

    response = act(text)

    assert_refused(served, response, field, CONTROL, head)


@pytest.mark.parametrize("name", WITH_LINES)
def test_line_breaks_from_a_browser_are_kept_as_lf(served: Api, name: str) -> None:
    field = FIELDS[name]
    assert field.kept is not None
    act = field.prepare(served)

    response = act(CRLF)

    assert response.status_code == 200, response.text
    assert field.kept(served, response) == LF


@pytest.mark.parametrize("name", SINGLE_LINES)
def test_a_line_break_is_refused_in_a_single_line(served: Api, name: str) -> None:
    field = FIELDS[name]
    act = field.prepare(served)
    head = served.log_head()

    response = act(CRLF)

    assert_refused(served, response, field, ONE_LINE, head)


def test_the_refusal_reads_in_english_too(served: Api) -> None:
    browser: Browser = another_browser(served)
    browser.get("/aanmelden")
    browser.post("/taal", {"lang": "en", "back": "/aanmelden"})

    response = browser.post("/aanmelden", {"username": f"{CASEWORKER}\x00", "password": PASSWORD})

    assert response.status_code == 422
    assert "This text holds an invisible control character (U+0000, character 5)" in response.text


def test_a_nul_in_a_sign_in_name_is_a_form_error_not_a_server_error(served: Api) -> None:
    browser = another_browser(served)
    browser.get("/aanmelden")

    refused = browser.post("/aanmelden", {"username": f"{CASEWORKER}\x00", "password": PASSWORD})
    accepted = browser.post("/aanmelden", {"username": CASEWORKER, "password": PASSWORD})

    assert refused.status_code == 422
    assert f'value="{CASEWORKER}' in refused.text  # the name is shown again to correct
    assert accepted.status_code == 200
    assert str(accepted.url).endswith("/dossiers")
