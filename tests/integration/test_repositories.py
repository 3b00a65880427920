"""Every domain object goes into the database and comes back equal, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType

import pytest
from sqlalchemy.exc import IntegrityError

from envelopes.domain.aid_requests import AidRequest, AidStatus
from envelopes.domain.dossiers import ClientDossier, HouseholdMember, NewMember
from envelopes.domain.envelopes import Balance, EntryKind, Envelope, LedgerEntry
from envelopes.domain.idempotency import IdempotencyRecord
from envelopes.domain.ids import new_id
from envelopes.domain.log import Anchor, chain, verify
from envelopes.domain.policies import PolicyVersion
from envelopes.domain.users import Role, User
from rules.decision import Outcome, Reason
from rules.money import Money
from tests.integration.conftest import UowFactory

AT = datetime(2026, 11, 23, 10, 15, 0, 123456, tzinfo=UTC)
VERSION = "a" * 64


def eur(text: str) -> Money:
    return Money.parse(text)


def add_caseworker_and_dossier(new_uow: UowFactory) -> ClientDossier:
    dossier = ClientDossier.open(
        reference="OCMW-2026-0042",
        caseworker_id="carla",
        members=[
            NewMember(date(2018, 3, 1), "kind"),
            NewMember(date(1985, 6, 15)),
            NewMember(date(2020, 1, 2)),
        ],
        today=date(2026, 11, 23),
    )
    with new_uow() as uow:
        uow.users.add(
            User.new("carla", "Carla", Role.CASEWORKER, team="noord", mandate_ceiling=eur("200.00"))
        )
        uow.users.add(User.new("cor", "Cor", Role.COMMITTEE))
        uow.dossiers.add(dossier)
        uow.commit()
    return dossier


def aid_request(dossier: ClientDossier, envelope: Envelope, **changes: object) -> AidRequest:
    reason = Reason(
        rule="kleding.winterschoenen.bedrag",
        text_nl="€ 75,00 is meer dan het maximum van € 60,00 per paar winterschoenen",
        text_en="€75.00 is more than the maximum of €60.00 per pair of winter shoes",
        basis="OCMW-raad 12 maart 2024",
        figures=MappingProxyType({"amount": "75.00", "maximum": "60.00"}),
    )
    values: dict[str, object] = {
        "id": new_id(),
        "dossier_id": dossier.id,
        "beneficiary_key": dossier.members[0].key,
        "envelope_id": envelope.id,
        "theme": "kleding",
        "item": "winterschoenen",
        "amount": eur("75.00"),
        "quantity": 1,
        "date": date(2026, 11, 20),
        "justification": "Warme, waterdichte winterschoenen.",
        "requested_by": "carla",
        "status": AidStatus.ESCALATED,
        "outcome": Outcome.ESCALATE,
        "reasons": (reason,),
        "policy_version": VERSION,
        "held": eur("75.00"),
    }
    values.update(changes)
    return AidRequest(**values)  # type: ignore[arg-type]


def open_envelope(new_uow: UowFactory, theme: str = "kleding", team: str | None = None) -> Envelope:
    envelope, entries = Envelope.open(theme=theme, year=2026, team=team, allocation=eur("1000.00"), at=AT)
    with new_uow() as uow:
        uow.envelopes.add(envelope)
        for entry in entries:
            uow.ledger.add(entry)
        uow.commit()
    return envelope


def test_envelopes_round_trip_and_changes_in_place_are_written(new_uow: UowFactory) -> None:
    service_wide = open_envelope(new_uow)
    team = open_envelope(new_uow, team="noord")
    with new_uow() as uow:
        assert uow.envelopes.get(service_wide.id) == service_wide
        assert uow.envelopes.find("kleding", 2026, None) == service_wide
        assert uow.envelopes.find("kleding", 2026, "noord") == team
        assert uow.envelopes.find("kleding", 2026, "zuid") is None
        assert uow.envelopes.in_year(2026) == [service_wide, team]
        assert uow.envelopes.in_year(2027) == []
        locked = uow.envelopes.get_for_update(team.id)
        assert locked is not None
        locked.freeze("audit")
        uow.commit()
    with new_uow() as uow:
        assert uow.envelopes.get(team.id) == Envelope(team.id, "kleding", 2026, "noord", True, "audit")


@pytest.mark.parametrize("team", [None, "noord"])
def test_one_envelope_per_theme_year_and_team_also_service_wide(
    new_uow: UowFactory, team: str | None
) -> None:
    open_envelope(new_uow, team=team)
    with pytest.raises(IntegrityError):
        open_envelope(new_uow, team=team)
    open_envelope(new_uow, team="zuid")  # another team, or the service-wide one, is fine
    open_envelope(new_uow, theme="energie", team=team)


def test_ledger_entries_round_trip_and_the_sql_balance_equals_the_domains(new_uow: UowFactory) -> None:
    envelope, other = open_envelope(new_uow), open_envelope(new_uow, theme="energie")
    dossier = add_caseworker_and_dossier(new_uow)
    aid = aid_request(dossier, envelope)
    with new_uow() as uow:
        before = uow.ledger.balance(envelope.id)
        out, into = envelope.transfer_to(other, eur("120.00"), "herverdeling", before, AT)
        entries = [
            envelope.adjust(eur("-30.50"), "besparing", before, AT),
            envelope.adjust(eur("99.99"), "bijstorting", before, AT),
            out,
            LedgerEntry(new_id(), envelope.id, EntryKind.HOLD, eur("75.00"), AT, "", aid.id),
            LedgerEntry(
                new_id(), envelope.id, EntryKind.RELEASE, eur("75.00"), AT, "ok", aid.id, EntryKind.HOLD
            ),
            LedgerEntry(new_id(), envelope.id, EntryKind.COMMITMENT, eur("60.00"), AT, "", aid.id),
            LedgerEntry(new_id(), envelope.id, EntryKind.COMMITMENT, eur("10.00"), AT, "", aid.id),
            LedgerEntry(
                new_id(), envelope.id, EntryKind.RELEASE, eur("10.00"), AT, "x", aid.id, EntryKind.COMMITMENT
            ),
            LedgerEntry(
                new_id(), envelope.id, EntryKind.HOLD, eur("5.01"), AT + timedelta(hours=2), "", aid.id
            ),
        ]
        for entry in entries[:3]:  # the ledger entries come before their aid request (a deferred foreign key)
            uow.ledger.add(entry)
        uow.requests.add(aid)
        for entry in [*entries[3:], into]:
            uow.ledger.add(entry)
        uow.commit()
    with new_uow() as uow:
        stored = uow.ledger.entries_for(envelope.id)
        assert stored[1:] == entries  # oldest first; [0] is the allocation
        assert stored[0].kind is EntryKind.ALLOCATION
        assert uow.ledger.balance(envelope.id) == Balance.of(stored)
        assert uow.ledger.balance(envelope.id).available == eur("884.48")
        assert uow.ledger.entries_for(other.id)[1] == into
        assert uow.ledger.balance(other.id) == Balance.of(uow.ledger.entries_for(other.id))
        assert uow.ledger.balance(new_id()) == Balance()


def test_dossiers_round_trip_with_their_members_in_order(new_uow: UowFactory) -> None:
    dossier = add_caseworker_and_dossier(new_uow)
    with new_uow() as uow:
        assert uow.dossiers.get(dossier.id) == dossier
        assert uow.dossiers.find_by_reference("OCMW-2026-0042") == dossier
        assert uow.dossiers.find_by_reference("OCMW-2026-0043") is None
        uow.users.add(User.new("kees", "Kees", Role.CASEWORKER))
        locked = uow.dossiers.get_for_update(dossier.id)
        assert locked is not None
        locked.reassign("kees")
        locked.members = (*locked.members, HouseholdMember(new_id(), date(2024, 5, 5), "kind"))
        uow.commit()
    with new_uow() as uow:
        again = uow.dossiers.get(dossier.id)
        assert again is not None
        assert again.caseworker_id == "kees"
        assert again.members[:3] == dossier.members
        assert again.members[3].birth_date == date(2024, 5, 5)


def test_aid_requests_round_trip_and_the_queries_see_changes_made_in_this_transaction(
    new_uow: UowFactory,
) -> None:
    envelope, dossier = open_envelope(new_uow), add_caseworker_and_dossier(new_uow)
    escalated = aid_request(dossier, envelope, date=date(2026, 11, 2))
    approved = aid_request(
        dossier,
        envelope,
        status=AidStatus.APPROVED,
        outcome=Outcome.APPROVE,
        reasons=(),
        approved_amount=eur("75.00"),
        held=Money(0),
        date=date(2026, 1, 5),
        decided_by="cor",
        motivation="akkoord",
    )
    with new_uow() as uow:
        uow.requests.add(escalated)
        uow.requests.add(approved)
        uow.commit()
    with new_uow() as uow:
        assert uow.requests.get(escalated.id) == escalated
        assert uow.requests.get(approved.id) == approved
        assert uow.requests.with_status(AidStatus.ESCALATED) == [escalated]
        assert uow.requests.approved_for_dossier(dossier.id, date(2026, 1, 1)) == [approved]
        assert uow.requests.approved_for_dossier(dossier.id, date(2026, 1, 6)) == []
        locked = uow.requests.get_for_update(escalated.id)
        assert locked is not None
        locked.approve_by_committee(eur("60.00"), by="cor", motivation="het maximum")
        assert uow.requests.get(escalated.id) is locked  # one object per row in a unit of work
        assert uow.requests.with_status(AidStatus.ESCALATED) == []  # the change is seen before the commit
        uow.commit()
    with new_uow() as uow:
        stored = uow.requests.get(escalated.id)
        assert stored is not None
        assert (stored.status, stored.approved_amount, stored.held) == (
            AidStatus.APPROVED,
            eur("60.00"),
            Money(0),
        )
        assert stored.reasons == escalated.reasons
        assert uow.requests.approved_for_dossier(dossier.id, date(2026, 1, 1)) == [approved, stored]


def test_users_round_trip(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        assert uow.users.count() == 0
        uow.users.add(
            User.new("carla", "Carla", Role.CASEWORKER, team="noord", mandate_ceiling=eur("200.00"))
        )
        uow.users.add(User.new("ada", "Ada", Role.ADMIN))
        uow.commit()
    with new_uow() as uow:
        assert uow.users.get("carla") == User("carla", "Carla", Role.CASEWORKER, True, "noord", eur("200.00"))
        assert uow.users.count() == 2
        ada = uow.users.get("ada")
        assert ada is not None
        ada.change_role(Role.AUDITOR)
        ada.disable()
        uow.commit()
    with new_uow() as uow:
        assert uow.users.get("ada") == User("ada", "Ada", Role.AUDITOR, False)
        assert uow.users.get("nobody") is None


def test_log_entries_and_the_anchor_round_trip_and_verify(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        assert uow.log.head() == Anchor.empty()
        head = uow.log.lock_head()
        assert head == Anchor.empty()
        written = []
        for number in range(3):
            entry = chain(
                head,
                recorded_at="2026-11-23T10:15:00.000000+00:00",
                actor_id="carla",
                action="aid.submitted",
                subjects={"aid_request": new_id(), "envelope": new_id()},
                outcome="escalate" if number else None,
                facts={"amount": "75.00", "usage": {"x": 1}, "frozen": False} if number else None,
                policy_version=VERSION if number else None,
                matched=("a.b", "c.d") if number else (),
                reasons=[{"rule": "a.b", "text_nl": "té veel €", "figures": {"n": "1"}}] if number else [],
                balances={"e1": {"before": "10.00", "after": "0.00"}},
                details={"amount": "75.00"},
            )
            uow.log.add(entry)
            uow.log.set_head(entry.anchor)
            written.append(entry)
            head = entry.anchor
        uow.commit()
    with new_uow() as uow:
        stored = list(uow.log.entries())
        assert stored == written
        assert [entry.sequence for entry in uow.log.entries(after=1)] == [2, 3]
        assert uow.log.head() == written[-1].anchor
        assert verify(stored, uow.log.head()).ok


def test_policy_versions_round_trip_by_date_and_by_content(new_uow: UowFactory) -> None:
    files = {"algemeen.yaml": "general: {}\n", "kleding.yaml": "theme: kleding  # één\n"}
    first = PolicyVersion.register(
        [],
        version=VERSION,
        effective_from=date(2024, 1, 1),
        files=files,
        today=date(2026, 1, 1),
        by="paul",
        at=AT,
    )
    second = PolicyVersion.register(
        [first],
        version="b" * 64,
        effective_from=date(2027, 1, 1),
        files={"x.yaml": "y"},
        today=date(2026, 1, 1),
        by="paul",
        at=AT,
    )
    again = PolicyVersion.register(  # the first content takes effect again: its files are stored once
        [first, second],
        version=VERSION,
        effective_from=date(2028, 1, 1),
        files=files,
        today=date(2026, 1, 1),
        by="paul",
        at=AT,
    )
    with new_uow() as uow:
        for version in (second, again, first):
            uow.policies.add(version)
        uow.commit()
    with new_uow() as uow:
        assert uow.policies.all() == [first, second, again]
        assert uow.policies.get(VERSION) == first
        assert uow.policies.get("c" * 64) is None
        assert uow.policies.in_force_on(date(2023, 12, 31)) is None
        assert uow.policies.in_force_on(date(2026, 12, 31)) == first
        assert uow.policies.in_force_on(date(2027, 1, 1)) == second
        assert uow.policies.in_force_on(date(2030, 1, 1)) == again
    with new_uow() as uow, pytest.raises(IntegrityError):  # one version per effective date
        uow.policies.add(PolicyVersion(VERSION, date(2024, 1, 1), first.files, "paul", AT))


def test_idempotency_records_round_trip(new_uow: UowFactory) -> None:
    record = IdempotencyRecord("carla", "key-1", "f" * 64, {"status": "approved", "reasons": [], "n": 2}, AT)
    with new_uow() as uow:
        uow.idempotency.add(record)
        uow.idempotency.add(IdempotencyRecord("kees", "key-1", "e" * 64, {}, AT))  # the key is per actor
        uow.commit()
    with new_uow() as uow:
        assert uow.idempotency.get("carla", "key-1") == record
        assert uow.idempotency.get("carla", "key-2") is None
