"""Signing in, and who is signed in."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.http.schemas.common import Figure, Public
from envelopes.domain.users import Role, User


class TokenPublic(Public):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (RFC 6750)
    expires_in: int = Field(description="seconds")


class MePublic(Public):
    id: str
    name: str
    role: Role
    team: str | None
    mandate_ceiling: Figure | None

    @classmethod
    def of(cls, user: User) -> MePublic:
        ceiling = None if user.mandate_ceiling is None else str(user.mandate_ceiling)
        return cls(id=user.id, name=user.name, role=user.role, team=user.team, mandate_ceiling=ceiling)
