"""A Hypothesis state machine over the real use cases, against a plain model (tests/integration/aid_model.py).

Steps: open envelopes; create dossiers; submit requests (items, amounts, beneficiaries, back-dated, with and
without idempotency keys, a reused key with another body) and retry them; committee rulings (approve that
amount or another, refuse, return, with and without a motivation); resubmit, withdraw, cancel; top-ups,
reductions, transfers, freezes; new policy versions (another mandate ceiling from a date); days passing.
Many steps are refused by the domain (not assigned, wrong state, not enough money, frozen, …): a refusal
must be the error the model predicts, and change nothing.

After every step: every envelope's figures (allocated, adjusted, transferred in and out, committed, held)
equal the model's and available ≥ 0; every request's status, hold and approved amount equal the model's; the
log verifies and holds exactly one entry per state change.

Runs on SQLite with the real rules engine and the demo policy, each example on a fresh copy of a seeded
file: 200 examples × 50 steps. And, 50 × 50, on the in-memory fakes the unit tests use, to show that they
behave as the database does. MANDAAT_LONG=1 runs 2000 × 100 on each, for nightly runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from envelopes import services as use
from envelopes.domain import errors
from envelopes.domain.dossiers import NewMember
from envelopes.domain.envelopes import Balance
from envelopes.services import commands as cmd
from envelopes.services.answers import AidAnswer
from rules.money import Money
from tests.integration.aid_model import ITEMS, OPEN, DossierModel, EnvelopeModel, Keyed, Refusal, RequestModel
from tests.integration.aid_worlds import (
    ADULT,
    BABY,
    CHILD,
    LAST_DAY,
    TEEN,
    Backend,
    FakeBackend,
    SqliteBackend,
    Tally,
    World,
    head,
    policy_files,
    run,
    shared_engine,
    verified,
)

ENGINE = shared_engine()

PICK = st.integers(0, 10**6)  # an index into what exists, taken modulo its length
EDGES = [1, 45_00, 60_00, 60_01, 100_00, 150_00, 250_00, 250_01, 400_00]
AMOUNT = st.sampled_from(EDGES) | st.integers(1, 600_00)
SMALL = st.sampled_from([5_00, 20_00, 45_00, 60_00, 99_99]) | st.integers(1, 120_00)
FITTING = st.sampled_from([True] * 5 + [False])  # pick among the requests in a state the act needs
WHO = st.sampled_from(["own"] * 5 + ["other", "committee"])  # the dossier's caseworker, the other one, cor
STATES = {"committee": ("escalated",), "resubmit": ("returned",), "withdraw": OPEN, "cancel": ("approved",)}


class AidMachine(RuleBasedStateMachine):
    backend: ClassVar[Backend]
    tally: ClassVar[Tally]

    def __init__(self) -> None:
        super().__init__()
        self.world: World = self.backend.world()
        self.model = self.backend.seeded.model()
        self.tally.examples += 1

    def teardown(self) -> None:
        self.world.close()

    def act(self, refusal: Refusal, act: Callable[[], Any]) -> Any:
        """Run a use case: refused with the predicted error, changing nothing; or done, with one log entry."""
        if refusal is None:
            self.model.log_entries += 1
            return act()
        before = head(self.world)
        with pytest.raises(errors.DomainError) as caught:
            act()
        assert type(caught.value) is refusal, f"{type(caught.value).__name__}: {caught.value.message}"
        assert head(self.world) == before
        self.tally.refused += 1
        return None

    def envelope(self, pick: int) -> tuple[str, EnvelopeModel]:
        envelope_id = list(self.model.envelopes)[pick % len(self.model.envelopes)]
        return envelope_id, self.model.envelopes[envelope_id]

    def request(self, pick: int, fitting: bool, act: str) -> tuple[str, RequestModel]:
        ids = [rid for rid, r in self.model.requests.items() if r.status in STATES[act]] if fitting else []
        ids = ids or list(self.model.requests)
        return ids[pick % len(ids)], self.model.requests[ids[pick % len(ids)]]

    def actor(self, request: RequestModel, who: str) -> str:
        own = self.model.dossiers[request.dossier].caseworker
        return {"own": own, "other": "kees" if own == "carla" else "carla", "committee": "cor"}[who]

    def agrees(self, answer: AidAnswer, request: RequestModel) -> None:
        assert (answer.status, answer.held.cents) == (request.status, request.held)
        assert answer.approved_amount == (None if request.approved is None else Money(request.approved))
        assert answer.envelope_available.cents == self.model.envelopes[request.envelope].available
        assert not answer.replayed

    # --- finance -------------------------------------------------------------------------------------------

    @rule(
        act=st.sampled_from(["open", "adjust", "adjust", "transfer", "freeze"]),
        pick=PICK,
        other=PICK,
        amount=st.integers(-500_00, 2000_00),
        theme=st.sampled_from(["kleding", "energie", "gezondheid"]),
        year=st.sampled_from([2026, 2027]),
        by_the_book=st.sampled_from([True, True, True, False]),
    )
    def finance(
        self, act: str, pick: int, other: int, amount: int, theme: str, year: int, by_the_book: bool
    ) -> None:
        """Finance's acts, as one rule so that they do not crowd out the life of the requests."""
        if act == "open":
            self.open_envelope(theme, year, max(amount, 0), "fien" if by_the_book else "carla")
        elif act == "adjust":
            self.top_up_or_reduce(pick, amount)
        elif act == "transfer":
            self.transfer(pick, other, amount)
        else:
            self.freeze_or_unfreeze(pick, by_the_book)

    def open_envelope(self, theme: str, year: int, allocation: int, actor: str) -> None:
        refusal = errors.Forbidden if actor != "fien" else None
        if refusal is None and self.model.envelope_for(theme, year) is not None:
            refusal = errors.AlreadyExists
        opening = cmd.OpenEnvelope(actor, theme, year, Money(allocation))
        answer = self.act(refusal, lambda: use.open_envelope(opening, self.world.uow(), self.world.clock))
        if answer is not None:
            self.model.envelopes[answer.envelope_id] = EnvelopeModel(theme, year)
            self.model.envelopes[answer.envelope_id].figures["allocated"] = allocation

    def top_up_or_reduce(self, pick: int, amount: int) -> None:
        envelope_id, envelope = self.envelope(pick)
        refusal = errors.InvalidInput if amount == 0 else None
        if amount < 0 and envelope.available + amount < 0:
            refusal = errors.InsufficientFunds
        change = cmd.AdjustEnvelope("fien", envelope_id, Money(amount), "Bijsturing.")
        if self.act(refusal, lambda: use.adjust_envelope(change, self.world.uow(), self.world.clock)):
            envelope.figures["adjusted"] += amount

    def transfer(self, giving: int, taking: int, amount: int) -> None:
        (from_id, giver), (to_id, taker) = self.envelope(giving), self.envelope(taking)
        refusal = errors.InvalidInput if from_id == to_id or giver.year != taker.year or amount <= 0 else None
        if refusal is None and giver.available < amount:
            refusal = errors.InsufficientFunds
        moving = cmd.TransferBetweenEnvelopes("fien", from_id, to_id, Money(amount), "Herverdeling.")
        if self.act(refusal, lambda: use.transfer(moving, self.world.uow(), self.world.clock)):
            giver.figures["transferred_out"] += amount
            taker.figures["transferred_in"] += amount

    def freeze_or_unfreeze(self, pick: int, toggle: bool) -> None:
        """Freeze an open envelope or unfreeze a frozen one (`toggle`); or try it the wrong way round."""
        envelope_id, envelope = self.envelope(pick)
        freeze = envelope.frozen != toggle
        refusal = None if toggle else errors.InvalidTransition
        if freeze:
            freezing = cmd.FreezeEnvelope("fien", envelope_id, "Controle.")
            answer = self.act(
                refusal, lambda: use.freeze_envelope(freezing, self.world.uow(), self.world.clock)
            )
        else:
            thawing = cmd.UnfreezeEnvelope("fien", envelope_id, "Controle klaar.")
            answer = self.act(
                refusal, lambda: use.unfreeze_envelope(thawing, self.world.uow(), self.world.clock)
            )
        if answer is not None:
            envelope.frozen = freeze

    # --- dossiers and requests -----------------------------------------------------------------------------

    @rule(caseworker=st.sampled_from(["carla", "kees"]),
          reference=st.sampled_from(["OCMW-1", "R-1", "R-2", "R-3", "R-4"]),
          births=st.lists(st.sampled_from([CHILD, TEEN, ADULT, BABY]), min_size=1, max_size=3))  # fmt: skip
    def create_dossier(self, caseworker: str, reference: str, births: list[Any]) -> None:
        refusal = errors.AlreadyExists if reference in self.model.references else None
        opening = cmd.CreateDossier(caseworker, reference, tuple(NewMember(born) for born in births))
        answer = self.act(refusal, lambda: use.create_dossier(opening, self.world.uow(), self.world.clock))
        if answer is not None:
            self.model.dossiers[answer.dossier_id] = DossierModel(
                caseworker, dict(zip(answer.member_keys, births, strict=True))
            )
            self.model.references.add(reference)

    @rule(
        dossier=PICK,
        member=PICK,
        item=st.integers(0, len(ITEMS) - 1),
        amount=AMOUNT,
        key=st.sampled_from([None, None, "k0", "k1", "k2"]),
        days_back=st.sampled_from([0, 0, 0, 1, 7, 40, 400]),
        by_another=st.sampled_from([False, False, False, False, True]),
    )
    def submit(self, dossier: int, member: int, item: int, amount: int, key: str | None, days_back: int,
               by_another: bool) -> None:  # fmt: skip
        caseworker, dossier_id, member_key = self.member(dossier, member)
        actor = {"carla": "kees", "kees": "carla"}[caseworker] if by_another else caseworker
        asked = None if days_back == 0 else self.world.clock.day - timedelta(days=days_back)
        money, why = Money(amount), "Dringend nodig."
        self.ask(cmd.SubmitAidRequest(actor, dossier_id, member_key, *ITEMS[item], money, why, 1, asked, key))

    @rule(dossier=PICK, member=PICK, item=st.integers(0, 3), amount=SMALL)
    def submit_within_mandate(self, dossier: int, member: int, item: int, amount: int) -> None:
        caseworker, dossier_id, member_key = self.member(dossier, member)
        self.ask(
            cmd.SubmitAidRequest(caseworker, dossier_id, member_key, *ITEMS[item], Money(amount), "Nodig.")
        )

    def member(self, dossier: int, member: int) -> tuple[str, str, str]:
        """A dossier's caseworker, the dossier, one of its members."""
        dossier_id = list(self.model.dossiers)[dossier % len(self.model.dossiers)]
        household = self.model.dossiers[dossier_id]
        return household.caseworker, dossier_id, list(household.members)[member % len(household.members)]

    @precondition(lambda self: self.model.requests)
    @rule(pick=PICK, amount=SMALL | AMOUNT)
    def submit_again(self, pick: int, amount: int) -> None:
        """The same item for the same beneficiary once more: what the windowed counts and sums are about."""
        earlier = list(self.model.requests.values())[pick % len(self.model.requests)]
        caseworker = self.model.dossiers[earlier.dossier].caseworker
        item = (earlier.theme, earlier.item)
        self.ask(
            cmd.SubmitAidRequest(
                caseworker, earlier.dossier, earlier.beneficiary, *item, Money(amount), "Opnieuw."
            )
        )

    def ask(self, command: cmd.SubmitAidRequest) -> None:
        act = lambda: use.submit_aid_request(command, self.world.uow(), ENGINE, self.world.clock)  # noqa: E731
        key = command.idempotency_key
        stored = None if key is None else self.model.keys.get((command.actor_id, key))
        if stored is not None:
            if stored.command.normalized_body() != command.normalized_body():
                return self.act(errors.IdempotencyKeyReused, act)
            return self.retried(stored)
        day = command.date or self.world.clock.day
        envelope_id = self.model.envelope_for(command.theme, day.year)
        if self.model.dossiers[command.dossier_id].caseworker != command.actor_id:
            return self.act(errors.NotAssigned, act)
        if envelope_id is None:
            return self.act(errors.NoEnvelope, act)
        request = RequestModel(command.dossier_id, command.beneficiary_key, envelope_id, command.theme,
                               command.item, command.amount.cents, day)  # fmt: skip
        approves = self.model.approves(request, self.model.envelopes[envelope_id].available)
        answer = self.act(None, act)
        self.model.requests[answer.request_id] = request
        self.model.take(request, approves)
        self.agrees(answer, request)
        assert bool(answer.reasons) != approves  # an escalation gives its reasons; an approval has none
        self.tally.submitted, self.tally.approved = self.tally.submitted + 1, self.tally.approved + approves
        if key is not None:
            self.model.keys[(command.actor_id, key)] = Keyed(command, answer)

    @precondition(lambda self: self.model.keys)
    @rule(pick=PICK)
    def retry(self, pick: int) -> None:
        self.retried(list(self.model.keys.values())[pick % len(self.model.keys)])

    def retried(self, stored: Keyed) -> None:
        """The same key and body again: the first answer, and nothing written."""
        answer = use.submit_aid_request(stored.command, self.world.uow(), ENGINE, self.world.clock)
        assert answer == replace(stored.answer, replayed=True)
        self.tally.replayed += 1

    # --- the committee and what follows --------------------------------------------------------------------

    @precondition(lambda self: self.model.requests)
    @rule(
        pick=PICK,
        fitting=FITTING,
        member=st.sampled_from(["cor", "cato", "cor", "cato", "cor", "cato", "fien"]),
        ruling=st.sampled_from(["approve", "approve", "refuse", "return", "return"]),
        other=st.none() | AMOUNT,
        motivated=st.sampled_from([True, True, True, False]),
    )
    def committee(
        self, pick: int, fitting: bool, member: str, ruling: str, other: int | None, motivated: bool
    ) -> None:
        request_id, request = self.request(pick, fitting, "committee")
        amount = request.amount if other is None or ruling != "approve" else other
        motivation = "Motivering van het comité." if motivated else ""
        asked = Money(amount) if other and ruling == "approve" else None
        question = "Welk bedrag precies?"
        decision = cmd.CommitteeDecision(member, request_id, cmd.Ruling(ruling), asked, motivation, question)
        refusal = self.model.ruling_refused(request, member, ruling, amount, motivation)
        answer = self.act(refusal, lambda: use.committee_decide(decision, self.world.uow(), self.world.clock))
        if answer is not None:
            self.model.rule(request, member, ruling, amount)
            self.agrees(answer, request)

    @precondition(lambda self: self.model.requests)
    @rule(pick=PICK, fitting=FITTING, who=WHO, amount=st.none() | AMOUNT)
    def resubmit(self, pick: int, fitting: bool, who: str, amount: int | None) -> None:
        request_id, request = self.request(pick, fitting, "resubmit")
        actor = self.actor(request, who)
        again = cmd.ResubmitAidRequest(
            actor, request_id, "Het antwoord.", None if amount is None else Money(amount)
        )
        refusal = self.model.caseworker_refused(request, actor, STATES["resubmit"])
        answer = self.act(
            refusal, lambda: use.resubmit_aid_request(again, self.world.uow(), ENGINE, self.world.clock)
        )
        if answer is not None:
            available = self.model.envelopes[request.envelope].available + request.held
            self.model.release_hold(request)
            request.decided_by = None  # a resubmission is decided anew
            request.amount = request.amount if amount is None else amount
            self.model.take(request, self.model.approves(request, available))
            self.agrees(answer, request)

    @precondition(lambda self: self.model.requests)
    @rule(pick=PICK, fitting=FITTING, who=WHO)
    def withdraw(self, pick: int, fitting: bool, who: str) -> None:
        request_id, request = self.request(pick, fitting, "withdraw")
        withdrawal = cmd.WithdrawAidRequest(self.actor(request, who), request_id, "Niet meer nodig.")
        refusal = self.model.caseworker_refused(request, withdrawal.actor_id, STATES["withdraw"])
        answer = self.act(
            refusal, lambda: use.withdraw_aid_request(withdrawal, self.world.uow(), self.world.clock)
        )
        if answer is not None:
            self.model.release_hold(request)
            request.status = "withdrawn"
            self.agrees(answer, request)

    @precondition(lambda self: self.model.requests)
    @rule(pick=PICK, fitting=FITTING, who=WHO)
    def cancel(self, pick: int, fitting: bool, who: str) -> None:
        request_id, request = self.request(pick, fitting, "cancel")
        cancelling = cmd.CancelAid(self.actor(request, who), request_id, "Dubbel aangevraagd.")
        refusal = self.model.cancel_refused(request, cancelling.actor_id)
        answer = self.act(refusal, lambda: use.cancel_aid(cancelling, self.world.uow(), self.world.clock))
        if answer is not None:
            self.model.cancel(request)
            assert answer.status == "cancelled"
            assert answer.envelope_available.cents == self.model.envelopes[request.envelope].available

    # --- policy and time -----------------------------------------------------------------------------------

    @rule(ceiling=st.sampled_from([250_00, 100_00, 400_00]), offset=st.integers(-1, 30))
    def register_policy_version(self, ceiling: int, offset: int) -> None:
        effective = self.world.clock.day + timedelta(days=offset)
        refusal = errors.AlreadyExists if effective in self.model.ceilings else None
        if refusal is None and offset < 0:
            refusal = errors.InvalidInput
        version = cmd.RegisterPolicyVersion("paul", policy_files(ceiling), effective)
        if self.act(
            refusal, lambda: use.register_policy_version(version, self.world.uow(), ENGINE, self.world.clock)
        ):
            self.model.ceilings[effective] = ceiling

    @precondition(lambda self: self.world.clock.day < LAST_DAY)
    @rule(days=st.integers(1, 30))
    def days_pass(self, days: int) -> None:
        self.world.clock.advance(min(days, (LAST_DAY - self.world.clock.day).days))

    # --- after every step ----------------------------------------------------------------------------------

    @invariant()
    def database_agrees_with_the_model(self) -> None:
        self.tally.checks += 1
        seen = self.world.observe()
        assert seen.frozen == {eid: envelope.frozen for eid, envelope in self.model.envelopes.items()}
        for envelope_id, envelope in self.model.envelopes.items():
            assert seen.balances.get(envelope_id, Balance()) == envelope.balance(), envelope_id
            assert envelope.available >= 0
        assert seen.requests == {rid: request.state() for rid, request in self.model.requests.items()}
        verification = verified(self.world)
        assert verification.ok, verification.problem
        assert verification.checked == seen.head.sequence == self.model.log_entries


def test_the_use_cases_keep_the_model_on_sqlite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(AidMachine, SqliteBackend(tmp_path, ENGINE), 200, 50, capsys)


def test_the_fakes_keep_the_model_too(capsys: pytest.CaptureFixture[str]) -> None:
    run(AidMachine, FakeBackend(ENGINE), 50, 50, capsys)
