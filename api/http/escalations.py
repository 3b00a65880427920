"""The committee's queue: escalated requests, oldest first, each with every reason; and its rulings. Reading
the queue is written to the access log first, one entry per dossier in it (api/http/reads.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from api.auth.access import Shown
from api.http.blocking import blocking
from api.http.deps import CommitteeMember, Limit, Offset, Services
from api.http.errors import problems
from api.http.reads import record_reads
from api.http.schemas.aid_requests import AidDecisionPublic, AidRequestPublic
from api.http.schemas.common import ID_PATTERN
from api.http.schemas.escalations import EscalationDecisionCreate, EscalationQueue
from envelopes.domain.aid_requests import AidStatus
from envelopes.services import committee_decide

router = APIRouter(prefix="/escalations", tags=["escalations"], responses=problems(401, 403, 422))

_QUEUES = {EscalationQueue.OPEN: AidStatus.ESCALATED, EscalationQueue.RETURNED: AidStatus.RETURNED}


@router.get("")
@blocking
def list_escalations(
    request: Request,
    user: CommitteeMember,
    mandaat: Services,
    status: EscalationQueue = EscalationQueue.OPEN,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[AidRequestPublic]:
    """Open escalations (waiting for the committee), or those returned to the caseworker."""
    found = mandaat.views.escalations([_QUEUES[status]], limit=limit, offset=offset)
    record_reads(request, user, (aid.dossier_id for aid in found), Shown.AID_REQUESTS)
    return [AidRequestPublic.of(aid) for aid in found]


@router.post("/{request_id}/decision", responses=problems(404, 409))
@blocking
def decide(
    request_id: Annotated[str, Path(pattern=ID_PATTERN)],
    body: EscalationDecisionCreate,
    user: CommitteeMember,
    mandaat: Services,
) -> AidDecisionPublic:
    """Approve (the amount asked, or another with a motivation when less), refuse (with a motivation), or
    return to the caseworker (the motivation is the question). Nobody rules on aid they requested."""
    answer = committee_decide(body.command(user.id, request_id), mandaat.uow(), mandaat.clock)
    return AidDecisionPublic.of(answer)
