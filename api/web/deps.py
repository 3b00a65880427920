"""What every page declares: the signed-in user, the roles allowed, and a form whose CSRF token checks out.

Roles are declared once, here, from the same tables as the API (`envelopes.domain.duties.ALLOWED` for who may
act, `api.http.deps.READERS` for who may read), and appear in the page signatures (`user: WebCaseworker`).
The use cases check again with the actor id they receive.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.datastructures import FormData

from api.auth.errors import NotAuthenticated, RoleNotAllowed
from api.http.deps import READERS
from api.web.pages import session_of, web
from envelopes.domain.duties import ALLOWED, Act
from envelopes.domain.errors import Forbidden
from envelopes.domain.users import Role, User

CSRF_FIELD = "csrf_token"


class CsrfRejected(Forbidden):
    """A form without the session's CSRF token: sent from another site, or from a page of an older session."""

    code = "csrf_rejected"

    def __init__(self) -> None:
        super().__init__("the form's CSRF token does not match the session")


def signed_in(request: Request) -> User:
    """The active user of the session, read from the database on every request: a disabled account, or one
    whose password was set since the session began, ends the session at once."""
    session = session_of(request)
    services = web(request)
    if session.user_id is None:
        if request.method == "GET" and not request.headers.get("x-mandaat-fragment"):
            session.after_sign_in = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            session.changed = True
        raise NotAuthenticated(session.ended or "missing")
    found = services.views.session_account(session.user_id)
    if found is None or not found[0].active or found[1] != session.token_version:
        user_id = session.user_id
        session.end(
            "disabled" if found is None or not found[0].active else "revoked", services.sessions.now()
        )
        raise NotAuthenticated(session.ended, user_id=user_id)
    request.state.web_user = found[0]
    request.state.user_id = found[0].id  # for the access log, as the API does
    return found[0]


SignedIn = Annotated[User, Depends(signed_in)]


def _allowing(roles: frozenset[Role]) -> Callable[[User], Coroutine[Any, Any, User]]:
    ordered = sorted(role.value for role in roles)

    async def check(user: SignedIn) -> User:  # in memory only: run in the event loop, not the thread pool
        if user.role not in roles:
            raise RoleNotAllowed(user.role.value, ordered)
        return user

    return check


WebCaseworker = Annotated[User, Depends(_allowing(ALLOWED[Act.REQUEST_AID]))]
WebEnvelopeManager = Annotated[User, Depends(_allowing(ALLOWED[Act.MANAGE_ENVELOPES]))]
WebCommitteeMember = Annotated[User, Depends(_allowing(ALLOWED[Act.DECIDE_ESCALATIONS]))]
WebPolicyOfficer = Annotated[User, Depends(_allowing(ALLOWED[Act.REGISTER_POLICY]))]
WebLogReader = Annotated[User, Depends(_allowing(ALLOWED[Act.READ_LOG]))]
WebLedgerReader = Annotated[User, Depends(_allowing(READERS["ledgers"]))]
WebBudgetReader = Annotated[User, Depends(_allowing(READERS["budgets"]))]
WebAdmin = Annotated[User, Depends(_allowing(ALLOWED[Act.MANAGE_USERS]))]


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token matches the session's (synchroniser token)."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = session_of(request).csrf
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRejected()
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]
