"""Aid requests: a caseworker asks, and gets the answer at once with every reason; previews; withdraws an
open request; resubmits one the committee returned; approved aid can be cancelled with a reason.

Another caseworker's dossier, or a request on it, is answered as one that does not exist (404), whatever the
act. Reading requests (a list, or one) is written to the access log first, one entry per dossier they are on:
they carry the caseworker's justification and the committee's words.

Submitting takes an `Idempotency-Key` header: a retry with the same key and body gets the first answer (the
same 201 and body, with `Idempotent-Replayed: true`) and never debits twice; the same key with another body
is refused (422 `idempotency-key-reused`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response

from api.auth.access import Shown
from api.http.blocking import blocking
from api.http.deps import AidCanceller, CaseReader, Caseworker, Limit, Offset, Services, own_cases_only
from api.http.errors import HiddenDossier, others_hidden, problems
from api.http.reads import record_reads
from api.http.schemas.aid_requests import (
    AidDecisionPublic,
    AidPreviewPublic,
    AidRequestCancel,
    AidRequestCreate,
    AidRequestPublic,
    AidRequestResubmit,
    AidRequestWithdraw,
)
from api.http.schemas.common import ID_PATTERN
from envelopes.domain.aid_requests import AidRequest, AidStatus
from envelopes.domain.errors import NotFound
from envelopes.services import (
    cancel_aid,
    preview_aid_request,
    resubmit_aid_request,
    submit_aid_request,
    withdraw_aid_request,
)
from envelopes.services.commands import CancelAid, ResubmitAidRequest, WithdrawAidRequest

router = APIRouter(prefix="/aid-requests", tags=["aid requests"], responses=problems(401, 403, 422))

RequestId = Annotated[str, Path(pattern=ID_PATTERN)]
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        pattern=r"^[\x21-\x7e]{1,128}$",
        description="one per request you mean to make (e.g. a UUID); a retry repeats it",
    ),
]


@router.post("", status_code=201, responses=problems(404, 409))
@blocking
def submit(
    body: AidRequestCreate,
    idempotency_key: IdempotencyKey,
    user: Caseworker,
    mandaat: Services,
    response: Response,
) -> AidDecisionPublic:
    """Ask for aid: approved at once within the delegation, otherwise escalated to the committee with
    every reason."""
    with others_hidden("dossier", body.dossier_id):
        answer = submit_aid_request(
            body.command(user.id, idempotency_key), mandaat.uow(), mandaat.decisions, mandaat.clock
        )
    response.headers["Location"] = f"/api/v1/aid-requests/{answer.request_id}"
    if answer.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return AidDecisionPublic.of(answer)


@router.post("/preview", responses=problems(404, 409))
@blocking
def preview(body: AidRequestCreate, user: Caseworker, mandaat: Services) -> AidPreviewPublic:
    """What submitting would decide now, with every reason. Writes nothing."""
    with others_hidden("dossier", body.dossier_id):
        answer = preview_aid_request(
            body.command(user.id), mandaat.read_uow(), mandaat.decisions, mandaat.clock
        )
    return AidPreviewPublic.of(answer)


@router.get("")
@blocking
def list_aid_requests(
    request: Request,
    user: CaseReader,
    mandaat: Services,
    status: Annotated[list[AidStatus] | None, Query(description="only these statuses")] = None,
    dossier_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[AidRequestPublic]:
    """The requests on your dossiers (a caseworker), or on every dossier (the committee), newest first."""
    found = mandaat.views.aid_requests(
        caseworker_id=own_cases_only(user),
        statuses=status or (),
        dossier_id=dossier_id,
        limit=limit,
        offset=offset,
    )
    record_reads(request, user, (aid.dossier_id for aid in found), Shown.AID_REQUESTS)
    return [AidRequestPublic.of(aid) for aid in found]


@router.get("/{request_id}", responses=problems(404))
@blocking
def get_aid_request(
    request_id: RequestId, request: Request, user: CaseReader, mandaat: Services
) -> AidRequestPublic:
    found = mandaat.views.aid_request(request_id)
    if found is None:
        raise NotFound(f"there is no aid request {request_id}")
    aid = _visible(*found, own_cases_only(user))
    record_reads(request, user, [aid.dossier_id], Shown.AID_REQUESTS)
    return AidRequestPublic.of(aid)


@router.post("/{request_id}/withdraw", responses=problems(404, 409))
@blocking
def withdraw(
    request_id: RequestId, user: Caseworker, mandaat: Services, body: AidRequestWithdraw | None = None
) -> AidDecisionPublic:
    """Withdraw an open request (escalated or returned); its hold is released."""
    reason = "" if body is None else body.reason
    with others_hidden("aid request", request_id):
        answer = withdraw_aid_request(
            WithdrawAidRequest(user.id, request_id, reason), mandaat.uow(), mandaat.clock
        )
    return AidDecisionPublic.of(answer)


@router.post("/{request_id}/resubmit", responses=problems(404, 409))
@blocking
def resubmit(
    request_id: RequestId, body: AidRequestResubmit, user: Caseworker, mandaat: Services
) -> AidDecisionPublic:
    """Answer the committee's question on a returned request: it is decided again."""
    command = ResubmitAidRequest(user.id, request_id, body.justification, body.amount, body.quantity)
    with others_hidden("aid request", request_id):
        answer = resubmit_aid_request(command, mandaat.uow(), mandaat.decisions, mandaat.clock)
    return AidDecisionPublic.of(answer)


@router.post("/{request_id}/cancel", responses=problems(404, 409))
@blocking
def cancel(
    request_id: RequestId, body: AidRequestCancel, user: AidCanceller, mandaat: Services
) -> AidDecisionPublic:
    """Undo approved aid, with a reason: its commitment is released."""
    with others_hidden("aid request", request_id):
        answer = cancel_aid(CancelAid(user.id, request_id, body.reason), mandaat.uow(), mandaat.clock)
    return AidDecisionPublic.of(answer)


def _visible(aid: AidRequest, caseworker_id: str, own: str | None) -> AidRequest:
    if own is not None and caseworker_id != own:
        raise HiddenDossier("aid request", aid.id)
    return aid
