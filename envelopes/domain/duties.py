"""Separation of duties, declared once and enforced by every use case (not only by the web layer).

- a caseworker cannot touch envelopes; finance cannot approve aid;
- the committee cannot edit envelopes or rules;
- nobody decides their own escalation; a caseworker acts only on the dossiers assigned to them;
- the admin manages users and has no aid or budget powers; the auditor only reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from types import MappingProxyType

from envelopes.domain.errors import Forbidden, NotAssigned, OwnRequest
from envelopes.domain.users import Role, User


class Act(Enum):
    MANAGE_ENVELOPES = "manage envelopes"
    OPEN_DOSSIERS = "open client dossiers"
    REASSIGN_DOSSIERS = "reassign client dossiers"
    REQUEST_AID = "request aid"
    DECIDE_ESCALATIONS = "decide escalated aid"
    CANCEL_AID = "cancel approved aid"
    REGISTER_POLICY = "register policy versions"
    MANAGE_USERS = "manage users"
    READ_LOG = "read the decision log"


#: Who may do what. One role per user, so this table is the whole of the separation of duties by role.
ALLOWED: Mapping[Act, frozenset[Role]] = MappingProxyType(
    {
        Act.MANAGE_ENVELOPES: frozenset({Role.FINANCE}),
        Act.OPEN_DOSSIERS: frozenset({Role.CASEWORKER}),
        # the current caseworker hands over; the admin moves the dossiers of someone who left
        Act.REASSIGN_DOSSIERS: frozenset({Role.CASEWORKER, Role.ADMIN}),
        Act.REQUEST_AID: frozenset({Role.CASEWORKER}),
        Act.DECIDE_ESCALATIONS: frozenset({Role.COMMITTEE}),
        Act.CANCEL_AID: frozenset({Role.CASEWORKER, Role.COMMITTEE}),
        Act.REGISTER_POLICY: frozenset({Role.POLICY}),
        Act.MANAGE_USERS: frozenset({Role.ADMIN}),
        Act.READ_LOG: frozenset({Role.AUDITOR, Role.ADMIN}),
    }
)


def authorize(user: User, act: Act) -> None:
    """Refuse a disabled user, or a role that may not do `act`."""
    if not user.active:
        raise Forbidden(f"user {user.id} is disabled")
    if user.role not in ALLOWED[act]:
        raise Forbidden(f"the role {user.role.value} may not {act.value}", figures={"role": user.role.value})


def require_assigned(user: User, caseworker_id: str) -> None:
    """A caseworker acts only on dossiers assigned to them (other roles are checked by `authorize`)."""
    if user.role is Role.CASEWORKER and user.id != caseworker_id:
        raise NotAssigned(f"this client dossier is not assigned to {user.id}")


def require_not_requester(user: User, submitters: Iterable[str]) -> None:
    """Nobody decides on, or undoes, aid they requested (or resubmitted) themselves."""
    if user.id in submitters:
        raise OwnRequest(f"{user.id} requested this aid and may not decide on it")
