"""Separation of duties, enforced by the use cases themselves: one test per rule of DESIGN.md."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from envelope_world import POLICY_FILES, World, eur

from envelopes.domain.dossiers import NewMember
from envelopes.domain.duties import ALLOWED, Act
from envelopes.domain.errors import Forbidden, InvalidInput
from envelopes.domain.users import Role
from envelopes.services import (
    add_user,
    adjust_envelope,
    cancel_aid,
    committee_decide,
    create_dossier,
    disable_user,
    freeze_envelope,
    open_envelope,
    preview_aid_request,
    reassign_dossier,
    register_policy_version,
    resubmit_aid_request,
    set_role,
    transfer,
    unfreeze_envelope,
    withdraw_aid_request,
)
from envelopes.services.commands import (
    AddUser,
    AdjustEnvelope,
    CancelAid,
    CommitteeDecision,
    CreateDossier,
    DisableUser,
    FreezeEnvelope,
    OpenEnvelope,
    ReassignDossier,
    RegisterPolicyVersion,
    ResubmitAidRequest,
    Ruling,
    SetRole,
    TransferBetweenEnvelopes,
    UnfreezeEnvelope,
    WithdrawAidRequest,
)

UseCase = Callable[[World, str], object]


def escalated(world: World) -> str:
    return world.submit(amount=eur("75.00")).request_id


def returned(world: World) -> str:
    request_id = escalated(world)
    committee_decide(
        CommitteeDecision("cor", request_id, Ruling.RETURN, question="?"), world.uow, world.clock
    )
    return request_id


def approved(world: World) -> str:
    return world.submit(theme="energie", item="energiefactuur").request_id


def frozen(world: World) -> str:
    if not world.state.envelopes[world.kleding].frozen:
        freeze_envelope(FreezeEnvelope("fien", world.kleding, "x"), world.uow, world.clock)
    return world.kleding


ENVELOPE_USE_CASES: dict[str, UseCase] = {
    "open_envelope": lambda w, a: open_envelope(
        OpenEnvelope(a, "onderwijs", 2026, eur("1.00")), w.uow, w.clock
    ),
    "adjust_envelope": lambda w, a: adjust_envelope(
        AdjustEnvelope(a, w.kleding, eur("1.00"), "x"), w.uow, w.clock
    ),
    "transfer": lambda w, a: transfer(
        TransferBetweenEnvelopes(a, w.kleding, w.energie, eur("1.00"), "x"), w.uow, w.clock
    ),
    "freeze_envelope": lambda w, a: freeze_envelope(FreezeEnvelope(a, w.kleding, "x"), w.uow, w.clock),
    "unfreeze_envelope": lambda w, a: unfreeze_envelope(UnfreezeEnvelope(a, frozen(w), "x"), w.uow, w.clock),
}
AID_USE_CASES: dict[str, UseCase] = {
    "submit_aid_request": lambda w, a: w.submit(a),
    "preview_aid_request": lambda w, a: preview_aid_request(w.ask(a), w.uow, w.engine, w.clock),
    "resubmit_aid_request": lambda w, a: resubmit_aid_request(
        ResubmitAidRequest(a, returned(w), "x"), w.uow, w.engine, w.clock
    ),
    "withdraw_aid_request": lambda w, a: withdraw_aid_request(
        WithdrawAidRequest(a, escalated(w)), w.uow, w.clock
    ),
    "cancel_aid": lambda w, a: cancel_aid(CancelAid(a, approved(w), "x"), w.uow, w.clock),
    "create_dossier": lambda w, a: create_dossier(
        CreateDossier(a, "OCMW-99", (NewMember(date(2018, 3, 1)),)), w.uow, w.clock
    ),
}
COMMITTEE_USE_CASES: dict[str, UseCase] = {
    "committee_decide": lambda w, a: committee_decide(
        CommitteeDecision(a, escalated(w), Ruling.REFUSE, motivation="x"), w.uow, w.clock
    ),
}
POLICY_USE_CASES: dict[str, UseCase] = {
    "register_policy_version": lambda w, a: register_policy_version(
        RegisterPolicyVersion(a, {**POLICY_FILES, "x.yaml": "x: 1\n"}, date(2027, 1, 1)),
        w.uow,
        w.engine,
        w.clock,
    ),
}
USER_USE_CASES: dict[str, UseCase] = {
    "add_user": lambda w, a: add_user(AddUser(a, "nieuw", "Nieuw", Role.CASEWORKER), w.uow, w.clock),
    "set_role": lambda w, a: set_role(SetRole(a, "kees", Role.FINANCE), w.uow, w.clock),
    "disable_user": lambda w, a: disable_user(DisableUser(a, "kees"), w.uow, w.clock),
}
WRITES = {
    **ENVELOPE_USE_CASES,
    **AID_USE_CASES,
    **COMMITTEE_USE_CASES,
    **POLICY_USE_CASES,
    **USER_USE_CASES,
    "reassign_dossier": lambda w, a: reassign_dossier(ReassignDossier(a, w.dossier, "kees"), w.uow, w.clock),
}


def refused(world: World, use_case: UseCase, actor: str) -> Forbidden:
    with pytest.raises(Forbidden) as caught:
        use_case(world, actor)
    assert caught.value.status == 403
    return caught.value


def test_the_duties_are_declared_once() -> None:
    assert {act: {role.value for role in roles} for act, roles in ALLOWED.items()} == {
        Act.MANAGE_ENVELOPES: {"finance"},
        Act.OPEN_DOSSIERS: {"caseworker"},
        Act.REASSIGN_DOSSIERS: {"caseworker", "admin"},
        Act.REQUEST_AID: {"caseworker"},
        Act.DECIDE_ESCALATIONS: {"committee"},
        Act.CANCEL_AID: {"caseworker", "committee"},
        Act.REGISTER_POLICY: {"policy"},
        Act.MANAGE_USERS: {"admin"},
        Act.READ_LOG: {"auditor", "admin"},
    }


@pytest.mark.parametrize("use_case", list(ENVELOPE_USE_CASES))
def test_a_caseworker_cannot_touch_envelopes(world: World, use_case: str) -> None:
    log = len(world.state.log)
    refused(world, ENVELOPE_USE_CASES[use_case], "carla")
    ENVELOPE_USE_CASES[use_case](world, "fien")  # finance can
    assert len(world.state.log) > log


@pytest.mark.parametrize("use_case", [*COMMITTEE_USE_CASES, "submit_aid_request", "cancel_aid"])
def test_finance_cannot_approve_aid(world: World, use_case: str) -> None:
    refused(world, {**COMMITTEE_USE_CASES, **AID_USE_CASES}[use_case], "fien")


def test_finance_cannot_approve_an_escalation(world: World) -> None:
    request_id = escalated(world)
    refused(
        world,
        lambda w, a: committee_decide(CommitteeDecision(a, request_id, Ruling.APPROVE), w.uow, w.clock),
        "fien",
    )


@pytest.mark.parametrize("use_case", [*ENVELOPE_USE_CASES, *POLICY_USE_CASES])
def test_the_committee_cannot_edit_envelopes_or_rules(world: World, use_case: str) -> None:
    refused(world, {**ENVELOPE_USE_CASES, **POLICY_USE_CASES}[use_case], "cor")


def test_nobody_decides_their_own_escalation(world: World) -> None:
    request_id = escalated(world)  # requested by carla
    set_role(SetRole("ada", "carla", Role.COMMITTEE), world.uow, world.clock)  # carla joins the committee
    error = refused(
        world,
        lambda w, a: committee_decide(CommitteeDecision(a, request_id, Ruling.APPROVE), w.uow, w.clock),
        "carla",
    )
    assert "requested" in error.message
    refused(world, lambda w, a: cancel_aid(CancelAid(a, request_id, "x"), w.uow, w.clock), "carla")
    committee_decide(CommitteeDecision("cato", request_id, Ruling.APPROVE), world.uow, world.clock)


def test_whoever_resubmitted_a_request_does_not_decide_it_either(world: World) -> None:
    request_id = returned(world)  # requested by carla, returned by the committee
    reassign_dossier(ReassignDossier("carla", world.dossier, "kees"), world.uow, world.clock)
    resubmit_aid_request(
        ResubmitAidRequest("kees", request_id, "antwoord"), world.uow, world.engine, world.clock
    )
    set_role(SetRole("ada", "kees", Role.COMMITTEE), world.uow, world.clock)  # kees joins the committee
    error = refused(
        world,
        lambda w, a: committee_decide(CommitteeDecision(a, request_id, Ruling.APPROVE), w.uow, w.clock),
        "kees",
    )
    assert error.code == "own_request"
    set_role(SetRole("ada", "carla", Role.COMMITTEE), world.uow, world.clock)  # the first requester neither
    refused(
        world,
        lambda w, a: committee_decide(CommitteeDecision(a, request_id, Ruling.APPROVE), w.uow, w.clock),
        "carla",
    )
    committee_decide(CommitteeDecision("cato", request_id, Ruling.APPROVE), world.uow, world.clock)


@pytest.mark.parametrize("use_case", [u for u in AID_USE_CASES if u != "create_dossier"])
def test_a_caseworker_acts_only_on_dossiers_assigned_to_them(world: World, use_case: str) -> None:
    error = refused(world, AID_USE_CASES[use_case], "kees")  # every request here is on Carla's dossier
    assert "not assigned" in error.message
    AID_USE_CASES[use_case](world, "carla")


def test_a_caseworker_reassigns_only_their_own_dossiers(world: World) -> None:
    refused(
        world, lambda w, a: reassign_dossier(ReassignDossier(a, w.dossier, "kees"), w.uow, w.clock), "kees"
    )
    answer = reassign_dossier(ReassignDossier("carla", world.dossier, "kees"), world.uow, world.clock)
    assert answer.caseworker_id == "kees"
    assert world.state.log[-1].details == {"from": "carla", "to": "kees"}
    refused(world, lambda w, a: w.submit(a), "carla")  # no longer hers
    assert world.submit("kees").status == "approved"


def test_a_dossier_goes_to_an_active_caseworker_only(world: World) -> None:
    for target in ("cor", "nobody"):
        with pytest.raises(InvalidInput) as error:
            reassign_dossier(ReassignDossier("carla", world.dossier, target), world.uow, world.clock)
        assert error.value.field == "caseworker_id"
    disable_user(DisableUser("ada", "kees"), world.uow, world.clock)
    with pytest.raises(InvalidInput):
        reassign_dossier(ReassignDossier("carla", world.dossier, "kees"), world.uow, world.clock)


def test_the_admin_moves_the_dossiers_of_someone_who_left(world: World) -> None:
    disable_user(DisableUser("ada", "carla"), world.uow, world.clock)
    assert (
        reassign_dossier(ReassignDossier("ada", world.dossier, "kees"), world.uow, world.clock).caseworker_id
        == "kees"
    )


@pytest.mark.parametrize(
    "use_case", [*ENVELOPE_USE_CASES, *AID_USE_CASES, *COMMITTEE_USE_CASES, *POLICY_USE_CASES]
)
def test_the_admin_has_no_aid_or_budget_powers(world: World, use_case: str) -> None:
    refused(world, WRITES[use_case], "ada")


def test_the_admin_cannot_give_themselves_another_role_or_lock_themselves_out(world: World) -> None:
    refused(world, lambda w, a: set_role(SetRole(a, a, Role.FINANCE), w.uow, w.clock), "ada")
    refused(world, lambda w, a: disable_user(DisableUser(a, a), w.uow, w.clock), "ada")


@pytest.mark.parametrize("use_case", list(WRITES))
def test_the_auditor_only_reads(world: World, use_case: str) -> None:
    refused(world, WRITES[use_case], "otto")


@pytest.mark.parametrize("use_case", list(USER_USE_CASES))
def test_only_the_admin_manages_users(world: World, use_case: str) -> None:
    for actor in ("carla", "fien", "cor", "paul", "otto"):
        refused(world, USER_USE_CASES[use_case], actor)
    USER_USE_CASES[use_case](world, "ada")


def test_a_disabled_user_can_do_nothing(world: World) -> None:
    disable_user(DisableUser("ada", "fien"), world.uow, world.clock)
    error = refused(world, ENVELOPE_USE_CASES["adjust_envelope"], "fien")
    assert "disabled" in error.message


def test_an_unknown_actor_can_do_nothing(world: World) -> None:
    refused(world, ENVELOPE_USE_CASES["adjust_envelope"], "mallory")


def test_a_refusal_changes_nothing(world: World) -> None:
    before = (len(world.state.log), len(world.state.ledger), world.uow.commits)
    refused(world, ENVELOPE_USE_CASES["transfer"], "carla")
    assert (len(world.state.log), len(world.state.ledger), world.uow.commits) == before


def test_aid_approved_on_resubmission_is_cancelled_by_its_caseworker(world: World) -> None:
    """A return is a ruling on the old request; what the engine approves afterwards is the caseworker's."""
    request_id = returned(world)
    answer = resubmit_aid_request(
        ResubmitAidRequest("carla", request_id, "Goedkoper gevonden.", eur("50.00")),
        world.uow,
        world.engine,
        world.clock,
    )
    assert answer.status == "approved"
    cancel_aid(CancelAid("carla", request_id, "Dubbel ingegeven."), world.uow, world.clock)
