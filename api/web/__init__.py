"""The web pages for caseworkers, finance, the committee, policy officers and auditors (see README.md).

`install_web(app)` adds them to the FastAPI application of `api.http.app.create_app`: the pages, their static
files and browser sessions (kept on the server by the access control). The API under /api/v1 is left as it
is. The security headers are the application's (`api.web.security`, installed by `create_app`).
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import Depends, FastAPI
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
from api.web.routes_dossiers import committee_reads
from api.web.sessions import WebSessions
from api.web.wiring import web_services

NOT_PAGES = ("/api/", "/static/", "/docs", "/openapi.json", "/redoc")


def install_web(app: FastAPI) -> None:
    mandaat: Mandaat = app.state.mandaat
    services = web_services(mandaat)
    app.state.web = services
    app.mount("/static", StaticFiles(directory=str(files("api") / "static")), name="static")
    for module in (routes_auth, routes_dossiers, routes_requests, routes_finance, routes_finance_acts):
        app.include_router(module.router)
    # An escalation's page shows the household: each one opened is a read of its dossier (access log)
    app.include_router(routes_committee.router, dependencies=[Depends(committee_reads)])
    for module in (routes_policy, routes_audit):
        app.include_router(module.router)
    app.include_router(routes_auth.fallback)  # last: every other address
    app.add_middleware(WebSessions, codec=services.sessions, store=mandaat.access, skip=NOT_PAGES)
