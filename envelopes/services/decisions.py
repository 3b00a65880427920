"""The decision use case: a caseworker asks for aid and gets the answer at once, with every reason.

One transaction: lock the dossier and the envelope, gather the facts the policy in force on the request's date
needs, evaluate, write the request, its ledger effect, its log entry, commit. A retry with the same
idempotency key gets the first answer; a preview runs the same path and writes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from envelopes.domain.aid_requests import AidRequest, AidStatus
from envelopes.domain.dossiers import ClientDossier
from envelopes.domain.duties import Act, require_assigned
from envelopes.domain.envelopes import ZERO, Balance, EntryKind, Envelope, LedgerEntry
from envelopes.domain.errors import InvalidInput, NoEnvelope, NoPolicyInForce
from envelopes.domain.facts import decision_request
from envelopes.domain.idempotency import IdempotencyRecord, body_hash, checked_key
from envelopes.domain.ids import brussels_date
from envelopes.domain.users import User
from envelopes.services.aid_requests import aid_subjects
from envelopes.services.answers import AidAnswer, PreviewAnswer
from envelopes.services.commands import ResubmitAidRequest, SubmitAidRequest
from envelopes.services.common import Clock, acting, existing
from envelopes.services.engine import DecisionEngine
from envelopes.services.log import record
from envelopes.unit_of_work import IdempotencyKeyTaken, UnitOfWork
from rules.decision import Decision
from rules.model import Policy
from rules.money import Money


def submit_aid_request(
    cmd: SubmitAidRequest, uow: UnitOfWork, engine: DecisionEngine, clock: Clock
) -> AidAnswer:
    key = None if cmd.idempotency_key is None else checked_key(cmd.idempotency_key)
    digest = body_hash(cmd.normalized_body())
    try:
        return _submit(cmd, key, digest, uow, engine, clock)
    except IdempotencyKeyTaken:
        # A concurrent try with the same key committed first: this one wrote nothing; answer as that one did.
        if key is None:
            raise
        with uow:
            stored = uow.idempotency.get(cmd.actor_id, key)
        if stored is None:
            raise
        return AidAnswer.from_json(stored.replay(digest), replayed=True)


def _submit(
    cmd: SubmitAidRequest,
    key: str | None,
    digest: str,
    uow: UnitOfWork,
    engine: DecisionEngine,
    clock: Clock,
) -> AidAnswer:
    with uow:
        actor = acting(uow, cmd.actor_id, Act.REQUEST_AID)
        if key is not None:
            stored = uow.idempotency.get(actor.id, key)
            if stored is not None:
                return AidAnswer.from_json(stored.replay(digest), replayed=True)
        day = _request_day(cmd.date, clock)
        dossier = existing(uow.dossiers.get_for_update(cmd.dossier_id), "dossier", cmd.dossier_id)
        require_assigned(actor, dossier.caseworker_id)
        known = _known_before(uow, engine, dossier, day)
        envelope = _envelope_for(uow, cmd.theme, day.year, actor.team, lock=True)
        before = uow.ledger.balance(envelope.id)
        decision = _decide(
            engine, known, actor, dossier, envelope, before, cmd, cmd.amount, cmd.quantity, day
        )
        aid, movements = AidRequest.submit(
            dossier_id=dossier.id,
            beneficiary_key=cmd.beneficiary_key,
            envelope=envelope,
            balance=before,
            theme=cmd.theme,
            item=cmd.item,
            amount=cmd.amount,
            quantity=cmd.quantity,
            day=day,
            justification=cmd.justification,
            requested_by=actor.id,
            decision=decision,
        )
        entries = envelope.post(movements, before, aid_request_id=aid.id, at=clock())
        uow.requests.add(aid)
        after = _write(uow, entries, before)
        answer = AidAnswer.of(aid, after.available)
        if key is not None:
            uow.idempotency.add(IdempotencyRecord(actor.id, key, digest, answer.to_json(), clock()))
        _log_decision(uow, clock, actor, "aid.submitted", aid, decision, entries, before, after)
        uow.commit()
    return answer


def preview_aid_request(
    cmd: SubmitAidRequest, uow: UnitOfWork, engine: DecisionEngine, clock: Clock
) -> PreviewAnswer:
    """What submitting would decide now, with every reason. Takes no locks, writes nothing."""
    with uow:
        actor = acting(uow, cmd.actor_id, Act.REQUEST_AID)
        day = _request_day(cmd.date, clock)
        dossier = existing(uow.dossiers.get(cmd.dossier_id), "dossier", cmd.dossier_id)
        require_assigned(actor, dossier.caseworker_id)
        known = _known_before(uow, engine, dossier, day)
        envelope = _envelope_for(uow, cmd.theme, day.year, actor.team, lock=False)
        balance = uow.ledger.balance(envelope.id)
        decision = _decide(
            engine, known, actor, dossier, envelope, balance, cmd, cmd.amount, cmd.quantity, day
        )
        if decision.approved:
            effect = "commitment"
        else:
            effect = "hold" if envelope.can_hold(cmd.amount, balance) else "none"
        return PreviewAnswer.of(decision, effect, envelope.id, balance.available)


def resubmit_aid_request(
    cmd: ResubmitAidRequest, uow: UnitOfWork, engine: DecisionEngine, clock: Clock
) -> AidAnswer:
    """A returned request with the caseworker's answer (and possibly another amount), decided again on its
    own date; its hold is released first, so the engine sees the envelope without it."""
    with uow:
        actor = acting(uow, cmd.actor_id, Act.REQUEST_AID)
        aid = existing(uow.requests.get_for_update(cmd.request_id), "aid request", cmd.request_id)
        dossier = existing(uow.dossiers.get_for_update(aid.dossier_id), "dossier", aid.dossier_id)
        require_assigned(actor, dossier.caseworker_id)
        aid.require(AidStatus.RETURNED, "resubmit")
        known = _known_before(uow, engine, dossier, aid.date)
        envelope = existing(uow.envelopes.get_for_update(aid.envelope_id), "envelope", aid.envelope_id)
        before = uow.ledger.balance(envelope.id)
        amount = cmd.amount if cmd.amount is not None else aid.amount
        quantity = cmd.quantity if cmd.quantity is not None else aid.quantity
        decision = _decide(
            engine,
            known,
            actor,
            dossier,
            envelope,
            before,
            aid,
            amount,
            quantity,
            aid.date,
            released=aid.held,
        )
        movements = aid.resubmit(
            decision,
            envelope,
            before,
            amount=amount,
            quantity=quantity,
            justification=cmd.justification,
            by=actor.id,
        )
        entries = envelope.post(movements, before, aid_request_id=aid.id, at=clock())
        after = _write(uow, entries, before)
        _log_decision(uow, clock, actor, "aid.resubmitted", aid, decision, entries, before, after)
        answer = AidAnswer.of(aid, after.available)
        uow.commit()
    return answer


def _request_day(requested: date | None, clock: Clock) -> date:
    today = brussels_date(clock())
    if requested is None:
        return today
    if requested > today:
        raise InvalidInput(f"the request date {requested.isoformat()} is in the future", field="date")
    return requested


def _envelope_for(uow: UnitOfWork, theme: str, year: int, team: str | None, *, lock: bool) -> Envelope:
    """The team's envelope for the theme and year, else the service-wide one."""
    find = uow.envelopes.find_for_update if lock else uow.envelopes.find
    found = find(theme, year, team) if team is not None else None
    found = found or find(theme, year, None)
    if found is None:
        raise NoEnvelope(f"there is no envelope for {theme} in {year}", field="theme")
    return found


