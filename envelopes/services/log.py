"""Writing to and checking the decision log.

`record` is called exactly once by every use case that changes state, inside its unit of work, just before the
commit: it locks the log head (the last lock a transaction takes), chains the entry and moves the anchor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from envelopes.domain.duties import Act
from envelopes.domain.envelopes import Balance
from envelopes.domain.ids import utc_timestamp
from envelopes.domain.log import Anchor, LogEntry, Verification, chain, verify
from envelopes.domain.reasons import reason_to_json
from envelopes.services.common import Clock, acting
from envelopes.unit_of_work import UnitOfWork
from rules.decision import Decision

BalanceChange = tuple[Balance, Balance]  # before, after


def record(
    uow: UnitOfWork,
    clock: Clock,
    *,
    actor_id: str,
    action: str,
    subjects: Mapping[str, str],
    outcome: str | None = None,
    decision: Decision | None = None,
    policy_version: str | None = None,
    balances: Mapping[str, BalanceChange] | None = None,
    details: Mapping[str, str] | None = None,
) -> LogEntry:
    head = uow.log.lock_head()
    facts: dict[str, Any] | None = None
    if decision is not None:
        facts, policy_version = decision.facts.to_json(), decision.policy_version
    entry = chain(
        head,
        recorded_at=utc_timestamp(clock()),
        actor_id=actor_id,
        action=action,
        subjects=subjects,
        outcome=outcome,
        facts=facts,
        policy_version=policy_version,
        matched=() if decision is None else decision.matched,
        reasons=() if decision is None else [reason_to_json(reason) for reason in decision.reasons],
        balances={
            envelope_id: {"before": str(before.available), "after": str(after.available)}
            for envelope_id, (before, after) in (balances or {}).items()
        },
        details=details,
    )
    uow.log.add(entry)
    uow.log.set_head(entry.anchor)
    return entry


def verify_log(
    uow: UnitOfWork, *, checkpoints: Iterable[Anchor] = (), actor_id: str | None = None
) -> Verification:
    """Walk the whole chain against the stored anchor and any heads kept outside the database. Reads only.

    `actor_id` None is the operator at the command line (who holds the database anyway); a user of the API
    passes their id and must be allowed to read the log (auditor, admin)."""
    with uow:
        if actor_id is not None:
            acting(uow, actor_id, Act.READ_LOG)
        return verify(uow.log.entries(), uow.log.head(), checkpoints=checkpoints)


def log_head(uow: UnitOfWork) -> Anchor:
    with uow:
        return uow.log.head()
