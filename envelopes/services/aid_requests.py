"""The caseworker withdraws an open request; approved aid is cancelled with a reason."""

from __future__ import annotations

from collections.abc import Sequence

from envelopes.domain.aid_requests import AidRequest
from envelopes.domain.duties import Act, require_assigned, require_not_requester
from envelopes.domain.envelopes import Balance, Envelope, Movement
from envelopes.domain.errors import Forbidden
from envelopes.domain.log import text_hash
from envelopes.domain.users import Role
from envelopes.services.answers import AidAnswer
from envelopes.services.commands import CancelAid, WithdrawAidRequest
from envelopes.services.common import Clock, acting, existing
from envelopes.services.log import record
from envelopes.unit_of_work import UnitOfWork


def withdraw_aid_request(cmd: WithdrawAidRequest, uow: UnitOfWork, clock: Clock) -> AidAnswer:
    """An open request (escalated or returned) is withdrawn; its hold is released."""
    with uow:
        actor = acting(uow, cmd.actor_id, Act.REQUEST_AID)
        aid = existing(uow.requests.get_for_update(cmd.request_id), "aid request", cmd.request_id)
        dossier = existing(uow.dossiers.get(aid.dossier_id), "dossier", aid.dossier_id)
        require_assigned(actor, dossier.caseworker_id)
        envelope = existing(uow.envelopes.get_for_update(aid.envelope_id), "envelope", aid.envelope_id)
        before = uow.ledger.balance(envelope.id)
        after = write_effect(uow, envelope, aid.withdraw(cmd.reason), before, aid.id, clock)
        details = {"amount": str(aid.amount), "status": aid.status.value}
        if aid.closing_reason:
            details["reason_sha256"] = text_hash(aid.closing_reason)
        record(
            uow,
            clock,
            actor_id=actor.id,
            action="aid.withdrawn",
            subjects=aid_subjects(aid),
            outcome=aid.status.value,
            policy_version=aid.policy_version,
            balances={envelope.id: (before, after)},
            details=details,
        )
        answer = AidAnswer.of(aid, after.available)
        uow.commit()
    return answer


def cancel_aid(cmd: CancelAid, uow: UnitOfWork, clock: Clock) -> AidAnswer:
    """Approved aid undone, with a reason: its commitment is released. Aid the caseworker approved within
    their mandate may be cancelled by the dossier's caseworker or the committee; aid the committee approved
    only by the committee (not by a member who requested it)."""
    with uow:
        actor = acting(uow, cmd.actor_id, Act.CANCEL_AID)
        aid = existing(uow.requests.get_for_update(cmd.request_id), "aid request", cmd.request_id)
        if actor.role is Role.CASEWORKER:
            dossier = existing(uow.dossiers.get(aid.dossier_id), "dossier", aid.dossier_id)
            require_assigned(actor, dossier.caseworker_id)
            if aid.decided_by is not None:
                raise Forbidden(
                    "aid the committee approved can only be cancelled by the committee",
                    figures={"decided_by": "committee"},
                )
        else:
            require_not_requester(actor, aid.submitters)
        envelope = existing(uow.envelopes.get_for_update(aid.envelope_id), "envelope", aid.envelope_id)
        before = uow.ledger.balance(envelope.id)
        released = aid.committed
        after = write_effect(uow, envelope, aid.cancel(cmd.reason), before, aid.id, clock)
        record(
            uow,
            clock,
            actor_id=actor.id,
            action="aid.cancelled",
            subjects=aid_subjects(aid),
            outcome=aid.status.value,
            policy_version=aid.policy_version,
            balances={envelope.id: (before, after)},
            details={
                "amount": str(released),
                "status": aid.status.value,
                "reason_sha256": text_hash(aid.closing_reason),
            },
        )
        answer = AidAnswer.of(aid, after.available)
        uow.commit()
    return answer


def write_effect(
    uow: UnitOfWork,
    envelope: Envelope,
    movements: Sequence[Movement],
    before: Balance,
    aid_request_id: str,
    clock: Clock,
) -> Balance:
    """Post an aid request's movements on its (locked) envelope; the balance after."""
    entries = envelope.post(movements, before, aid_request_id=aid_request_id, at=clock())
    for entry in entries:
        uow.ledger.add(entry)
    return before.after(entries)


def aid_subjects(aid: AidRequest) -> dict[str, str]:
    return {
        "aid_request": aid.id,
        "dossier": aid.dossier_id,
        "beneficiary": aid.beneficiary_key,
        "envelope": aid.envelope_id,
    }
