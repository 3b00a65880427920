"""`create_app(settings)`: the FastAPI application. Nothing is built at import time.

`mandaat serve` runs it with uvicorn as a factory, one application per worker process:

    uvicorn api.http.app:app_from_environment --factory --workers N

Each worker builds its own database pool and decision engine, and at start-up compiles the policy in force
(workers share nothing but the database). Settings come from `MANDAAT_*` environment variables.
"""

from __future__ import annotations

import html
import importlib.util
import inspect
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp

from api.composition import Mandaat, build
from api.http import aid_requests, auth, blocking, dossiers, envelopes, escalations, log, policy
from api.http.body_limit import BodyLimit, BodyLimits
from api.http.errors import install_error_handlers, problem_media_types
from api.http.failures import FailureLog, unexpected
from api.http.proxies import TrustedProxies
from api.settings import Settings
from api.web import install_web
from api.web.routes_policy import UPLOAD_PATH
from api.web.security import SecurityHeaders
from envelopes.domain.ids import brussels_date

API_PREFIX = "/api/v1"
OFFLINE_DOCS = "fastapi_offline"  # ships swagger-ui 5 (and redoc); /docs when installed
SWAGGER_UI = {
    "layout": "BaseLayout",
    "deepLinking": True,
    "showExtensions": True,
    "showCommonExtensions": True,
    "persistAuthorization": False,
    "displayRequestDuration": True,
    "validatorUrl": None,  # no badge fetched from swagger.io
}
DOCS_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Mandaat - API</title>
<link rel="stylesheet" href="/docs-assets/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs-assets/favicon.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi_url}" data-parameters="{parameters}"></div>
<script src="/docs-assets/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script>
</body>
</html>
"""

DESCRIPTION = """Delegated emergency-aid decisions within the council's framework.

Sign in with **Authorize** (user name and password): every other call needs the bearer token. Amounts are
decimal strings (`"55.00"`). Texts hold no control characters but tab, and line breaks (kept as LF) only
where a text has lines. Errors are `application/problem+json` (RFC 9457) with a stable `type`
(`urn:mandaat:problem:…`) and, for invalid input, the fields at fault in `errors` (at most 20; `more_errors`
says how many more). A body larger than the service takes (1 MiB unless configured) is answered 413."""


#: FastAPI 0.16x instruments every request with OpenTelemetry unless told not to, and exports it when the
#: environment asks (FASTAPI_OTEL_AUTO_CONFIGURE). Mandaat handles data about vulnerable people on closed
#: networks: nothing is traced or exported unless an operator wires it in on purpose. (It also costs CPU.)
TELEMETRY_OFF: dict[str, Any] = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
    "auto_configure": False,
}


def _telemetry_off() -> dict[str, Any]:
    accepts = "telemetry" in inspect.signature(FastAPI.__init__).parameters
    return {"telemetry": TELEMETRY_OFF} if accepts else {}


class MandaatAPI(FastAPI):
    trusted_proxies: tuple[str, ...] = ()  # MANDAAT_TRUSTED_PROXIES (api/http/proxies.py)

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            self.openapi_schema = problem_media_types(super().openapi())
        return self.openapi_schema

    def build_middleware_stack(self) -> ASGIApp:
        """The security headers around everything, Starlette's server-error handler included: a 500 carries
        them too (see api/web/security.py). Within them, an unexpected error is logged once, without its
        message (api/http/failures.py), and the limit on request bodies, before anything reads a body or
        authenticates its sender (api/http/body_limit.py). Outside them, who is asking and over what, when a
        trusted proxy says so (api/http/proxies.py): HSTS goes with https."""
        limits: BodyLimits = self.state.body_limits
        inner = SecurityHeaders(FailureLog(BodyLimit(super().build_middleware_stack(), limits)))
        return TrustedProxies(inner, self.trusted_proxies)


def create_app(settings: Settings, *, services: Mandaat | None = None) -> FastAPI:
    """The application; `services` lets a test pass its own wiring (a clock, a shared engine), which it
    then also closes itself."""
    mandaat = services if services is not None else build(settings)
    blocking.configure(threads=settings.threads)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(_warm_up, mandaat)
        try:
            yield
        finally:
            if services is None:
                mandaat.close()

    app = MandaatAPI(
        title="Mandaat",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # FastAPI's own /docs starts Swagger UI with an inline script: see _serve_docs
        redoc_url=None,
        swagger_ui_parameters=SWAGGER_UI,
        **_telemetry_off(),
    )
    app.state.mandaat = mandaat
    app.state.body_limits = body_limits(settings)
    app.trusted_proxies = tuple(settings.trusted_proxies)
    install_error_handlers(app)
    for module in (auth, dossiers, aid_requests, envelopes, escalations, log, policy):
        app.include_router(module.router, prefix=API_PREFIX)
    if importlib.util.find_spec(OFFLINE_DOCS) is not None:
        _serve_docs(app)
    install_web(app)  # the web pages (api/web), after every API route
    return app


def body_limits(settings: Settings) -> BodyLimits:
    """The ordinary limit on a request body, and the larger one of the two addresses that take rule files."""
    rule_files = settings.policy_body_bytes
    return BodyLimits(
        settings.max_body_bytes,
        {("POST", API_PREFIX + policy.VERSIONS_PATH): rule_files, ("POST", UPLOAD_PATH): rule_files},
    )


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
    except Exception as error:
        unexpected("could not warm up (is the database migrated?)", error)


def _serve_docs(app: FastAPI) -> None:
    """/docs: Swagger UI served by the application itself (no CDN), started by /static/swagger-init.js
    (the Content-Security-Policy allows no inline script) with its settings in data attributes."""
    assets = files(OFFLINE_DOCS) / "static"
    app.mount("/docs-assets", StaticFiles(directory=str(assets)), name="docs-assets")
    page = DOCS_PAGE.format(
        openapi_url=html.escape(app.openapi_url or "/openapi.json"),
        parameters=html.escape(json.dumps(app.swagger_ui_parameters or {}), quote=True),
    )

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(page)