class _KnownBefore(NamedTuple):
    """What a decision needs that is read before the envelope is locked: the policy in force on the
    request's date and the dossier's approved aid within the windows that policy counts. The dossier is
    locked by then (every change to its approved aid locks it), so its history cannot change meanwhile;
    the envelope's lock, which every decision on that envelope waits for, is held as briefly as can be."""

    policy: Policy
    history: list[AidRequest]


def _known_before(uow: UnitOfWork, engine: DecisionEngine, dossier: ClientDossier, day: date) -> _KnownBefore:
    policy = engine.in_force_on(uow.policies, day)
    if policy is None:
        raise NoPolicyInForce(f"no policy version is in force on {day.isoformat()}", field="date")
    return _KnownBefore(policy, uow.requests.approved_for_dossier(dossier.id, policy.history_since(day)))


def _decide(
    engine: DecisionEngine,
    known: _KnownBefore,
    actor: User,
    dossier: ClientDossier,
    envelope: Envelope,
    balance: Balance,
    asked: SubmitAidRequest | AidRequest,
    amount: Money,
    quantity: int,
    day: date,
    *,
    released: Money = ZERO,
) -> Decision:
    """Evaluate with the policy version in force on `day`; `released` is a hold this request gives back."""
    request = decision_request(
        day=day,
        theme=asked.theme,
        item=asked.item,
        amount=amount,
        quantity=quantity,
        dossier=dossier,
        beneficiary_key=asked.beneficiary_key,
        history=known.history,
        available=balance.available + released,
        frozen=envelope.frozen,
        caseworker=actor,
    )
    return engine.evaluate(known.policy, request)


def _write(uow: UnitOfWork, entries: list[LedgerEntry], before: Balance) -> Balance:
    for entry in entries:
        uow.ledger.add(entry)
    return before.after(entries)


def _log_decision(
    uow: UnitOfWork,
    clock: Clock,
    actor: User,
    action: str,
    aid: AidRequest,
    decision: Decision,
    entries: list[LedgerEntry],
    before: Balance,
    after: Balance,
) -> None:
    effect = next((e.kind.value for e in entries if e.kind is not EntryKind.RELEASE), "none")
    record(
        uow,
        clock,
        actor_id=actor.id,
        action=action,
        subjects=aid_subjects(aid),
        outcome=decision.outcome.value,
        decision=decision,
        balances={aid.envelope_id: (before, after)},
        details={"amount": str(aid.amount), "effect": effect, "status": aid.status.value},
    )
