"""The caseworker's client dossiers: their list, a new dossier, and a dossier with its household and its aid
history. A caseworker sees only their own dossiers: another's is "not found".

Every page that shows a dossier's household (here, on a caseworker's request pages, on the committee's
escalation page) writes a read of that dossier to the access log before it is shown (`record_reads`,
`committee_reads`): who, when, which dossier (its id) and why. So does every page that shows aid requests
(a caseworker's list of requests, the committee's queue and its rulings), one entry per dossier they are
on. The list of dossiers shows references and counts, and is not counted as a read."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from api.auth.access import Purpose, Shown, purpose_of
from api.http.errors import client_of
from api.http.schemas.common import ID_PATTERN
from api.web.catalogue import RELATIONS, catalogue, member_label
from api.web.deps import CheckedForm, WebCaseworker, WebCommitteeMember
from api.web.errors import HiddenDossier, WebRoute
from api.web.forms import Fields
from api.web.messages import refusal
from api.web.pages import page, redirect, session_of, web, words_of
from envelopes.domain.aid_requests import OPEN
from envelopes.domain.dossiers import ClientDossier, NewMember
from envelopes.domain.errors import DomainError
from envelopes.domain.ids import brussels_date
from envelopes.domain.users import User
from envelopes.services import create_dossier
from envelopes.services.commands import CreateDossier

router = APIRouter(route_class=WebRoute, include_in_schema=False)

DossierId = Annotated[str, Path(pattern=ID_PATTERN)]
ROWS, MAX_ROWS = 6, 50


@router.get("/dossiers")
def my_dossiers(request: Request, user: WebCaseworker) -> Response:
    mandaat = web(request).mandaat
    dossiers = mandaat.views.dossiers(caseworker_id=user.id, limit=1000)
    open_requests = mandaat.views.aid_requests(caseworker_id=user.id, statuses=tuple(OPEN), limit=1000)
    counts = Counter(aid.dossier_id for aid in open_requests)
    return page(request, "caseworker/dossiers.html", dossiers=dossiers, open_counts=counts)


@router.get("/dossiers/nieuw")
def new_dossier(
    request: Request, user: WebCaseworker, rijen: Annotated[int, Query(ge=1, le=MAX_ROWS)] = ROWS
) -> Response:
    return _form(request, rijen)


@router.post("/dossiers/nieuw")
def open_dossier(request: Request, user: WebCaseworker, form: CheckedForm) -> Response:
    words = words_of(request)
    fields = Fields(form, words)
    reference = fields.text("reference", missing="Vul de dossierreferentie in.")
    rows = fields.whole("rows", default=ROWS, low=1, high=MAX_ROWS)
    members: list[NewMember] = []
    for index in range(rows):
        birth = fields.day(f"birth_{index}")
        relation = fields.raw(f"relation_{index}")
        if birth is None and f"birth_{index}" not in fields.errors:
            continue
        if relation and relation not in RELATIONS:
            fields.fail(f"relation_{index}", "Kies de relatie uit de lijst.")
        if birth is not None:
            members.append(NewMember(birth, relation or None))
    if not members and not any(key.startswith("birth_") for key in fields.errors):
        fields.fail("birth_0", "Vul minstens één geboortedatum in.")
    if fields.errors:
        return _form(request, rows, fields.values, fields.errors, status=422)
    mandaat = web(request).mandaat
    try:
        answer = create_dossier(
            CreateDossier(user.id, reference, tuple(members)), mandaat.uow(), mandaat.clock
        )
    except DomainError as error:
        found = refusal(error, words)
        field = "birth_0" if found.field == "members" else (found.field or "reference")
        return _form(request, rows, fields.values, {field: found.text}, status=error.status)
    session_of(request).flash(words("Het dossier is geopend."))
    return redirect(f"/dossiers/{answer.dossier_id}")


@router.get("/dossiers/{dossier_id}")
def dossier_page(request: Request, dossier_id: DossierId, user: WebCaseworker) -> Response:
    mandaat = web(request).mandaat
    dossier = own_dossier(request, dossier_id, user)
    history = mandaat.views.aid_requests(caseworker_id=user.id, dossier_id=dossier.id, limit=500)
    words = words_of(request)
    today = brussels_date(mandaat.clock())
    labels = {
        member.key: member_label(member, n, today, words) for n, member in enumerate(dossier.members, 1)
    }
    record_reads(request, [dossier.id])
    return page(
        request,
        "caseworker/dossier.html",
        dossier=dossier,
        history=history,
        labels=labels,
        today=today,
        catalogue=catalogue(mandaat, words),
    )


def own_dossier(request: Request, dossier_id: str, user: User) -> ClientDossier:
    dossier = web(request).mandaat.views.dossier(dossier_id)
    if dossier is None or dossier.caseworker_id != user.id:
        raise HiddenDossier()
    return dossier


def record_reads(
    request: Request,
    dossier_ids: Iterable[str],
    purpose: Purpose | None = None,
    shown: Shown = Shown.HOUSEHOLD,
) -> None:
    """The signed-in user is shown these dossiers' households (or their aid requests): an entry per dossier
    in the access log first (when they cannot be written, the page is not shown)."""
    user: User | None = getattr(request.state, "web_user", None)
    if user is None:
        raise RuntimeError("a dossier is shown only to a signed-in user (api.web.deps.signed_in)")
    web(request).mandaat.access.dossiers_read(
        client_of(request), user.id, dossier_ids, purpose or purpose_of(user), shown=shown
    )


def committee_reads(request: Request, user: WebCommitteeMember) -> None:
    """For the committee's pages (a dependency of their router, see `install_web`): one about an escalation
    (`/comite/{request_id}`, its page and the ruling posted from it) shows the household of its dossier."""
    request_id = request.path_params.get("request_id")
    found = None if request_id is None else web(request).mandaat.views.aid_request(str(request_id))
    if found is not None:
        record_reads(request, [found[0].dossier_id], Purpose.COMMITTEE_RULING)


def _form(
    request: Request,
    rows: int,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    *,
    status: int = 200,
) -> Response:
    today: date = brussels_date(web(request).mandaat.clock())
    return page(
        request,
        "caseworker/dossier_new.html",
        status=status,
        rows=rows,
        more=min(rows + 4, MAX_ROWS),
        relations=RELATIONS,
        form=values or {},
        errors=errors or {},
        today=today,
    )
