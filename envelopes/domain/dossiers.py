"""Client dossiers: one client, one caseworker.

A dossier holds only what the rules need: the municipality's case-file reference (to find the dossier again;
it never enters the decision log), and the household members with an opaque key, a birth date and a relation.
No national register numbers, no names, no free-text diagnoses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from envelopes.domain.errors import InvalidInput, InvalidTransition, NotFound
from envelopes.domain.ids import new_id
from envelopes.domain.text import required_text

_REFERENCE = re.compile(r"^[A-Za-z0-9_./:-]{1,64}$")
_RELATION = re.compile(r"^[a-z][a-z_]{0,31}$")
MAX_MEMBERS = 50


@dataclass(frozen=True)
class NewMember:
    """A household member as the caseworker enters it; the dossier gives it an opaque key."""

    birth_date: date
    relation: str | None = None  # e.g. "aanvrager", "partner", "kind"


@dataclass(frozen=True)
class HouseholdMember:
    key: str  # opaque, given by Mandaat; the beneficiary of an aid request is named by it
    birth_date: date
    relation: str | None = None


@dataclass
class ClientDossier:
    id: str
    reference: str  # the municipality's case-file reference
    caseworker_id: str
    members: tuple[HouseholdMember, ...]

    @classmethod
    def open(
        cls, *, reference: str, caseworker_id: str, members: Sequence[NewMember], today: date
    ) -> ClientDossier:
        reference = reference.strip()
        if not _REFERENCE.fullmatch(reference):
            raise InvalidInput(
                "the case-file reference is 1-64 letters, digits and _ . / : -", field="reference"
            )
        if not 1 <= len(members) <= MAX_MEMBERS:
            raise InvalidInput(f"a household has 1 to {MAX_MEMBERS} members", field="members")
        household = []
        for index, member in enumerate(members):
            if member.birth_date > today:
                raise InvalidInput(
                    "a birth date cannot be in the future", field=f"members[{index}].birth_date"
                )
            relation = None if member.relation is None else member.relation.strip().lower()
            if relation is not None and not _RELATION.fullmatch(relation):
                raise InvalidInput(
                    "a relation is one lower-case word such as kind or partner",
                    field=f"members[{index}].relation",
                )
            household.append(HouseholdMember(key=new_id(), birth_date=member.birth_date, relation=relation))
        return cls(
            id=new_id(),
            reference=reference,
            caseworker_id=required_text(caseworker_id, "caseworker_id", lines=False),
            members=tuple(household),
        )

    def member(self, key: str) -> HouseholdMember:
        for member in self.members:
            if member.key == key:
                return member
        raise NotFound(f"{key} is not a member of this household", field="beneficiary_key")

    def reassign(self, caseworker_id: str) -> None:
        """Hand the dossier to another caseworker (an explicit act; checked and logged by the use case)."""
        if caseworker_id == self.caseworker_id:
            raise InvalidTransition(f"the dossier is already assigned to {caseworker_id}")
        self.caseworker_id = caseworker_id
