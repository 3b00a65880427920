"""The decision use case: gather the facts, decide with the policy in force on the date, write the request,
its ledger effect and one log entry in one transaction. A preview runs the same path and writes nothing."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from envelope_world import ADULT_BORN, CHILD_BORN, POLICY_FILES, REFERENCE, World, eur

from envelopes.domain.aid_requests import AidStatus
from envelopes.domain.dossiers import NewMember
from envelopes.domain.envelopes import EntryKind
from envelopes.domain.errors import (
    InvalidInput,
    InvalidTransition,
    NoEnvelope,
    NoPolicyInForce,
    NotFound,
)
from envelopes.domain.users import Role
from envelopes.services import (
    add_user,
    adjust_envelope,
    cancel_aid,
    committee_decide,
    create_dossier,
    freeze_envelope,
    open_envelope,
    preview_aid_request,
    register_policy_version,
    resubmit_aid_request,
)
from envelopes.services.commands import (
    AddUser,
    AdjustEnvelope,
    CancelAid,
    CommitteeDecision,
    CreateDossier,
    FreezeEnvelope,
    OpenEnvelope,
    RegisterPolicyVersion,
    ResubmitAidRequest,
    Ruling,
)


def rules_of(world: World, request_id: str) -> list[str]:
    return [reason.rule for reason in world.request(request_id).reasons]


def test_an_approved_request_commits_its_amount_at_once(world: World) -> None:
    commits = world.uow.commits
    answer = world.submit()
    assert (answer.status, answer.outcome, answer.reasons) == ("approved", "approve", ())
    assert (answer.approved_amount, answer.envelope_available) == (eur("45.00"), eur("955.00"))
    assert world.uow.commits == commits + 1
    [entry] = [e for e in world.state.ledger if e.aid_request_id == answer.request_id]
    assert (entry.kind, entry.amount, entry.envelope_id) == (
        EntryKind.COMMITMENT,
        eur("45.00"),
        world.kleding,
    )
    stored = world.request(answer.request_id)
    assert (stored.requested_by, stored.policy_version, stored.date) == (
        "carla",
        world.version,
        date(2026, 11, 23),
    )


def test_the_decision_takes_its_locks_in_order(world: World) -> None:
    world.submit()
    assert world.uow.locks == [("dossier", world.dossier), ("envelope", world.kleding), ("log_head", "")]


def test_the_log_entry_holds_the_derived_facts_and_no_identifiers(world: World) -> None:
    answer = world.submit(amount=eur("75.00"))
    entry = world.state.log[-1]
    assert (entry.action, entry.actor_id, entry.outcome, entry.policy_version) == (
        "aid.submitted", "carla", "escalate", world.version,
    )  # fmt: skip
    assert entry.subjects == {
        "aid_request": answer.request_id,
        "dossier": world.dossier,
        "beneficiary": world.child,
        "envelope": world.kleding,
    }
    assert entry.facts is not None
    assert (entry.facts["beneficiary_age"], entry.facts["amount"], entry.facts["household_size"]) == (
        8,
        "75.00",
        2,
    )
    assert entry.matched == ("kleding.winterschoenen.amount_per_request",)
    assert [reason["rule"] for reason in entry.reasons] == ["kleding.winterschoenen.amount_per_request"]
    assert entry.balances == {world.kleding: {"before": "1000.00", "after": "925.00"}}
    assert entry.details == {"amount": "75.00", "effect": "hold", "status": "escalated"}
    text = json.dumps(entry.to_json(), ensure_ascii=False)
    for identifier in (REFERENCE, CHILD_BORN.isoformat(), ADULT_BORN.isoformat(), "natte", "lekken"):
        assert identifier not in text


def test_an_escalated_request_holds_its_amount_when_the_envelope_covers_it(world: World) -> None:
    answer = world.submit(amount=eur("75.00"))
    assert (answer.status, answer.outcome, answer.held, answer.envelope_available) == (
        "escalated", "escalate", eur("75.00"), eur("925.00"),
    )  # fmt: skip
    assert [r.rule for r in answer.reasons] == ["kleding.winterschoenen.amount_per_request"]
    assert world.balance(world.kleding).held == eur("75.00")


def test_an_escalated_request_holds_nothing_when_the_envelope_cannot_cover_it(world: World) -> None:
    adjust_envelope(
        AdjustEnvelope("fien", world.kleding, eur("-960.00"), "besparing"), world.uow, world.clock
    )
    answer = world.submit(amount=eur("45.00"))
    assert (answer.status, answer.held, answer.envelope_available) == ("escalated", eur("0.00"), eur("40.00"))
    assert rules_of(world, answer.request_id) == ["general.envelope_cover"]
    assert world.state.log[-1].details["effect"] == "none"


def test_a_request_on_a_frozen_envelope_escalates_without_a_hold(world: World) -> None:
    freeze_envelope(FreezeEnvelope("fien", world.kleding, "controle"), world.uow, world.clock)
    answer = world.submit()
    assert (answer.status, answer.held) == ("escalated", eur("0.00"))
    assert rules_of(world, answer.request_id) == ["general.envelope_frozen"]
    assert world.evaluator.requests[-1].envelope.frozen


def test_every_reason_is_listed_not_the_first(world: World) -> None:
    answer = world.submit(beneficiary_key=world.adult, amount=eur("300.00"))
    assert [r.rule for r in answer.reasons] == [
        "kleding.winterschoenen.delegation",
        "kleding.winterschoenen.amount_per_request",
        "general.mandate_ceiling",
    ]


def test_the_household_beneficiary_envelope_and_ceiling_are_gathered(world: World) -> None:
    add_user(
        AddUser("ada", "nora", "Nora", Role.CASEWORKER, mandate_ceiling=eur("40.00")), world.uow, world.clock
    )
    dossier = create_dossier(
        CreateDossier("nora", "OCMW-7", (NewMember(CHILD_BORN),)), world.uow, world.clock
    )
    answer = world.submit("nora", dossier_id=dossier.dossier_id, beneficiary_key=dossier.member_keys[0])
    request = world.evaluator.requests[-1]
    assert request.caseworker is not None
    assert request.caseworker.mandate_ceiling == 4_000
    assert (request.envelope.available, request.envelope.frozen) == (100_000, False)
    assert [m.id for m in request.household.members] == list(dossier.member_keys)
    assert rules_of(world, answer.request_id) == ["general.mandate_ceiling"]


def test_the_history_is_the_approved_aid_of_the_household_since_the_policy_needs_it(world: World) -> None:
    open_envelope(OpenEnvelope("fien", "kleding", 2025, eur("500.00")), world.uow, world.clock)
    world.submit(date=date(2025, 12, 20))  # before the calendar year the policy counts
    cancelled = world.submit(date=date(2026, 3, 1))
    cancel_aid(CancelAid("carla", cancelled.request_id, "dubbel"), world.uow, world.clock)
    assert world.submit().status == "approved"  # neither earlier pair counts
    assert [h.date for h in world.evaluator.requests[-1].history] == []
    second = world.submit()
    assert [h.date for h in world.evaluator.requests[-1].history] == [date(2026, 11, 23)]
    assert rules_of(world, second.request_id) == [
        "kleding.winterschoenen.count_per_beneficiary_calendar_year"
    ]


def test_the_policy_version_in_force_on_the_request_date_decides(world: World) -> None:
    files = {**POLICY_FILES, "energie.yaml": "theme: energie\n"}
    later = register_policy_version(
        RegisterPolicyVersion("paul", files, date(2026, 12, 1)), world.uow, world.engine, world.clock
    ).version
    assert world.submit(item="energiefactuur", theme="energie").policy_version == world.version
    world.clock.now = datetime(2026, 12, 5, 9, tzinfo=UTC)
    assert world.submit(theme="energie", item="energiefactuur").policy_version == later
    dated = world.submit(theme="energie", item="energiefactuur", date=date(2026, 11, 30))
    assert dated.policy_version == world.version


def test_a_date_without_a_policy_in_force_is_refused(world: World) -> None:
    open_envelope(OpenEnvelope("fien", "kleding", 2023, eur("500.00")), world.uow, world.clock)
    with pytest.raises(NoPolicyInForce):
        world.submit(date=date(2023, 12, 31))


def test_a_theme_without_an_envelope_is_refused_and_changes_nothing(world: World) -> None:
    log = len(world.state.log)
    with pytest.raises(NoEnvelope) as refused:
        world.submit(theme="vrije_tijd", item="sportclub")
    assert (refused.value.status, refused.value.field) == (409, "theme")
    assert (len(world.state.log), len(world.state.requests)) == (log, 0)


def test_a_date_in_the_future_is_refused(world: World) -> None:
    with pytest.raises(InvalidInput) as refused:
        world.submit(date=date(2026, 11, 24))
    assert refused.value.field == "date"


def test_the_date_is_today_in_brussels(world: World) -> None:
    world.clock.now = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)  # 00:30 on the 24th in Brussels
    answer = world.submit()
    assert world.request(answer.request_id).date == date(2026, 11, 24)


def test_an_unknown_beneficiary_is_not_found(world: World) -> None:
    with pytest.raises(NotFound) as refused:
        world.submit(beneficiary_key="someone")
    assert refused.value.field == "beneficiary_key"


def test_an_item_no_file_names_escalates(world: World) -> None:
    answer = world.submit(item="regenjas")
    assert (answer.status, answer.held) == ("escalated", eur("45.00"))
    assert rules_of(world, answer.request_id) == ["general.unknown_item"]


def test_a_team_envelope_is_used_before_the_service_wide_one(world: World) -> None:
    add_user(AddUser("ada", "noor", "Noor", Role.CASEWORKER, team="noord"), world.uow, world.clock)
    team = open_envelope(
        OpenEnvelope("fien", "kleding", 2026, eur("100.00"), team="noord"), world.uow, world.clock
    )
    dossier = create_dossier(
        CreateDossier("noor", "OCMW-8", (NewMember(CHILD_BORN),)), world.uow, world.clock
    )
    answer = world.submit("noor", dossier_id=dossier.dossier_id, beneficiary_key=dossier.member_keys[0])
    assert answer.envelope_id == team.envelope_id
    assert world.submit().envelope_id == world.kleding


def test_a_preview_decides_like_a_submission_and_writes_nothing(world: World) -> None:
    before = world.state
    commits = world.uow.commits
    preview = preview_aid_request(world.ask(amount=eur("75.00")), world.uow, world.engine, world.clock)
    assert world.state is before  # the committed state was not replaced
    assert world.uow.commits == commits
    assert world.uow.locks == []
    assert (preview.outcome, preview.effect, preview.envelope_available) == (
        "escalate",
        "hold",
        eur("1000.00"),
    )
    assert preview.facts.beneficiary_age == 8
    submitted = world.submit(amount=eur("75.00"))
    assert (submitted.outcome, submitted.reasons, submitted.policy_version) == (
        preview.outcome, preview.reasons, preview.policy_version,
    )  # fmt: skip


def test_a_preview_tells_whether_a_commitment_or_a_hold_would_be_written(world: World) -> None:
    assert preview_aid_request(world.ask(), world.uow, world.engine, world.clock).effect == "commitment"
    adjust_envelope(AdjustEnvelope("fien", world.kleding, eur("-1000.00"), "leeg"), world.uow, world.clock)
    assert preview_aid_request(world.ask(), world.uow, world.engine, world.clock).effect == "none"


def returned(world: World, amount: str = "75.00") -> str:
    request_id = world.submit(amount=eur(amount)).request_id
    committee_decide(
        CommitteeDecision("cor", request_id, Ruling.RETURN, question="Welke maat?"), world.uow, world.clock
    )
    return request_id


def test_a_returned_request_is_decided_again_when_resubmitted(world: World) -> None:
    request_id = returned(world)
    assert world.balance(world.kleding).held == eur("75.00")
    commits = world.uow.commits
    answer = resubmit_aid_request(
        ResubmitAidRequest("carla", request_id, "Maat 34, goedkopere winkel", amount=eur("55.00")),
        world.uow,
        world.engine,
        world.clock,
    )
    assert (answer.status, answer.approved_amount, answer.envelope_available) == (
        "approved", eur("55.00"), eur("945.00"),
    )  # fmt: skip
    assert world.uow.commits == commits + 1
    assert world.evaluator.requests[-1].envelope.available == 100_000  # the hold was given back first
    kinds = [(e.kind, e.releases) for e in world.state.ledger if e.aid_request_id == request_id]
    assert kinds == [
        (EntryKind.HOLD, None),
        (EntryKind.RELEASE, EntryKind.HOLD),
        (EntryKind.COMMITMENT, None),
    ]
    assert world.actions()[-1] == "aid.resubmitted"
    assert world.state.log[-1].outcome == "approve"
    assert world.uow.locks[:3] == [
        ("aid_request", request_id),
        ("dossier", world.dossier),
        ("envelope", world.kleding),
    ]


def test_only_a_returned_request_can_be_resubmitted(world: World) -> None:
    request_id = world.submit().request_id
    log = len(world.state.log)
    with pytest.raises(InvalidTransition):
        resubmit_aid_request(
            ResubmitAidRequest("carla", request_id, "x"), world.uow, world.engine, world.clock
        )
    assert len(world.state.log) == log
    assert world.request(request_id).status is AidStatus.APPROVED


@pytest.mark.parametrize(
    ("change", "field"), [({"amount": eur("0.00")}, "amount"), ({"quantity": 1001}, "quantity")]
)
def test_a_malformed_request_is_refused_with_the_field_named_and_changes_nothing(
    world: World, change: dict[str, object], field: str
) -> None:
    log = len(world.state.log)
    with pytest.raises(InvalidInput) as refused:
        world.submit(**change)
    assert (refused.value.status, refused.value.field) == (422, field)
    assert (len(world.state.log), len(world.state.requests)) == (log, 0)
