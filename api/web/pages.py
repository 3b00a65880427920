"""Rendering a page: the template, the session's language and messages, the signed-in user's navigation."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.web.i18n import Words
from api.web.sessions import WebSession
from api.web.wiring import WebServices
from envelopes.domain.users import Role, User

#: The navigation of each role: (path, label). The first is the role's home page.
NAVIGATION: dict[Role, tuple[tuple[str, str], ...]] = {
    Role.CASEWORKER: (
        ("/dossiers", "Mijn dossiers"),
        ("/aanvragen", "Mijn aanvragen"),
        ("/beleid", "Handboek"),
    ),
    Role.FINANCE: (
        ("/financien", "Enveloppen"),
        ("/financien/overdracht", "Overdracht"),
        ("/beleid", "Handboek"),
    ),
    Role.COMMITTEE: (("/comite", "Te behandelen"), ("/comite/beslist", "Beslist"), ("/beleid", "Handboek")),
    Role.POLICY: (("/beleid", "Handboek"), ("/beleid/versies", "Versies")),
    Role.AUDITOR: (
        ("/audit", "Beslissingslog"),
        ("/audit/controle", "Keten controleren"),
        ("/financien", "Enveloppen"),
        ("/beleid", "Handboek"),
    ),
    Role.ADMIN: (
        ("/beheer", "Gebruikers"),
        ("/audit", "Beslissingslog"),
        ("/audit/controle", "Keten controleren"),
    ),
}


def home_of(user: User) -> str:
    return NAVIGATION[user.role][0][0]


def web(request: Request) -> WebServices:
    services: WebServices = request.app.state.web
    return services


def session_of(request: Request) -> WebSession:
    session: WebSession = request.scope["state"]["web_session"]
    return session


def words_of(request: Request) -> Words:
    return Words(session_of(request).lang)


def is_fragment(request: Request) -> bool:
    """A request from the page's own script, which swaps the answer into the page."""
    return request.headers.get("x-mandaat-fragment") == "1"


def page(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    session = session_of(request)
    words = Words(session.lang)
    user: User | None = getattr(request.state, "web_user", None)
    path = request.url.path
    navigation = []
    if user is not None:
        matches = [item for item, _ in NAVIGATION[user.role] if path == item or path.startswith(item + "/")]
        current = max(matches, key=len, default="")
        navigation = [(item, words(label), item == current) for item, label in NAVIGATION[user.role]]
    values = {
        "_": words,
        "words": words,
        "lang": words.lang,
        "user": user,
        "csrf": session.csrf,
        "navigation": navigation,
        "flashes": [] if is_fragment(request) else session.take_flashes(),
        "path": path,
        "errors": {},
        "form": {},
        **context,
    }
    html = web(request).templates.get_template(template).render(values)
    return HTMLResponse(html, status_code=status)


def redirect(path: str) -> RedirectResponse:
    """After a form: see the result at `path` (303: the browser asks for it with GET)."""
    return RedirectResponse(path, status_code=303)


def local_path(text: str | None, default: str) -> str:
    """`text` if it is a path on this site (never another site: "//evil" or "https://…"), else `default`."""
    if text and text.startswith("/") and not text.startswith("//") and "\\" not in text:
        return text
    return default
