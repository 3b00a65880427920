"""Client dossiers. A caseworker opens them (assigned to them) and sees only their own; the committee reads
them all. The case-file reference travels only in bodies, never in a URL.

Every answer that holds a dossier's household is a read, written to the access log before it is given (who,
when, which dossier by its id, why): one dossier, one found by reference, each dossier of a list (one entry
per dossier listed, so that the reads of one person's dossier can be told, whatever way it was seen).
Opening a dossier gives back only what its caseworker just sent, and a handover only to whom the dossier
now goes (the admin, who moves dossiers, reads no household): neither is a read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from api.http.blocking import blocking
from api.http.deps import (
    CaseReader,
    Caseworker,
    DossierReassigner,
    Limit,
    Offset,
    Services,
    own_cases_only,
)
from api.http.errors import HiddenDossier, others_hidden, problems
from api.http.reads import record_reads
from api.http.schemas.common import ID_PATTERN
from api.http.schemas.dossiers import (
    DossierAssignmentPublic,
    DossierCreate,
    DossierLookup,
    DossierPublic,
    DossierReassign,
)
from envelopes.domain.dossiers import ClientDossier
from envelopes.domain.errors import NotFound
from envelopes.domain.users import User
from envelopes.services import create_dossier, reassign_dossier
from envelopes.services.commands import CreateDossier, ReassignDossier

router = APIRouter(prefix="/dossiers", tags=["dossiers"], responses=problems(401, 403, 422))

DossierId = Annotated[str, Path(pattern=ID_PATTERN)]


@router.post("", status_code=201, responses=problems(409))
@blocking
def open_dossier(
    body: DossierCreate, user: Caseworker, mandaat: Services, response: Response
) -> DossierPublic:
    """Open a client dossier, assigned to you. Each member gets an opaque id: the beneficiary of a request."""
    command = CreateDossier(user.id, body.reference, body.new_members())
    answer = create_dossier(command, mandaat.uow(), mandaat.clock)
    response.headers["Location"] = f"/api/v1/dossiers/{answer.dossier_id}"
    return DossierPublic.of(_visible(mandaat.views.dossier(answer.dossier_id), user, answer.dossier_id))


@router.get("")
@blocking
def list_dossiers(
    request: Request, user: CaseReader, mandaat: Services, limit: Limit = 100, offset: Offset = 0
) -> list[DossierPublic]:
    """Your dossiers (a caseworker), or every dossier (the committee), by reference."""
    found = mandaat.views.dossiers(caseworker_id=own_cases_only(user), limit=limit, offset=offset)
    _read(request, user, *found)
    return [DossierPublic.of(dossier) for dossier in found]


@router.post("/lookup", responses=problems(404))
@blocking
def find_dossier(body: DossierLookup, request: Request, user: CaseReader, mandaat: Services) -> DossierPublic:
    """Find a dossier by its case-file reference (in the body: a reference never goes in a URL)."""
    found = _visible(mandaat.views.dossier_by_reference(body.reference), user, "with this reference")
    _read(request, user, found)
    return DossierPublic.of(found)


@router.get("/{dossier_id}", responses=problems(404))
@blocking
def get_dossier(
    dossier_id: DossierId, request: Request, user: CaseReader, mandaat: Services
) -> DossierPublic:
    found = _visible(mandaat.views.dossier(dossier_id), user, dossier_id)
    _read(request, user, found)
    return DossierPublic.of(found)


@router.post("/{dossier_id}/reassign", responses=problems(404))
@blocking
def reassign(
    dossier_id: DossierId, body: DossierReassign, user: DossierReassigner, mandaat: Services
) -> DossierAssignmentPublic:
    """Hand a dossier to another caseworker (its caseworker), or move it (the admin). The answer says to
    whom, not who is in the household."""
    command = ReassignDossier(user.id, dossier_id, body.caseworker_id)
    with others_hidden("dossier", dossier_id):
        answer = reassign_dossier(command, mandaat.uow(), mandaat.clock)
    return DossierAssignmentPublic(id=answer.dossier_id, caseworker_id=answer.caseworker_id)


def _read(request: Request, user: User, *dossiers: ClientDossier) -> None:
    record_reads(request, user, [dossier.id for dossier in dossiers])


def _visible(dossier: ClientDossier | None, user: User, identifier: str) -> ClientDossier:
    """The dossier, if `user` may see it: a caseworker sees only their own (others are not found)."""
    if dossier is None:
        raise NotFound(f"there is no dossier {identifier}")
    caseworker = own_cases_only(user)
    if caseworker is not None and dossier.caseworker_id != caseworker:
        raise HiddenDossier("dossier", identifier)
    return dossier
