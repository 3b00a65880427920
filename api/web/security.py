"""Security headers on every answer of the application: the web pages, the JSON API, /docs and /openapi.json,
static files, and every error (404, 405, problem details, a 500 too: `api.http.app` wraps the whole
middleware stack, Starlette's server-error handler included, in `SecurityHeaders`).

- Content-Security-Policy: only this site's own scripts, styles and images; no inline script or style, no
  eval, no plugins, no framing (`frame-ancestors 'none'`), forms post only here. /docs is the one page that
  also allows `data:` images: Swagger UI's stylesheet draws its icons that way (still no inline script: it
  is started by /static/swagger-init.js).
- X-Content-Type-Options: nosniff; X-Frame-Options: DENY (for older browsers); Referrer-Policy: same-origin;
  no camera, microphone, location or payments.
- Strict-Transport-Security (a year) on an answer to a request that came over https, directly or through a
  trusted proxy (api/http/proxies.py): the browser then never asks over plain http again. Not over http
  (browsers ignore it there, and a server reached over http only must stay reachable), and without
  includeSubDomains: the organisation's other sites under the same domain are not Mandaat's to decide.
- Cache-Control: no-store on every answer (pages and API answers show personal data and figures that change;
  an error page may echo what was asked), but for what holds no personal data at all: static assets are
  revalidated (no-cache), and the API's description (/openapi.json, /docs) may be cached.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
DOCS_CSP = CSP.replace("img-src 'self'", "img-src 'self' data:")
DOCS = "/docs"
ASSETS = ("/static/", "/docs-assets/")  # files of the application itself: no personal data
DESCRIPTIONS = frozenset({"/openapi.json", DOCS})  # the same for everyone: may be cached
HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
)
NO_STORE = ((b"cache-control", b"no-store"), (b"pragma", b"no-cache"))
REVALIDATE = ((b"cache-control", b"no-cache"),)
HSTS = (b"strict-transport-security", b"max-age=31536000")


def headers_for(path: str, *, https: bool = False) -> tuple[tuple[bytes, bytes], ...]:
    """The security headers of the answer to a request for `path`, which came over https or not."""
    policy = DOCS_CSP if path == DOCS else CSP
    cache = () if path in DESCRIPTIONS else REVALIDATE if path.startswith(ASSETS) else NO_STORE
    strict = (HSTS,) if https else ()
    return ((b"content-security-policy", policy.encode("ascii")), *HEADERS, *cache, *strict)


class SecurityHeaders:
    """ASGI middleware: the headers of `headers_for` on every HTTP answer, replacing those a route set."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = headers_for(scope["path"], https=scope.get("scheme") == "https")
        replaced = {name for name, _ in added} | {b"pragma"}  # a route's own are dropped

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in replaced]
                message["headers"] = [*headers, *added]
            await send(message)

        await self.app(scope, receive, send_with_headers)
