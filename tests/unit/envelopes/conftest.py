"""A small seeded world for the use-case tests, built through the use cases themselves.

Users: ada (admin), fien (finance), carla and kees (caseworkers), cor and cato (committee), paul (policy),
otto (auditor). Today is 2026-11-23 in Brussels. Envelopes for 2026: kleding € 1.000,00, energie € 500,00,
huisvesting € 2.000,00. Carla's dossier: a child born 2018-03-01 and an adult; Kees's dossier: one child.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from envelope_fake_engine import FakeEvaluator, fake_engine
from envelope_fakes import FakeClock, FakeUnitOfWork
from envelope_world import ADULT_BORN, CHILD_BORN, POLICY_FILES, REFERENCE, World, eur

from envelopes.domain.dossiers import NewMember
from envelopes.domain.users import Role
from envelopes.services import (
    add_user,
    bootstrap_admin,
    create_dossier,
    open_envelope,
    register_policy_version,
)
from envelopes.services.commands import (
    AddUser,
    BootstrapAdmin,
    CreateDossier,
    OpenEnvelope,
    RegisterPolicyVersion,
)
from envelopes.services.engine import DecisionEngine


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def evaluator() -> FakeEvaluator:
    return FakeEvaluator()


@pytest.fixture
def engine(evaluator: FakeEvaluator) -> DecisionEngine:
    return fake_engine(evaluator)


@pytest.fixture
def world(uow: FakeUnitOfWork, clock: FakeClock, engine: DecisionEngine, evaluator: FakeEvaluator) -> World:
    bootstrap_admin(BootstrapAdmin("ada", "Ada Beheer"), uow, clock)
    for user_id, role in [
        ("fien", Role.FINANCE),
        ("carla", Role.CASEWORKER),
        ("kees", Role.CASEWORKER),
        ("cor", Role.COMMITTEE),
        ("cato", Role.COMMITTEE),
        ("paul", Role.POLICY),
        ("otto", Role.AUDITOR),
    ]:
        add_user(AddUser("ada", user_id, user_id.title(), role), uow, clock)
    version = register_policy_version(
        RegisterPolicyVersion("paul", POLICY_FILES, date(2024, 1, 1)), uow, engine, clock
    ).version
    envelopes = {
        theme: open_envelope(OpenEnvelope("fien", theme, 2026, eur(amount)), uow, clock).envelope_id
        for theme, amount in [("kleding", "1000.00"), ("energie", "500.00"), ("huisvesting", "2000.00")]
    }
    family = create_dossier(
        CreateDossier(
            "carla", REFERENCE, (NewMember(CHILD_BORN, "kind"), NewMember(ADULT_BORN, "aanvrager"))
        ),
        uow,
        clock,
    )
    other = create_dossier(
        CreateDossier("kees", "OCMW-2026-0077", (NewMember(CHILD_BORN, "kind"),)), uow, clock
    )
    evaluator.requests.clear()
    return World(
        uow=uow,
        clock=clock,
        engine=engine,
        evaluator=evaluator,
        version=version,
        kleding=envelopes["kleding"],
        energie=envelopes["energie"],
        huisvesting=envelopes["huisvesting"],
        dossier=family.dossier_id,
        child=family.member_keys[0],
        adult=family.member_keys[1],
        other_dossier=other.dossier_id,
        other_child=other.member_keys[0],
    )
