"""Users of Mandaat: each has exactly one role, and can be disabled (never deleted: the log names them)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from envelopes.domain.errors import Conflict, InvalidInput
from envelopes.domain.text import required_text
from rules.money import Money

_USER_ID = re.compile(r"^[a-z0-9][a-z0-9_.@-]{0,63}$")


class Role(Enum):
    CASEWORKER = "caseworker"  # maatschappelijk assistent
    FINANCE = "finance"  # financiële dienst
    COMMITTEE = "committee"  # Bijzonder Comité voor de Sociale Dienst
    POLICY = "policy"  # beleidsmedewerker
    AUDITOR = "auditor"  # interne controle
    ADMIN = "admin"  # beheerder


#: Actor ids that are not users: the installation itself (e.g. the first policy version).
RESERVED_IDS = frozenset({"system"})


@dataclass
class User:
    id: str  # the login name, lower case
    name: str
    role: Role
    active: bool = True
    team: str | None = None  # a caseworker's team: its envelopes are used before the service-wide ones
    mandate_ceiling: Money | None = None  # a caseworker's own ceiling, when lower than the policy's

    @classmethod
    def new(
        cls,
        user_id: str,
        name: str,
        role: Role,
        *,
        team: str | None = None,
        mandate_ceiling: Money | None = None,
    ) -> User:
        if not _USER_ID.fullmatch(user_id):
            raise InvalidInput(
                f'"{user_id}" is not a user id: lower-case letters, digits and _ . @ -, at most 64',
                field="user_id",
            )
        if user_id in RESERVED_IDS:
            raise InvalidInput(f'"{user_id}" is reserved for the installation itself', field="user_id")
        if mandate_ceiling is not None and mandate_ceiling.cents < 0:
            raise InvalidInput("mandate_ceiling cannot be negative", field="mandate_ceiling")
        return cls(
            id=user_id,
            name=required_text(name, "name", lines=False, max_length=200),
            role=role,
            team=None if team is None else required_text(team, "team", lines=False, max_length=64),
            mandate_ceiling=mandate_ceiling,
        )

    def change_role(self, role: Role) -> None:
        if role is self.role:
            raise Conflict(f"user {self.id} already has the role {role.value}", field="role")
        self.role = role

    def disable(self) -> None:
        if not self.active:
            raise Conflict(f"user {self.id} is already disabled")
        self.active = False
