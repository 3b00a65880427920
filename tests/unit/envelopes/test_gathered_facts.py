"""The facts the decision use case gathers into the engine's DecisionRequest."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from envelopes.domain.aid_requests import AidRequest, AidStatus
from envelopes.domain.dossiers import ClientDossier, NewMember
from envelopes.domain.errors import InvalidInput
from envelopes.domain.facts import decision_request
from envelopes.domain.users import Role, User
from rules.decision import Outcome
from rules.money import Money
from rules.request import DecisionRequest

DAY = date(2026, 11, 23)


def family() -> ClientDossier:
    members = (NewMember(date(2018, 3, 1), "kind"), NewMember(date(1985, 6, 15), "aanvrager"))
    return ClientDossier.open(reference="OCMW-42", caseworker_id="carla", members=members, today=DAY)


def earlier(dossier: ClientDossier, status: AidStatus, amount: int = 4_000) -> AidRequest:
    return AidRequest(
        id="r1", dossier_id=dossier.id, beneficiary_key=dossier.members[0].key, envelope_id="e",
        theme="kleding", item="winterschoenen", amount=Money(amount), quantity=1, date=date(2026, 2, 1),
        justification="x", requested_by="carla", status=status, outcome=Outcome.APPROVE, reasons=(),
        policy_version="v", approved_amount=Money(amount),
    )  # fmt: skip


def gather(dossier: ClientDossier, **changes: Any) -> DecisionRequest:
    arguments: dict[str, Any] = {
        "day": DAY,
        "theme": "kleding",
        "item": "winterschoenen",
        "amount": Money(4_500),
        "quantity": 1,
        "dossier": dossier,
        "beneficiary_key": dossier.members[0].key,
        "history": [],
        "available": Money(100_000),
        "frozen": False,
        "caseworker": User.new("carla", "Carla", Role.CASEWORKER),
    }
    arguments.update(changes)
    return decision_request(**arguments)


def test_the_request_carries_household_beneficiary_envelope_and_dossier() -> None:
    dossier = family()
    request = gather(dossier, frozen=True, available=Money(1_234))
    assert request.date == DAY
    assert request.amount == 4_500
    assert request.beneficiary.id == dossier.members[0].key
    assert request.beneficiary.birth_date == date(2018, 3, 1)
    assert request.beneficiary.relation == "kind"
    assert request.household.id == request.dossier_id == dossier.id
    assert [m.id for m in request.household.members] == [m.key for m in dossier.members]
    assert (request.envelope.available, request.envelope.frozen) == (1_234, True)
    assert request.caseworker is None
    assert request.household.income_band is None


def test_the_history_is_the_approved_aid_only() -> None:
    dossier = family()
    approved = earlier(dossier, AidStatus.APPROVED)
    history = [approved, replace(approved, id="r2", status=AidStatus.CANCELLED)]
    request = gather(dossier, history=history)
    assert [(h.date, h.item, h.amount, h.beneficiary_id) for h in request.history] == [
        (date(2026, 2, 1), "winterschoenen", 4_000, dossier.members[0].key)
    ]


def test_the_caseworker_s_own_ceiling_is_passed() -> None:
    own = User.new("carla", "Carla", Role.CASEWORKER, mandate_ceiling=Money(10_000))
    assert gather(family(), caseworker=own).caseworker.mandate_ceiling == 10_000


def test_a_beneficiary_born_after_the_request_date_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        gather(family(), day=date(2018, 2, 1))
    assert refused.value.field == "date"


def test_what_the_engine_refuses_names_the_field_of_the_command() -> None:
    with pytest.raises(InvalidInput) as refused:
        gather(family(), item="x" * 65)
    assert refused.value.field == "item"
