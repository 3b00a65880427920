"""The decision log, for the auditor (and the admin): its entries in sequence, and the check of its chain."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query

from api.http.blocking import blocking, long_running
from api.http.deps import LogReader, Services
from api.http.errors import problems
from api.http.schemas.log import LogEntryPublic, LogPage, LogVerificationPublic
from envelopes.domain.errors import InvalidInput
from envelopes.domain.log import Anchor
from envelopes.services import verify_log

router = APIRouter(prefix="/log", tags=["log"], responses=problems(401, 403, 422))

CHECKPOINT_PATTERN = r"^[0-9]{1,18}:[0-9a-f]{64}$"


@router.get("")
@blocking
def read_log(
    user: LogReader,
    mandaat: Services,
    after: Annotated[int, Query(ge=0, le=2**62, description="entries after this sequence number")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> LogPage:
    entries = mandaat.views.log_entries(after=after, limit=limit)
    next_after = entries[-1].sequence if len(entries) == limit else None
    return LogPage(entries=[LogEntryPublic.of(entry) for entry in entries], next_after=next_after)


@router.get("/verify")
@long_running
def verify(
    user: LogReader,
    mandaat: Services,
    checkpoint: Annotated[
        list[str] | None,
        Query(description="heads kept outside Mandaat, as SEQUENCE:HASH; each must still be in the chain"),
    ] = None,
) -> LogVerificationPublic:
    """Walk the whole chain: an edited, deleted, inserted or reordered entry is named by its sequence."""
    anchors = [_anchor(text) for text in checkpoint or []]
    verification = verify_log(mandaat.read_uow(), checkpoints=anchors, actor_id=user.id)
    return LogVerificationPublic.of(verification)


def _anchor(text: str) -> Anchor:
    if not re.fullmatch(CHECKPOINT_PATTERN, text):
        raise InvalidInput("a checkpoint is SEQUENCE:HASH (the hash as 64 hex digits)", field="checkpoint")
    sequence, digest = text.split(":")
    return Anchor(int(sequence), digest)
