"""Finance's use cases: open an envelope, top it up or reduce it, transfer between envelopes, freeze."""

from __future__ import annotations

from envelopes.domain.duties import Act
from envelopes.domain.envelopes import Balance, Envelope
from envelopes.domain.errors import AlreadyExists
from envelopes.services.answers import EnvelopeAnswer, TransferAnswer
from envelopes.services.commands import (
    AdjustEnvelope,
    FreezeEnvelope,
    OpenEnvelope,
    TransferBetweenEnvelopes,
    UnfreezeEnvelope,
)
from envelopes.services.common import Clock, acting, existing
from envelopes.services.log import record
from envelopes.unit_of_work import UnitOfWork


def open_envelope(cmd: OpenEnvelope, uow: UnitOfWork, clock: Clock) -> EnvelopeAnswer:
    with uow:
        acting(uow, cmd.actor_id, Act.MANAGE_ENVELOPES)
        envelope, entries = Envelope.open(
            theme=cmd.theme, year=cmd.year, team=cmd.team, allocation=cmd.allocation, at=clock()
        )
        uow.log.lock_head()  # envelopes are checked for uniqueness and opened one at a time
        if uow.envelopes.find(envelope.theme, envelope.year, envelope.team) is not None:
            team = f" for team {envelope.team}" if envelope.team else ""
            raise AlreadyExists(f"there is already an envelope {envelope.theme} {envelope.year}{team}")
        uow.envelopes.add(envelope)
        for entry in entries:
            uow.ledger.add(entry)
        balance = uow.ledger.balance(envelope.id)
        record(
            uow,
            clock,
            actor_id=cmd.actor_id,
            action="envelope.opened",
            subjects={"envelope": envelope.id},
            balances={envelope.id: (Balance(), balance)},
            details={
                "theme": envelope.theme,
                "year": str(envelope.year),
                "team": envelope.team or "",
                "allocation": str(cmd.allocation),
            },
        )
        answer = EnvelopeAnswer.of(envelope, balance)
        uow.commit()
    return answer


def adjust_envelope(cmd: AdjustEnvelope, uow: UnitOfWork, clock: Clock) -> EnvelopeAnswer:
    """Top up (amount > 0) or reduce (amount < 0); a reduction below what is available is refused."""
    with uow:
        acting(uow, cmd.actor_id, Act.MANAGE_ENVELOPES)
        envelope = existing(uow.envelopes.get_for_update(cmd.envelope_id), "envelope", cmd.envelope_id)
        before = uow.ledger.balance(envelope.id)
        entry = envelope.adjust(cmd.amount, cmd.reason, before, clock())
        uow.ledger.add(entry)
        after = before.after([entry])
        record(
            uow,
            clock,
            actor_id=cmd.actor_id,
            action="envelope.adjusted",
            subjects={"envelope": envelope.id, "ledger_entry": entry.id},
            balances={envelope.id: (before, after)},
            details={"amount": str(cmd.amount), "reason": entry.reason},
        )
        answer = EnvelopeAnswer.of(envelope, after)
        uow.commit()
    return answer


def transfer(cmd: TransferBetweenEnvelopes, uow: UnitOfWork, clock: Clock) -> TransferAnswer:
    """Both sides in one transaction; refused when the source would go below zero."""
    with uow:
        acting(uow, cmd.actor_id, Act.MANAGE_ENVELOPES)
        locked: dict[str, Envelope] = {}
        for envelope_id in sorted({cmd.from_envelope_id, cmd.to_envelope_id}):  # lock order: by id
            locked[envelope_id] = existing(uow.envelopes.get_for_update(envelope_id), "envelope", envelope_id)
        source, target = locked[cmd.from_envelope_id], locked[cmd.to_envelope_id]
        source_before = uow.ledger.balance(source.id)
        target_before = uow.ledger.balance(target.id)
        out, into = source.transfer_to(target, cmd.amount, cmd.reason, source_before, clock())
        uow.ledger.add(out)
        uow.ledger.add(into)
        source_after, target_after = source_before.after([out]), target_before.after([into])
        record(
            uow,
            clock,
            actor_id=cmd.actor_id,
            action="envelope.transferred",
            subjects={"from_envelope": source.id, "to_envelope": target.id, "transfer": str(out.transfer_id)},
            balances={source.id: (source_before, source_after), target.id: (target_before, target_after)},
            details={"amount": str(cmd.amount), "reason": out.reason},
        )
        answer = TransferAnswer(
            EnvelopeAnswer.of(source, source_after), EnvelopeAnswer.of(target, target_after)
        )
        uow.commit()
    return answer


def freeze_envelope(cmd: FreezeEnvelope, uow: UnitOfWork, clock: Clock) -> EnvelopeAnswer:
    """A frozen envelope takes no new holds or commitments: every request on it escalates."""
    return _set_frozen(cmd.actor_id, cmd.envelope_id, cmd.reason, True, uow, clock)


def unfreeze_envelope(cmd: UnfreezeEnvelope, uow: UnitOfWork, clock: Clock) -> EnvelopeAnswer:
    return _set_frozen(cmd.actor_id, cmd.envelope_id, cmd.reason, False, uow, clock)


def _set_frozen(
    actor_id: str, envelope_id: str, reason: str, frozen: bool, uow: UnitOfWork, clock: Clock
) -> EnvelopeAnswer:
    with uow:
        acting(uow, actor_id, Act.MANAGE_ENVELOPES)
        envelope = existing(uow.envelopes.get_for_update(envelope_id), "envelope", envelope_id)
        reason = envelope.freeze(reason) if frozen else envelope.unfreeze(reason)
        balance = uow.ledger.balance(envelope.id)
        record(
            uow,
            clock,
            actor_id=actor_id,
            action="envelope.frozen" if frozen else "envelope.unfrozen",
            subjects={"envelope": envelope.id},
            balances={envelope.id: (balance, balance)},
            details={"reason": reason},
        )
        answer = EnvelopeAnswer.of(envelope, balance)
        uow.commit()
    return answer
