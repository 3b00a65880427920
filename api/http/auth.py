"""Signing in (the OAuth2 password flow) and who is signed in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from api.http.blocking import blocking
from api.http.deps import CurrentUser, Services
from api.http.errors import client_of, problems
from api.http.schemas.auth import MePublic, TokenPublic
from envelopes.domain.text import checked_text

router = APIRouter(tags=["auth"])


@router.post("/auth/token", responses=problems(400, 422, 429))
@blocking
def issue_token(
    request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], mandaat: Services
) -> TokenPublic:
    """Sign in with a user name and password (form fields `username`, `password`) for a bearer token.

    Five failed tries for one user name (twenty from one address), each within a minute of the one before,
    are answered 429, with Retry-After, until a minute has passed since the last; tries sent at once count
    as well. A user name or password with a control character (a NUL) is invalid input (422), not a
    sign-in."""
    checked_text(form.username, "username", lines=False)
    checked_text(form.password, "password", lines=False)
    issued = mandaat.access.sign_in(form.username, form.password, client_of(request))
    return TokenPublic(access_token=issued.access_token, expires_in=issued.expires_in)


@router.get("/me", responses=problems(401))
@blocking
def who_am_i(user: CurrentUser) -> MePublic:
    return MePublic.of(user)
