"""`create_app(settings)`: the FastAPI application. Nothing is built at import time.

`mandaat serve` runs it with uvicorn as a factory, one application per worker process:

    uvicorn api.http.app:app_from_environment --factory --workers N

Each worker builds its own database pool and decision engine, and at start-up compiles the policy in force
(workers share nothing but the database). Settings come from `MANDAAT_*` environment variables.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.composition import Mandaat, build
from api.http import aid_requests, auth, dossiers, envelopes, escalations, log, policy
from api.http.errors import install_error_handlers, problem_media_types
from api.settings import Settings
from api.web import install_web
from envelopes.domain.ids import brussels_date

API_PREFIX = "/api/v1"
OFFLINE_DOCS = "fastapi_offline"  # ships swagger-ui 5 (and redoc); used when installed
logger = logging.getLogger("mandaat.api")

DESCRIPTION = """Delegated emergency-aid decisions within the council's framework.

Sign in with **Authorize** (user name and password): every other call needs the bearer token. Amounts are
decimal strings (`"55.00"`). Errors are `application/problem+json` (RFC 9457) with a stable `type`
(`urn:mandaat:problem:…`) and, for invalid input, every field at fault in `errors`."""


class MandaatAPI(FastAPI):
    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            self.openapi_schema = problem_media_types(super().openapi())
        return self.openapi_schema


class NoStore:
    """`Cache-Control: no-store` on every API answer: they are per user, and most hold personal data."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                message["headers"] = [*headers, (b"cache-control", b"no-store"), (b"pragma", b"no-cache")]
            await send(message)

        await self.app(scope, receive, send_no_store)


def create_app(settings: Settings, *, services: Mandaat | None = None) -> FastAPI:
    """The application; `services` lets a test pass its own wiring (a clock, a shared engine), which it
    then also closes itself."""
    mandaat = services if services is not None else build(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(_warm_up, mandaat)
        try:
            yield
        finally:
            if services is None:
                mandaat.close()

    offline = importlib.util.find_spec(OFFLINE_DOCS) is not None
    app = MandaatAPI(
        title="Mandaat",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None if offline else "/docs",
        redoc_url=None,
        swagger_ui_parameters={"persistAuthorization": False, "displayRequestDuration": True},
    )
    app.state.mandaat = mandaat
    install_error_handlers(app)
    app.add_middleware(NoStore)
    for module in (auth, dossiers, aid_requests, envelopes, escalations, log, policy):
        app.include_router(module.router, prefix=API_PREFIX)
    if offline:
        _serve_docs_offline(app)
    install_web(app)  # the web pages (api/web), after every API route
    return app


def app_from_environment() -> FastAPI:
    """The uvicorn factory: settings from the environment (`MANDAAT_DATABASE_URL`, …)."""
    return create_app(Settings())


def _warm_up(mandaat: Mandaat) -> None:
    """Compile the policy in force and fetch the signing key now, not on the first request. Best effort: a
    database that is not reachable or not migrated yet is reported on the requests that need it."""
    try:
        version = mandaat.views.policy_in_force(brussels_date(mandaat.clock()))
        if version is not None:
            mandaat.decisions.policy(version)
        mandaat.access.warm_up()
    except Exception:
        logger.warning("could not warm up (is the database migrated?)", exc_info=True)


def _serve_docs_offline(app: FastAPI) -> None:
    """/docs with swagger-ui served by the application itself (no CDN)."""
    assets = files(OFFLINE_DOCS) / "static"
    app.mount("/docs-assets", StaticFiles(directory=str(assets)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="Mandaat - API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon.png",
            swagger_ui_parameters=app.swagger_ui_parameters,
        )
