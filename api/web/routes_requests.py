"""A caseworker's aid requests: the new request form with its live answer, submitting, the requests by status,
one request with its answer, withdrawing an open one, and completing one the committee returned.

The form works without JavaScript (its "Bekijk de uitkomst" button shows the answer on the page); with it,
`mandaat.js` posts the form to `…/voorbeeld` as the caseworker types and swaps in the answer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from api.auth.access import Shown
from api.http.schemas.common import ID_PATTERN
from api.web.catalogue import Catalogue, catalogue, member_label
from api.web.deps import CheckedForm, WebCaseworker
from api.web.errors import HiddenDossier, WebRoute
from api.web.forms import Fields
from api.web.messages import refusal
from api.web.pages import page, redirect, session_of, web, words_of
from api.web.routes_dossiers import own_dossier, record_reads
from envelopes.domain.aid_requests import MAX_QUANTITY, AidRequest, AidStatus
from envelopes.domain.dossiers import ClientDossier
from envelopes.domain.errors import DomainError
from envelopes.domain.ids import brussels_date
from envelopes.domain.users import User
from envelopes.services import (
    preview_aid_request,
    resubmit_aid_request,
    submit_aid_request,
    withdraw_aid_request,
)
from envelopes.services.answers import PreviewAnswer
from envelopes.services.commands import ResubmitAidRequest, SubmitAidRequest, WithdrawAidRequest

router = APIRouter(route_class=WebRoute, include_in_schema=False)

Id = Annotated[str, Path(pattern=ID_PATTERN)]
LABELS = {
    "beneficiary": "voor wie",
    "item": "de hulpvorm",
    "amount": "het bedrag",
    "quantity": "het aantal",
    "date": "de datum",
}


@dataclass
class Preview:
    answer: PreviewAnswer | None = None
    amount: int = 0
    missing: list[str] = field(default_factory=list)
    refused: str = ""


@router.get("/dossiers/{dossier_id}/aanvraag")
def request_form(request: Request, dossier_id: Id, user: WebCaseworker) -> Response:
    dossier = own_dossier(request, dossier_id, user)
    values = {"idempotency_key": uuid.uuid4().hex, "quantity": "1"}
    return _form(request, dossier, values, {})


@router.post("/dossiers/{dossier_id}/aanvraag")
def submit(request: Request, dossier_id: Id, user: WebCaseworker, form: CheckedForm) -> Response:
    dossier = own_dossier(request, dossier_id, user)
    words = words_of(request)
    mandaat = web(request).mandaat
    known = catalogue(mandaat, words)
    fields = Fields(form, words)
    if fields.raw("intent") == "preview":
        return _form(
            request, dossier, fields.values, {}, preview=_preview(request, fields, dossier, user, known)
        )
    command = _command(fields, dossier, user, known, for_preview=False)
    if command is None:
        return _form(request, dossier, fields.values, fields.errors, status=422)
    try:
        answer = submit_aid_request(command, mandaat.uow(), mandaat.decisions, mandaat.clock)
    except DomainError as error:
        found = refusal(error, words)
        return _form(
            request, dossier, fields.values, {found.field or "_form": found.text}, status=error.status
        )
    if answer.status == AidStatus.APPROVED.value:
        session_of(request).flash(
            words("Goedgekeurd: {amount} is vastgelegd.", amount=words.money(answer.amount))
        )
    else:
        session_of(request).flash(words("De aanvraag gaat naar het comité, met alle redenen."), "info")
    return redirect(f"/aanvragen/{answer.request_id}")


@router.post("/dossiers/{dossier_id}/aanvraag/voorbeeld")
def preview(request: Request, dossier_id: Id, user: WebCaseworker, form: CheckedForm) -> Response:
    dossier = own_dossier(request, dossier_id, user)
    words = words_of(request)
    found = _preview(request, Fields(form, words), dossier, user, catalogue(web(request).mandaat, words))
    return page(request, "caseworker/_preview.html", preview=found)


@router.get("/aanvragen")
def my_requests(
    request: Request, user: WebCaseworker, status: Annotated[AidStatus | None, Query()] = None
) -> Response:
    services = web(request)
    mandaat = services.mandaat
    found = mandaat.views.aid_requests(caseworker_id=user.id, statuses=(status,) if status else (), limit=500)
    references = {d.id: d.reference for d in mandaat.views.dossiers(caseworker_id=user.id, limit=5000)}
    record_reads(request, (aid.dossier_id for aid in found), shown=Shown.AID_REQUESTS)
    return page(
        request,
        "caseworker/requests.html",
        requests=found,
        current_status=status,
        statuses=list(AidStatus),
        counts=services.views.status_counts(caseworker_id=user.id),
        references=references,
        catalogue=catalogue(mandaat, words_of(request)),
    )


@router.get("/aanvragen/{request_id}")
def request_page(request: Request, request_id: Id, user: WebCaseworker) -> Response:
    aid, dossier = own_request(request, request_id, user)
    return _request_page(request, aid, dossier)


@router.post("/aanvragen/{request_id}/intrekken")
def withdraw(request: Request, request_id: Id, user: WebCaseworker, form: CheckedForm) -> Response:
    aid, dossier = own_request(request, request_id, user)
    words = words_of(request)
    mandaat = web(request).mandaat
    fields = Fields(form, words)
    reason = fields.text("reason", lines=True, required=False)
    if fields.errors:
        return _request_page(request, aid, dossier, fields.errors["reason"], status=422)
    try:
        withdraw_aid_request(WithdrawAidRequest(user.id, aid.id, reason), mandaat.uow(), mandaat.clock)
    except DomainError as error:
        return _request_page(request, aid, dossier, refusal(error, words).text, status=error.status)
    session_of(request).flash(words("De aanvraag is ingetrokken; wat gereserveerd was, is vrijgegeven."))
    return redirect(f"/aanvragen/{aid.id}")


@router.get("/aanvragen/{request_id}/aanvullen")
def complete_form(request: Request, request_id: Id, user: WebCaseworker) -> Response:
    aid, dossier = own_request(request, request_id, user)
    words = words_of(request)
    values = {
        "justification": aid.justification,
        "amount": words.plain(aid.amount),
        "quantity": str(aid.quantity),
    }
    return _complete_page(request, aid, dossier, values, {})


@router.post("/aanvragen/{request_id}/aanvullen")
def resubmit(request: Request, request_id: Id, user: WebCaseworker, form: CheckedForm) -> Response:
    aid, dossier = own_request(request, request_id, user)
    words = words_of(request)
    mandaat = web(request).mandaat
    fields = Fields(form, words)
    justification = fields.text("justification", lines=True, missing="Beantwoord de vraag van het comité.")
    amount = fields.money("amount")
    quantity = fields.whole("quantity", default=aid.quantity, low=1, high=MAX_QUANTITY)
    if fields.errors:
        return _complete_page(request, aid, dossier, fields.values, fields.errors, status=422)
    command = ResubmitAidRequest(user.id, aid.id, justification, amount, quantity)
    try:
        answer = resubmit_aid_request(command, mandaat.uow(), mandaat.decisions, mandaat.clock)
    except DomainError as error:
        found = refusal(error, words)
        errors = {found.field or "_form": found.text}
        return _complete_page(request, aid, dossier, fields.values, errors, status=error.status)
    approved = answer.status == AidStatus.APPROVED.value
    session_of(request).flash(
        words("Opnieuw ingediend: goedgekeurd.")
        if approved
        else words("Opnieuw ingediend: naar het comité."),
        "ok" if approved else "info",
    )
    return redirect(f"/aanvragen/{aid.id}")


def own_request(request: Request, request_id: str, user: User) -> tuple[AidRequest, ClientDossier]:
    found = web(request).mandaat.views.aid_request(request_id)
    if found is None or found[1] != user.id:
        raise HiddenDossier()
    return found[0], own_dossier(request, found[0].dossier_id, user)


def _command(
    fields: Fields, dossier: ClientDossier, user: User, known: Catalogue, *, for_preview: bool
) -> SubmitAidRequest | None:
    beneficiary = fields.choice(
        "beneficiary", [m.key for m in dossier.members], missing="Kies voor wie de hulp is."
    )
    items = [value for _, group in known.choices() for value, _ in group]
    item = fields.choice("item", items, missing="Kies de hulpvorm.")
    amount = fields.money("amount")
    quantity = fields.whole("quantity", default=1, low=1, high=MAX_QUANTITY)
    day = fields.day("date")
    justification = fields.text(
        "justification", lines=True, required=not for_preview, missing="Schrijf waarom deze hulp nodig is."
    )
    if fields.errors or amount is None:
        return None
    theme, key = item.split("/", 1)
    return SubmitAidRequest(
        actor_id=user.id,
        dossier_id=dossier.id,
        beneficiary_key=beneficiary,
        theme=theme,
        item=key,
        amount=amount,
        justification=justification or "-",
        quantity=quantity,
        date=day,
        idempotency_key=fields.raw("idempotency_key") or None,
    )


def _preview(
    request: Request, fields: Fields, dossier: ClientDossier, user: User, known: Catalogue
) -> Preview:
    command = _command(fields, dossier, user, known, for_preview=True)
    if command is None:
        return Preview(missing=[fields.words(LABELS.get(name, name)) for name in fields.errors])
    mandaat = web(request).mandaat
    try:
        answer = preview_aid_request(command, mandaat.read_uow(), mandaat.decisions, mandaat.clock)
    except DomainError as error:
        return Preview(refused=refusal(error, fields.words).text)
    return Preview(answer=answer, amount=command.amount.cents)


def _form(
    request: Request,
    dossier: ClientDossier,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    preview: Preview | None = None,
    status: int = 200,
) -> Response:
    mandaat = web(request).mandaat
    words = words_of(request)
    today = brussels_date(mandaat.clock())
    members = [(m.key, member_label(m, n, today, words)) for n, m in enumerate(dossier.members, 1)]
    record_reads(request, [dossier.id])
    return page(
        request,
        "caseworker/request_form.html",
        status=status,
        dossier=dossier,
        members=members,
        choices=catalogue(mandaat, words).choices(),
        form=values,
        errors=errors,
        preview=preview,
        today=today,
    )


def _request_page(
    request: Request, aid: AidRequest, dossier: ClientDossier, problem: str = "", *, status: int = 200
) -> Response:
    mandaat = web(request).mandaat
    words = words_of(request)
    today = brussels_date(mandaat.clock())
    number, member = next((n, m) for n, m in enumerate(dossier.members, 1) if m.key == aid.beneficiary_key)
    envelope = mandaat.views.envelope(aid.envelope_id)
    record_reads(request, [dossier.id])
    return page(
        request,
        "caseworker/request.html",
        status=status,
        aid=aid,
        dossier=dossier,
        beneficiary=member_label(member, number, today, words),
        envelope=envelope,
        catalogue=catalogue(mandaat, words),
        problem=problem,
    )


def _complete_page(
    request: Request,
    aid: AidRequest,
    dossier: ClientDossier,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    status: int = 200,
) -> Response:
    words = words_of(request)
    known = catalogue(web(request).mandaat, words)
    record_reads(request, [dossier.id], shown=Shown.AID_REQUESTS)  # the request, the committee's question
    return page(
        request,
        "caseworker/complete.html",
        status=status,
        aid=aid,
        dossier=dossier,
        form=values,
        errors=errors,
        catalogue=known,
    )
