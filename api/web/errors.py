"""Errors on the web pages: a readable page (or, for the page's own script, a fragment), never JSON.

`WebRoute` catches what a page or its dependencies raise: not signed in → the sign-in page (303); a role
that may not → 403 "Geen toegang"; another caseworker's dossier or anything that does not exist → 404; a form
without a valid CSRF token → 403 "Het formulier is verlopen"; any other refusal → its status, in plain Dutch.
Refusals (401, 403 and hidden dossiers) go to the access log as the API's do. Forms catch the refusals they
expect themselves, to show them next to the field at fault.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from api.auth.errors import NotAuthenticated, RoleNotAllowed
from api.http.errors import client_of
from api.http.failures import route_of, unexpected
from api.web.deps import CsrfRejected
from api.web.messages import refusal
from api.web.pages import is_fragment, page, redirect, web, words_of
from envelopes.domain.errors import DomainError, NotFound

SIGN_IN = "/aanmelden"


class HiddenDossier(NotFound):
    """Another caseworker's dossier (or a request on it): shown exactly as one that does not exist."""

    def __init__(self) -> None:
        super().__init__("there is no such dossier")


class WebRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except DomainError as error:
                return await run_in_threadpool(error_page, request, error)
            except RequestValidationError:  # a malformed id or query in the address
                return await run_in_threadpool(error_page, request, NotFound("no such page"))
            except HTTPException as error:
                if error.status_code == 404:
                    return await run_in_threadpool(error_page, request, NotFound("no such page"))
                if error.status_code == 400:  # a form that cannot be read (too many parts, broken)
                    return await run_in_threadpool(unreadable_page, request)
                raise
            except Exception as error:
                unexpected(f"unexpected error on {route_of(request.scope)}", error)
                return await run_in_threadpool(unexpected_page, request)

        return guarded


def error_page(request: Request, error: DomainError) -> Response:
    words = words_of(request)
    if isinstance(error, NotAuthenticated):
        _record(request, 401, error.reason, error.user_id)
        if is_fragment(request):
            return page(request, "fragments/signed_out.html", status=401)
        return redirect(SIGN_IN)
    if isinstance(error, CsrfRejected):
        _record(request, 403, "csrf", getattr(request.state, "user_id", None))
        title = words("Het formulier is verlopen")
        text = words(
            "Laad de pagina opnieuw en probeer nog eens: om u te beschermen aanvaarden we een formulier "
            "alleen van de pagina die we u net gaven."
        )
        return page(request, "error.html", status=403, title=title, text=text)
    if error.status == 403:
        detail = "role" if isinstance(error, RoleNotAllowed) else error.code
        _record(request, 403, detail, getattr(request.state, "user_id", None))
        title = words("Geen toegang")
        return page(request, "error.html", status=403, title=title, text=refusal(error, words).text)
    if isinstance(error, HiddenDossier):
        _record(request, 404, "not_assigned", getattr(request.state, "user_id", None))
    if error.status == 404:
        title, text = words("Niet gevonden"), words("Deze pagina bestaat niet, of u kunt ze niet zien.")
        return page(request, "error.html", status=404, title=title, text=text)
    return page(
        request,
        "error.html",
        status=error.status,
        title=words("Dat lukt niet"),
        text=refusal(error, words).text,
    )


def unreadable_page(request: Request) -> Response:
    words = words_of(request)
    text = words(
        "Dit formulier kan niet gelezen worden: het heeft te veel velden of bestanden, of het is stuk."
    )
    return page(request, "error.html", status=400, title=words("Dat lukt niet"), text=text)


def unexpected_page(request: Request) -> Response:
    words = words_of(request)
    text = words("Er ging iets mis aan onze kant; er werd niets veranderd. Probeer het later opnieuw.")
    return page(request, "error.html", status=500, title=words("Er ging iets mis"), text=text)


def _record(request: Request, status: int, reason: str, user_id: str | None) -> None:
    try:
        web(request).mandaat.access.refused(client_of(request), status, reason, user_id)
    except Exception as error:  # the refusal is shown even when the access log cannot be written
        unexpected("could not write a refused page to the access log", error)
