"""The seeded world the use-case tests share (see conftest.py for how it is built)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from envelope_fake_engine import FakeEvaluator
from envelope_fakes import FakeClock, FakeState, FakeUnitOfWork

from envelopes.domain.aid_requests import AidRequest
from envelopes.domain.envelopes import Balance
from envelopes.services import submit_aid_request
from envelopes.services.answers import AidAnswer
from envelopes.services.commands import SubmitAidRequest
from envelopes.services.engine import DecisionEngine
from rules.money import Money

TODAY = date(2026, 11, 23)
CHILD_BORN = date(2018, 3, 1)
ADULT_BORN = date(1985, 6, 15)
REFERENCE = "OCMW-2026-0042"
POLICY_FILES = {"algemeen.yaml": "general:\n  title: {nl: Algemeen}\n", "kleding.yaml": "theme: kleding\n"}


def eur(text: str) -> Money:
    return Money.parse(text)


@dataclass
class World:
    uow: FakeUnitOfWork
    clock: FakeClock
    engine: DecisionEngine
    evaluator: FakeEvaluator
    version: str
    kleding: str
    energie: str
    huisvesting: str
    dossier: str
    child: str
    adult: str
    other_dossier: str
    other_child: str

    @property
    def state(self) -> FakeState:
        return self.uow.db.state

    def ask(self, actor: str = "carla", **changes: Any) -> SubmitAidRequest:
        """Winter shoes for Carla's eight-year-old, € 45,00, unless changed."""
        base = SubmitAidRequest(
            actor_id=actor,
            dossier_id=self.dossier,
            beneficiary_key=self.child,
            theme="kleding",
            item="winterschoenen",
            amount=eur("45.00"),
            justification="Warme, waterdichte winterschoenen: de oude lekken.",
        )
        return replace(base, **changes)

    def submit(self, actor: str = "carla", **changes: Any) -> AidAnswer:
        return submit_aid_request(self.ask(actor, **changes), self.uow, self.engine, self.clock)

    def balance(self, envelope_id: str) -> Balance:
        return Balance.of(e for e in self.state.ledger if e.envelope_id == envelope_id)

    def request(self, request_id: str) -> AidRequest:
        return self.state.requests[request_id]

    def actions(self) -> list[str]:
        return [entry.action for entry in self.state.log]
