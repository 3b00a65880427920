"""Signing in and out, the language, the start page of each role, and the users page of the admin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from api.auth.errors import InvalidCredentials, TooManyAttempts
from api.http.errors import client_of, problem
from api.web.deps import CheckedForm, WebAdmin, signed_in
from api.web.errors import WebRoute
from api.web.forms import Fields
from api.web.pages import home_of, local_path, page, redirect, session_of, web, words_of
from api.web.sessions import LANGUAGES

router = APIRouter(route_class=WebRoute, include_in_schema=False)
fallback = APIRouter(route_class=WebRoute, include_in_schema=False)  # included after every other page

ENDED = {
    "idle": "Uw sessie werd afgesloten omdat u een tijd niets deed. Meld u opnieuw aan.",
    "expired": "Uw sessie duurde te lang en werd afgesloten. Meld u opnieuw aan.",
    "disabled": "Uw account is uitgeschakeld of bestaat niet meer.",
    "revoked": "Uw wachtwoord werd gewijzigd: meld u opnieuw aan.",
    "signed_out": "U bent afgemeld.",
}


@router.get("/")
def start(request: Request) -> Response:
    session = session_of(request)
    if session.user_id is None:
        return redirect("/aanmelden")
    return redirect(home_of(signed_in(request)))


@router.get("/aanmelden")
def sign_in_page(request: Request) -> Response:
    session = session_of(request)
    if session.user_id is not None:
        return redirect("/")
    notice = ENDED.get(session.ended, "")
    return page(request, "sign_in.html", notice=words_of(request)(notice) if notice else "")


@router.post("/aanmelden")
def sign_in(request: Request, form: CheckedForm) -> Response:
    words = words_of(request)
    fields = Fields(form, words)
    username = fields.text("username", required=False)
    password = fields.secret("password")
    values = {"username": fields.values.get("username", "")}
    if fields.errors:
        return page(request, "sign_in.html", status=422, errors=fields.errors, form=values, notice="")
    try:
        issued = web(request).mandaat.access.sign_in(username, password, client_of(request))
    except InvalidCredentials:
        errors = {"password": words("De gebruikersnaam of het wachtwoord klopt niet.")}
        return page(request, "sign_in.html", status=400, errors=errors, form=values, notice="")
    except TooManyAttempts as error:
        text = words(
            "Te veel mislukte pogingen. Probeer opnieuw over {seconds} seconden.", seconds=error.retry_after
        )
        response = page(
            request, "sign_in.html", status=429, errors={"password": text}, form=values, notice=""
        )
        response.headers["Retry-After"] = str(error.retry_after)
        return response
    services = web(request)
    found = services.views.session_account(issued.user.id)
    session = session_of(request)
    after = session.after_sign_in
    session.sign_in(issued.user.id, found[1] if found else 0, services.sessions.now())
    session.flash(words("Welkom, {name}.", name=issued.user.name))
    return redirect(local_path(after, home_of(issued.user)))


@router.post("/afmelden")
def sign_out(request: Request, form: CheckedForm) -> Response:
    session = session_of(request)
    session.end("signed_out", web(request).sessions.now())
    return redirect("/aanmelden")


@router.post("/taal")
def language(request: Request, form: CheckedForm) -> Response:
    session = session_of(request)
    chosen = str(form.get("lang", ""))
    if chosen in LANGUAGES:
        session.lang, session.changed = chosen, True
    return redirect(local_path(str(form.get("back", "")), "/"))


@router.get("/beheer")
def users_page(request: Request, user: WebAdmin) -> Response:
    """The admin manages users with `mandaat users …`; here they see who has which role."""
    return page(request, "admin/users.html", accounts=web(request).mandaat.views.accounts())


@fallback.get("/{unknown:path}")
def not_found(request: Request, unknown: Annotated[str, Path()]) -> Response:
    """Any other address: a readable page (under /api/, the API's own problem details)."""
    if request.url.path.startswith("/api/"):
        return problem(404, "not_found", "there is nothing at this address")
    words = words_of(request)
    title, text = words("Niet gevonden"), words("Deze pagina bestaat niet, of u kunt ze niet zien.")
    return page(request, "error.html", status=404, title=title, text=text)
