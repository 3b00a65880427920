"""Envelopes: finance opens them per theme and budget year, tops up or reduces them, transfers between
them, freezes and unfreezes them. Everyone but the admin reads their figures; finance and the auditor read
their ledgers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from api.http.blocking import blocking
from api.http.deps import BudgetReader, EnvelopeManager, LedgerReader, Limit, Offset, Services
from api.http.errors import problems
from api.http.schemas.common import ID_PATTERN
from api.http.schemas.envelopes import (
    EnvelopeAdjustmentCreate,
    EnvelopeCreate,
    EnvelopeFreeze,
    EnvelopePublic,
    EnvelopeTransferCreate,
    EnvelopeTransferPublic,
    EnvelopeUnfreeze,
    LedgerEntryPublic,
)
from envelopes.domain.errors import NotFound
from envelopes.services import adjust_envelope, freeze_envelope, open_envelope, transfer, unfreeze_envelope
from envelopes.services.commands import (
    AdjustEnvelope,
    FreezeEnvelope,
    OpenEnvelope,
    TransferBetweenEnvelopes,
    UnfreezeEnvelope,
)

router = APIRouter(tags=["envelopes"], responses=problems(401, 403, 422))

EnvelopeId = Annotated[str, Path(pattern=ID_PATTERN)]


@router.get("/envelopes")
@blocking
def list_envelopes(
    user: BudgetReader,
    mandaat: Services,
    period: Annotated[int | None, Query(ge=2000, le=2100, description="only this budget year")] = None,
) -> list[EnvelopePublic]:
    return [
        EnvelopePublic.of(envelope, balance) for envelope, balance in mandaat.views.envelopes(year=period)
    ]


@router.post("/envelopes", status_code=201, responses=problems(409))
@blocking
def open_new_envelope(
    body: EnvelopeCreate, user: EnvelopeManager, mandaat: Services, response: Response
) -> EnvelopePublic:
    command = OpenEnvelope(user.id, body.theme, body.period, body.amount, body.team)
    answer = open_envelope(command, mandaat.uow(), mandaat.clock)
    response.headers["Location"] = f"/api/v1/envelopes/{answer.envelope_id}"
    return EnvelopePublic.of_answer(answer)


@router.get("/envelopes/{envelope_id}", responses=problems(404))
@blocking
def get_envelope(envelope_id: EnvelopeId, user: BudgetReader, mandaat: Services) -> EnvelopePublic:
    found = mandaat.views.envelope(envelope_id)
    if found is None:
        raise NotFound(f"there is no envelope {envelope_id}")
    return EnvelopePublic.of(*found)


@router.get("/envelopes/{envelope_id}/ledger", responses=problems(404))
@blocking
def get_ledger(
    envelope_id: EnvelopeId, user: LedgerReader, mandaat: Services, limit: Limit = 500, offset: Offset = 0
) -> list[LedgerEntryPublic]:
    """Every entry of the envelope's ledger, oldest first: the figures are their sums."""
    if mandaat.views.envelope(envelope_id) is None:
        raise NotFound(f"there is no envelope {envelope_id}")
    entries = mandaat.views.ledger(envelope_id, limit=limit, offset=offset)
    return [LedgerEntryPublic.of(entry) for entry in entries]


@router.post("/envelopes/{envelope_id}/adjustments", status_code=201, responses=problems(404, 409))
@blocking
def adjust(
    envelope_id: EnvelopeId, body: EnvelopeAdjustmentCreate, user: EnvelopeManager, mandaat: Services
) -> EnvelopePublic:
    """Top up (a positive amount) or reduce (a negative one; never below what is available)."""
    command = AdjustEnvelope(user.id, envelope_id, body.amount, body.reason)
    return EnvelopePublic.of_answer(adjust_envelope(command, mandaat.uow(), mandaat.clock))


@router.post("/envelopes/{envelope_id}/freeze", responses=problems(404, 409))
@blocking
def freeze(
    envelope_id: EnvelopeId, body: EnvelopeFreeze, user: EnvelopeManager, mandaat: Services
) -> EnvelopePublic:
    """A frozen envelope takes no new holds or commitments: every request on it escalates."""
    command = FreezeEnvelope(user.id, envelope_id, body.reason)
    return EnvelopePublic.of_answer(freeze_envelope(command, mandaat.uow(), mandaat.clock))


@router.post("/envelopes/{envelope_id}/unfreeze", responses=problems(404, 409))
@blocking
def unfreeze(
    envelope_id: EnvelopeId, body: EnvelopeUnfreeze, user: EnvelopeManager, mandaat: Services
) -> EnvelopePublic:
    command = UnfreezeEnvelope(user.id, envelope_id, body.reason)
    return EnvelopePublic.of_answer(unfreeze_envelope(command, mandaat.uow(), mandaat.clock))


@router.post("/envelope-transfers", status_code=201, responses=problems(404, 409))
@blocking
def transfer_between(
    body: EnvelopeTransferCreate, user: EnvelopeManager, mandaat: Services
) -> EnvelopeTransferPublic:
    """Move money from one envelope to another of the same budget year, in one transaction."""
    command = TransferBetweenEnvelopes(
        user.id, body.from_envelope_id, body.to_envelope_id, body.amount, body.reason
    )
    answer = transfer(command, mandaat.uow(), mandaat.clock)
    return EnvelopeTransferPublic.of(answer, str(body.amount))
