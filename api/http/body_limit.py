"""Request bodies over their limit are refused before anything reads them: 413, before the body is parsed and
before anyone is authenticated (an ASGI middleware around the whole application).

A body announced with Content-Length is refused on the figure alone, unread. A body sent without it (chunked)
is read here up to the limit and refused as soon as it goes past; one within the limit is handed on whole.
Either way the application never holds more of a body than the limit. Every address has the ordinary limit
(`MANDAAT_MAX_BODY_BYTES`) but the few that take rule files, which have a larger one derived from the policy's
limits (`Settings.policy_body_bytes`).

The answer is problem details under /api/ and a short page elsewhere; it says the limit and closes the
connection (the rest of the body is not read).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from fastapi.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http.errors import API_PREFIX, problem

PAGE = """<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>Te groot / Too large</title></head>
<body><h1>Te groot</h1><p>Wat u verstuurde is groter dan {size}, het meeste dat dit adres aanneemt.</p>
<p lang="en">What you sent is larger than {size}, the most this address takes.</p></body></html>
"""


@dataclass(frozen=True)
class BodyLimits:
    """The largest body in bytes: `ordinary` everywhere, `larger` for some (method, path)s."""

    ordinary: int
    larger: Mapping[tuple[str, str], int] = field(default_factory=dict)

    def of(self, method: str, path: str) -> int:
        return self.larger.get((method, path), self.ordinary)


class BodyLimit:
    """ASGI middleware refusing bodies over `limits` with 413."""

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.of(scope["method"], scope["path"])
        announced = _content_length(scope)
        if announced is not None:
            if announced > limit:
                await _refuse(scope, receive, send, limit)
            else:
                await self.app(scope, receive, send)
            return
        body = bytearray()
        while True:  # no Content-Length: read what comes, up to the limit
            message = await receive()
            if message["type"] != "http.request":  # the client left
                return
            body += message.get("body", b"")
            if len(body) > limit:
                await _refuse(scope, receive, send, limit)
                return
            if not message.get("more_body", False):
                break
        await self.app(scope, _replaying(bytes(body), receive), send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit():
            return int(value)
    return None


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the body read already, then whatever the client sends next (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _shown(size: int) -> str:
    if size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MiB"
    if size % 1024 == 0:
        return f"{size // 1024} KiB"
    return f"{size} bytes"


async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    headers = {"Connection": "close"}
    if str(scope["path"]).startswith(API_PREFIX + "/"):
        response = problem(
            413,
            "body_too_large",
            f"the request body is larger than {limit} bytes ({_shown(limit)}), the most this address takes",
            figures={"limit": str(limit)},
            headers=headers,
        )
        await response(scope, receive, send)
        return
    page = HTMLResponse(PAGE.format(size=_shown(limit)), status_code=413, headers=headers)
    await page(scope, receive, send)
