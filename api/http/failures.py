"""Unexpected errors, told once, in one line, and without what the request carried.

An error's message may quote the request's data: SQLAlchemy appends the statement's parameters (the engines
hide them: `hide_parameters`), PostgreSQL quotes the failing row or the duplicate key ("DETAIL: Failing row
contains (…)"), pydantic the input it refused. A traceback prints those messages, and Starlette's server-error
layer raises every error again after its 500 "so that the server may log it": uvicorn then printed a second
traceback of the same error, and closed the client's connection.

So nothing prints an error's message. `FailureLog`, the layer right inside the security headers, takes an
error that reached it (the answer was given: a 500 problem, or a page), writes one line and keeps it from
uvicorn. The pages' own error handler (api/web/errors.py) and the access log's fallbacks write the same line
(`unexpected`): where (the method and the route's template), what kind of error (its class and its causes'),
what the database says about it that is not data (SQLSTATE, constraint, table and column names; SQLite's
error name), and where in Mandaat's own code (file:line function: where it was raised, and the outermost
frames, the route and the use case).
"""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("mandaat.api")
ROOT = Path(__file__).resolve().parents[2]  # the folder holding the packages api, envelopes and rules
OWN = tuple(str(ROOT / package) + "/" for package in ("api", "envelopes", "rules"))
PLUMBING = frozenset(  # the layers every request passes: they tell nothing of where it failed
    str(ROOT / path)
    for path in ("api/http/failures.py", "api/http/blocking.py", "api/web/sessions.py", "api/web/errors.py")
)
FRAMES = 5  # frames of our own code: the innermost, and the outermost others
CAUSES = 4  # the error and at most this many causes


def unexpected(what: str, error: BaseException) -> None:
    """Log `what` happened, with `error` told by `describe`: one line, no message, no value."""
    logger.error("%s: %s", what, describe(error))


def describe(error: BaseException) -> str:
    """The error's class and its causes' classes (with what the database says of each that is not data),
    then where it was raised in Mandaat's code, innermost first."""
    kinds = []
    seen: BaseException | None = error
    for _ in range(CAUSES + 1):
        if seen is None:
            break
        kinds.append(_kind(seen))
        seen = seen.__cause__ or (None if seen.__suppress_context__ else seen.__context__)
    frames = [
        f"{Path(frame.filename).relative_to(ROOT)}:{frame.lineno} {frame.name}"
        for frame in reversed(traceback.extract_tb(error.__traceback__))
        if frame.filename.startswith(OWN) and frame.filename not in PLUMBING
    ]
    if len(frames) > FRAMES:  # where it was raised, and the way in: the route and the use case
        frames = [frames[0], "…", *frames[1 - FRAMES :]]
    where = f" at {' < '.join(frames)}" if frames else ""
    return " from ".join(kinds) + where


def _kind(error: BaseException) -> str:
    kind = type(error)
    name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    facts = []
    sqlstate = getattr(error, "sqlstate", None)  # psycopg
    if isinstance(sqlstate, str):
        facts.append(f"SQLSTATE {sqlstate}")
    diagnosis = getattr(error, "diag", None)
    for label in ("constraint", "table", "column"):
        value = getattr(diagnosis, f"{label}_name", None)
        if isinstance(value, str) and value:
            facts.append(f"{label} {value}")
    sqlite_name = getattr(error, "sqlite_errorname", None)  # sqlite3
    if isinstance(sqlite_name, str):
        facts.append(sqlite_name)
    return f"{name} ({', '.join(facts)})" if facts else name


def route_of(scope: Scope) -> str:
    """The method and the route's template of a request ("POST /api/v1/aid-requests/{request_id}/withdraw"),
    never the path as sent (it may hold ids)."""
    from api.http.errors import client_of  # the one place that names a route for the access log too

    client = client_of(Request(scope))
    return f"{client.method} {client.route}"


class FailureLog:
    """ASGI middleware: an error that reaches it is logged once (`unexpected`) and goes no further. When no
    answer was started (Starlette's own handler failed too), a bare 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as error:
            unexpected(f"unexpected error on {route_of(scope)}", error)
            if not started:
                await send({"type": "http.response.start", "status": 500, "headers": []})
                await send({"type": "http.response.body", "body": b""})
