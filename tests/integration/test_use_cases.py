"""The use cases on a real database: an escalation with its hold, a retry, a committee ruling, a preview and
`log verify` in read-only units of work — the states the SQL adapter writes, read back by plain SQL."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from envelopes.domain.errors import IdempotencyKeyReused
from envelopes.domain.users import Role
from envelopes.persistence.unit_of_work import SqlUnitOfWork
from envelopes.services import (
    add_user,
    committee_decide,
    preview_aid_request,
    submit_aid_request,
    verify_log,
)
from envelopes.services.commands import AddUser, CommitteeDecision, Ruling
from envelopes.services.common import utc_now
from rules.money import Money
from tests.integration.aid_world import count, ledger_figures, seed
from tests.integration.conftest import UowFactory


def test_escalate_retry_rule_preview_and_verify(
    new_uow: UowFactory, engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    world = seed(new_uow, caseworkers=["an"], dossiers_each=2, energie=Money(500_00), kleding=Money(0))
    add_user(AddUser("ada", "cor", "Cor", Role.COMMITTEE), new_uow(), utc_now)
    first, second = world.households
    big_bill = world.energy_bill(first, Money(300_00), key="bill-1")

    escalated = submit_aid_request(big_bill, new_uow(), world.engine, utc_now)
    assert (escalated.status, escalated.held) == ("escalated", Money(300_00))  # above the € 250,00 mandate
    assert [reason.rule for reason in escalated.reasons] == ["general.mandate_ceiling"]
    again = submit_aid_request(big_bill, new_uow(), world.engine, utc_now)
    assert again == replace(escalated, replayed=True)
    with pytest.raises(IdempotencyKeyReused):
        submit_aid_request(replace(big_bill, amount=Money(299_00)), new_uow(), world.engine, utc_now)

    read_only = SqlUnitOfWork(session_factory, read_only=True)
    preview = preview_aid_request(world.energy_bill(second, Money(100_00)), read_only, world.engine, utc_now)
    assert (preview.outcome, preview.effect, preview.envelope_available) == (
        "approve",
        "commitment",
        Money(200_00),
    )

    ruled = committee_decide(
        CommitteeDecision("cor", escalated.request_id, Ruling.APPROVE, Money(250_00), "het mandaatplafond"),
        new_uow(),
        utc_now,
    )
    assert (ruled.status, ruled.approved_amount, ruled.held) == ("approved", Money(250_00), Money(0))
    approved = submit_aid_request(world.energy_bill(second, Money(100_00)), new_uow(), world.engine, utc_now)
    assert approved.status == "approved"

    figures = ledger_figures(engine, world.energie)
    assert (figures.committed, figures.held, figures.available) == (350_00, 0, 150_00)
    assert count(engine, "aid_requests") == 2
    verification = verify_log(SqlUnitOfWork(session_factory, read_only=True))
    assert verification.ok, verification.problem
    assert verification.checked == count(engine, "log_entries")
