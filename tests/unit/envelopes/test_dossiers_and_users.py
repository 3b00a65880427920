"""Client dossiers hold only what the rules need; users have one role and are disabled, never deleted."""

from __future__ import annotations

from datetime import date

import pytest

from envelopes.domain.dossiers import ClientDossier, NewMember
from envelopes.domain.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from envelopes.domain.users import Role, User
from rules.money import Money

TODAY = date(2026, 11, 23)


def dossier(*members: NewMember, reference: str = "OCMW-42") -> ClientDossier:
    return ClientDossier.open(reference=reference, caseworker_id="carla", members=members, today=TODAY)


def test_members_get_opaque_unique_keys() -> None:
    opened = dossier(NewMember(date(2018, 3, 1), "kind"), NewMember(date(2018, 3, 1), "kind"))
    keys = [m.key for m in opened.members]
    assert len(set(keys)) == 2
    assert all(len(key) == 32 and "2018" not in key for key in keys)
    assert opened.member(keys[1]).birth_date == date(2018, 3, 1)
    assert opened.caseworker_id == "carla"


def test_a_dossier_stores_nothing_but_reference_caseworker_and_members() -> None:
    assert set(vars(dossier(NewMember(date(2018, 3, 1))))) == {"id", "reference", "caseworker_id", "members"}


@pytest.mark.parametrize(
    ("reference", "members", "field"),
    [
        ("", (NewMember(date(2018, 3, 1)),), "reference"),
        ("naam met spaties", (NewMember(date(2018, 3, 1)),), "reference"),
        ("OCMW-42", (), "members"),
        ("OCMW-42", (NewMember(date(2026, 11, 24)),), "members[0].birth_date"),
        ("OCMW-42", (NewMember(date(2018, 3, 1), "kind van zus"),), "members[0].relation"),
        ("OCMW-42", tuple(NewMember(date(2000, 1, 1)) for _ in range(51)), "members"),
    ],
)
def test_a_dossier_refuses_what_it_must_not_or_cannot_hold(
    reference: str, members: tuple[NewMember, ...], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        dossier(*members, reference=reference)
    assert refused.value.field == field


def test_an_unknown_member_is_not_found() -> None:
    with pytest.raises(NotFound) as refused:
        dossier(NewMember(date(2018, 3, 1))).member("someone")
    assert refused.value.field == "beneficiary_key"


def test_reassignment_is_to_another_caseworker() -> None:
    opened = dossier(NewMember(date(2018, 3, 1)))
    opened.reassign("kees")
    assert opened.caseworker_id == "kees"
    with pytest.raises(InvalidTransition):
        opened.reassign("kees")


def test_a_user_has_one_role_and_can_be_disabled_once() -> None:
    user = User.new("carla", "Carla", Role.CASEWORKER, team="noord", mandate_ceiling=Money(10_000))
    assert (user.role, user.active, user.team) == (Role.CASEWORKER, True, "noord")
    user.change_role(Role.COMMITTEE)
    with pytest.raises(Conflict):
        user.change_role(Role.COMMITTEE)
    user.disable()
    assert not user.active
    with pytest.raises(Conflict):
        user.disable()


@pytest.mark.parametrize(
    ("user_id", "name", "ceiling", "field"),
    [
        ("Carla Peeters", "Carla", None, "user_id"),
        ("carla", " ", None, "name"),
        ("carla", "C", -1, "mandate_ceiling"),
    ],
)
def test_a_user_is_well_formed(user_id: str, name: str, ceiling: int | None, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        User.new(user_id, name, Role.CASEWORKER, mandate_ceiling=None if ceiling is None else Money(ceiling))
    assert refused.value.field == field


def test_the_system_actor_id_cannot_be_a_user() -> None:
    with pytest.raises(InvalidInput, match="reserved"):
        User.new("system", "Het systeem", Role.ADMIN)
