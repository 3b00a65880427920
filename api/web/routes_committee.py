"""The committee: open escalations with their reasons, one escalation with the facts the rules saw and its
envelope, the ruling (approve that amount or another, refuse with a motivation, return with a question), and
the items it decided. Each page is a read, in the access log, of the dossiers whose requests it shows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from api.auth.access import Shown
from api.http.schemas.common import ID_PATTERN
from api.web.catalogue import catalogue, member_label
from api.web.deps import CheckedForm, WebCommitteeMember
from api.web.errors import WebRoute
from api.web.forms import Fields
from api.web.messages import refusal
from api.web.pages import page, redirect, session_of, web, words_of
from api.web.routes_dossiers import record_reads
from api.web.routes_finance import envelope_label
from envelopes.domain.aid_requests import AidRequest, AidStatus
from envelopes.domain.errors import DomainError, NotFound
from envelopes.domain.ids import brussels_date
from envelopes.services import committee_decide
from envelopes.services.commands import CommitteeDecision, Ruling

router = APIRouter(route_class=WebRoute, include_in_schema=False)

Id = Annotated[str, Path(pattern=ID_PATTERN)]
RULINGS = {"approve": Ruling.APPROVE, "refuse": Ruling.REFUSE, "return": Ruling.RETURN}
DONE = {
    Ruling.APPROVE: "Goedgekeurd voor {amount}.",
    Ruling.REFUSE: "Geweigerd, met de motivering.",
    Ruling.RETURN: "Teruggestuurd naar de maatschappelijk assistent, met uw vraag.",
}


@router.get("/comite")
def queue(request: Request, user: WebCommitteeMember) -> Response:
    mandaat = web(request).mandaat
    waiting = mandaat.views.escalations([AidStatus.ESCALATED], limit=500)
    returned = mandaat.views.escalations([AidStatus.RETURNED], limit=500)
    record_reads(request, (aid.dossier_id for aid in [*waiting, *returned]), shown=Shown.AID_REQUESTS)
    known = catalogue(mandaat, words_of(request))
    return page(request, "committee/queue.html", waiting=waiting, returned=returned, catalogue=known)


@router.get("/comite/beslist")
def decided(request: Request, user: WebCommitteeMember) -> Response:
    mandaat = web(request).mandaat
    found = web(request).views.decided_by_committee(limit=300)
    record_reads(request, (aid.dossier_id for aid in found), shown=Shown.AID_REQUESTS)
    return page(
        request, "committee/decided.html", decided=found, catalogue=catalogue(mandaat, words_of(request))
    )


@router.get("/comite/{request_id}")
def escalation(request: Request, request_id: Id, user: WebCommitteeMember) -> Response:
    aid = _aid(request, request_id)
    values = {"amount": words_of(request).plain(aid.amount)}
    return _page(request, aid, values, {})


@router.post("/comite/{request_id}/beslissing")
def decide(request: Request, request_id: Id, user: WebCommitteeMember, form: CheckedForm) -> Response:
    aid = _aid(request, request_id)
    words = words_of(request)
    mandaat = web(request).mandaat
    fields = Fields(form, words)
    ruling = RULINGS.get(fields.choice("ruling", list(RULINGS), missing="Kies wat het comité beslist."))
    amount = fields.money("amount") if ruling is Ruling.APPROVE else None
    motivation = fields.text(
        "motivation",
        lines=True,
        required=ruling is Ruling.REFUSE,
        missing="Schrijf de motivering van de weigering.",
    )
    question = fields.text(
        "question", lines=True, required=ruling is Ruling.RETURN, missing="Schrijf uw vraag."
    )
    if ruling is Ruling.APPROVE and amount is not None and amount != aid.amount and not motivation:
        fields.fail("motivation", "Een ander bedrag dan gevraagd vraagt een motivering.")
    if fields.errors or ruling is None:
        return _page(request, aid, fields.values, fields.errors, status=422)
    command = CommitteeDecision(user.id, aid.id, ruling, amount, motivation, question)
    try:
        answer = committee_decide(command, mandaat.uow(), mandaat.clock)
    except DomainError as error:
        found = refusal(error, words)
        return _page(request, aid, fields.values, {found.field or "_form": found.text}, status=error.status)
    approved = words.money(answer.approved_amount)
    session_of(request).flash(words(DONE[ruling], amount=approved))
    return redirect("/comite")


def _aid(request: Request, request_id: str) -> AidRequest:
    found = web(request).mandaat.views.aid_request(request_id)
    if found is None:
        raise NotFound("there is no such aid request")
    return found[0]


def _page(
    request: Request, aid: AidRequest, values: dict[str, str], errors: dict[str, str], *, status: int = 200
) -> Response:
    services = web(request)
    mandaat = services.mandaat
    words = words_of(request)
    known = catalogue(mandaat, words)
    dossier = mandaat.views.dossier(aid.dossier_id)
    today = brussels_date(mandaat.clock())
    household = (
        []
        if dossier is None
        else [member_label(m, n, today, words) for n, m in enumerate(dossier.members, 1)]
    )
    beneficiary = next(
        (
            label
            for m, label in zip(dossier.members if dossier else (), household, strict=False)
            if m.key == aid.beneficiary_key
        ),
        "—",
    )
    envelope = mandaat.views.envelope(aid.envelope_id)
    entry = services.views.decision_entries([aid.id]).get(aid.id)
    return page(
        request,
        "committee/escalation.html",
        status=status,
        aid=aid,
        beneficiary=beneficiary,
        household=household,
        envelope=envelope,
        envelope_label=None if envelope is None else envelope_label(envelope[0], known),
        facts=None if entry is None else entry.facts,
        entry=entry,
        catalogue=known,
        form=values,
        errors=errors,
    )
