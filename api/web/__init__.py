"""The web pages for caseworkers, finance, the committee, policy officers and auditors (see README.md).

`install_web(app)` adds them to the FastAPI application of `api.http.app.create_app`: the pages, their static
files, browser sessions and the security headers. The API under /api/v1 is left as it is.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.composition import Mandaat
from api.web import (
    routes_audit,
    routes_auth,
    routes_committee,
    routes_dossiers,
    routes_finance,
    routes_finance_acts,
    routes_policy,
    routes_requests,
)
from api.web.security import SecurityHeaders
from api.web.sessions import WebSessions
from api.web.wiring import web_services

NOT_PAGES = ("/api/", "/static/", "/docs", "/openapi.json", "/redoc")


def install_web(app: FastAPI) -> None:
    mandaat: Mandaat = app.state.mandaat
    services = web_services(mandaat)
    app.state.web = services
    app.mount("/static", StaticFiles(directory=str(files("api") / "static")), name="static")
    for module in (
        routes_auth,
        routes_dossiers,
        routes_requests,
        routes_finance,
        routes_finance_acts,
        routes_committee,
        routes_policy,
        routes_audit,
    ):
        app.include_router(module.router)
    app.include_router(routes_auth.fallback)  # last: every other address
    app.add_middleware(WebSessions, codec=services.sessions, skip=NOT_PAGES)
    app.add_middleware(SecurityHeaders, api_paths=NOT_PAGES[:1] + NOT_PAGES[2:])
