"""The committee rules on escalated aid: approve (that amount or another), refuse (with a motivation), or
return it to the caseworker with a question. Nobody rules on aid they requested themselves."""

from __future__ import annotations

from envelopes.domain.duties import Act, require_not_requester
from envelopes.domain.log import text_hash
from envelopes.services.aid_requests import aid_subjects, write_effect
from envelopes.services.answers import AidAnswer
from envelopes.services.commands import CommitteeDecision, Ruling
from envelopes.services.common import Clock, acting, existing
from envelopes.services.log import record
from envelopes.unit_of_work import UnitOfWork

_ACTION = {
    Ruling.APPROVE: "aid.committee_approved",
    Ruling.REFUSE: "aid.committee_refused",
    Ruling.RETURN: "aid.committee_returned",
}


def committee_decide(cmd: CommitteeDecision, uow: UnitOfWork, clock: Clock) -> AidAnswer:
    with uow:
        actor = acting(uow, cmd.actor_id, Act.DECIDE_ESCALATIONS)
        aid = existing(uow.requests.get_for_update(cmd.request_id), "aid request", cmd.request_id)
        require_not_requester(actor, aid.submitters)
        # The dossier's lock too: an approval changes the aid its next request is counted against, and a
        # caseworker's decision reads that history under this lock (lock order: aid → dossier → envelope).
        existing(uow.dossiers.get_for_update(aid.dossier_id), "dossier", aid.dossier_id)
        envelope = existing(uow.envelopes.get_for_update(aid.envelope_id), "envelope", aid.envelope_id)
        before = uow.ledger.balance(envelope.id)
        if cmd.ruling is Ruling.APPROVE:
            movements = aid.approve_by_committee(cmd.amount, by=actor.id, motivation=cmd.motivation)
        elif cmd.ruling is Ruling.REFUSE:
            movements = aid.refuse(cmd.motivation, by=actor.id)
        else:
            movements = aid.return_for_information(cmd.question, by=actor.id)
        after = write_effect(uow, envelope, movements, before, aid.id, clock)
        details = {"amount": str(aid.amount), "status": aid.status.value}
        if aid.approved_amount is not None:
            details["approved_amount"] = str(aid.approved_amount)
        if aid.motivation:
            details["motivation_sha256"] = text_hash(aid.motivation)
        if cmd.ruling is Ruling.RETURN:
            details["question_sha256"] = text_hash(aid.question)
        record(
            uow,
            clock,
            actor_id=actor.id,
            action=_ACTION[cmd.ruling],
            subjects=aid_subjects(aid),
            outcome=aid.status.value,
            policy_version=aid.policy_version,
            balances={envelope.id: (before, after)},
            details=details,
        )
        answer = AidAnswer.of(aid, after.available)
        uow.commit()
    return answer
