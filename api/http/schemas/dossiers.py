"""Client dossiers: the case-file reference and the household members (an opaque id, a birth date, a
relation). Personal data: only in bodies, never in a URL."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from api.http.schemas.common import Body, Id, IsoDate, Line, Public
from envelopes.domain.dossiers import ClientDossier, NewMember

Reference = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_./:-]{1,64}$", examples=["MA-2026-0042"])
]
Relation = Annotated[str, Field(pattern=r"^[a-z][a-z_]{0,31}$", examples=["kind"])]


class MemberCreate(Body):
    birth_date: IsoDate
    relation: Relation | None = None


class DossierCreate(Body):
    reference: Reference = Field(description="the municipality's case-file reference")
    members: list[MemberCreate] = Field(min_length=1, max_length=50)

    def new_members(self) -> tuple[NewMember, ...]:
        return tuple(NewMember(member.birth_date, member.relation) for member in self.members)


class DossierLookup(Body):
    reference: Reference


class DossierReassign(Body):
    caseworker_id: Line = Field(description="the caseworker who takes over")


class MemberPublic(Public):
    id: Id = Field(description="the member's opaque id: the beneficiary_id of an aid request")
    birth_date: date
    relation: str | None


class DossierPublic(Public):
    id: Id
    reference: str
    caseworker_id: str
    members: list[MemberPublic]

    @classmethod
    def of(cls, dossier: ClientDossier) -> DossierPublic:
        return cls(
            id=dossier.id,
            reference=dossier.reference,
            caseworker_id=dossier.caseworker_id,
            members=[
                MemberPublic(id=m.key, birth_date=m.birth_date, relation=m.relation) for m in dossier.members
            ],
        )


class DossierAssignmentPublic(Public):
    """Which caseworker a dossier is assigned to: the answer to a handover, without the household (handing a
    dossier over, or moving it, is no reason to read it)."""

    id: Id
    caseworker_id: str
