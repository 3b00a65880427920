"""Security headers on the web pages and their static files (the API sets its own).

- Content-Security-Policy: only this site's own scripts, styles and images; no inline script or style, no
  plugins, no framing (`frame-ancestors 'none'`), forms post only here.
- X-Content-Type-Options: nosniff; X-Frame-Options: DENY (for older browsers); Referrer-Policy: same-origin.
- Cache-Control: no-store on every page (they show personal data and figures that change); static files are
  revalidated (no-cache).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = (
    (b"content-security-policy", CSP.encode("ascii")),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
)


class SecurityHeaders:
    def __init__(self, app: ASGIApp, api_paths: tuple[str, ...]) -> None:
        self.app = app
        self.api_paths = api_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.api_paths):
            await self.app(scope, receive, send)
            return
        cache = b"no-cache" if scope["path"].startswith("/static/") else b"no-store"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                replaced = {name for name, _ in HEADERS} | {b"cache-control"}
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in replaced]
                message["headers"] = [*headers, *HEADERS, (b"cache-control", cache)]
            await send(message)

        await self.app(scope, receive, send_with_headers)
