"""The dependencies every endpoint declares: the wired services, the signed-in user, and the roles allowed.

Roles are declared here, once, and appear in the endpoint signatures (`user: Caseworker`). The roles that may
act come from the domain's separation of duties (`envelopes.domain.duties.ALLOWED`), so the API and the use
cases can never disagree; the use cases check again, with the actor id they receive. Who may read what is
declared below (`READERS`).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from types import MappingProxyType
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.security import OAuth2PasswordBearer

from api.auth.errors import NotAuthenticated, RoleNotAllowed
from api.composition import Mandaat
from api.http.blocking import run_blocking
from envelopes.domain.duties import ALLOWED, Act
from envelopes.domain.users import Role, User

TOKEN_URL = "/api/v1/auth/token"  # noqa: S105 (a path)
_bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


# The dependencies that only look at what is in memory are `async def`: FastAPI runs those in the event loop,
# while each plain `def` one costs a trip to the thread pool and back. The account check awaits its one trip.
# The graph is kept flat (a role's dependency authenticates itself rather than depending on `current_user`):
# FastAPI spends tens of microseconds on every dependency it solves, on every request.


def mandaat_of(request: Request) -> Mandaat:
    mandaat: Mandaat = request.app.state.mandaat
    return mandaat


async def get_mandaat(request: Request) -> Mandaat:
    return mandaat_of(request)


Services = Annotated[Mandaat, Depends(get_mandaat)]
BearerToken = Annotated[str | None, Depends(_bearer)]


async def _authenticated(request: Request, token: str | None) -> User:
    """The active user behind the bearer token, loaded from the database on every request."""
    if not token:
        raise NotAuthenticated("missing")
    user = await run_blocking(mandaat_of(request).access.principal, token)
    request.state.user_id = user.id
    return user


async def current_user(request: Request, token: BearerToken) -> User:
    """Any signed-in user."""
    return await _authenticated(request, token)


CurrentUser = Annotated[User, Depends(current_user)]


def _allowing(roles: frozenset[Role]) -> Callable[[Request, str | None], Coroutine[Any, Any, User]]:
    ordered = sorted(role.value for role in roles)

    async def check(request: Request, token: BearerToken) -> User:
        user = await _authenticated(request, token)
        if user.role not in roles:
            raise RoleNotAllowed(user.role.value, ordered)
        return user

    return check


def may(act: Act) -> Callable[[Request, str | None], Coroutine[Any, Any, User]]:
    """Only the roles the separation of duties allows to do `act`."""
    return _allowing(ALLOWED[act])


#: Who may read what (nobody changes anything by reading; the log and the ledger hold no personal data).
READERS: Mapping[str, frozenset[Role]] = MappingProxyType(
    {
        # client dossiers and aid requests: personal data. A caseworker sees their own; the committee all.
        "cases": frozenset({Role.CASEWORKER, Role.COMMITTEE}),
        # envelopes and their figures: everyone but the admin, who has no budget powers
        "budgets": frozenset(set(Role) - {Role.ADMIN}),
        # every ledger entry of an envelope
        "ledgers": frozenset({Role.FINANCE, Role.AUDITOR}),
    }
)

Caseworker = Annotated[User, Depends(may(Act.REQUEST_AID))]
EnvelopeManager = Annotated[User, Depends(may(Act.MANAGE_ENVELOPES))]
CommitteeMember = Annotated[User, Depends(may(Act.DECIDE_ESCALATIONS))]
PolicyOfficer = Annotated[User, Depends(may(Act.REGISTER_POLICY))]
LogReader = Annotated[User, Depends(may(Act.READ_LOG))]
AidCanceller = Annotated[User, Depends(may(Act.CANCEL_AID))]
DossierReassigner = Annotated[User, Depends(may(Act.REASSIGN_DOSSIERS))]
CaseReader = Annotated[User, Depends(_allowing(READERS["cases"]))]
BudgetReader = Annotated[User, Depends(_allowing(READERS["budgets"]))]
LedgerReader = Annotated[User, Depends(_allowing(READERS["ledgers"]))]


def own_cases_only(user: User) -> str | None:
    """The caseworker whose dossiers `user` may see: themselves for a caseworker, None (all) otherwise."""
    return user.id if user.role is Role.CASEWORKER else None


Limit = Annotated[int, Query(ge=1, le=500, description="at most this many")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="skip this many first")]
