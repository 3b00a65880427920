"""Browser sessions: a signed cookie, checked against the server's list of signed-in sessions and against
the account on every request.

The cookie holds a small JSON payload signed with HMAC-SHA256 (a key derived from the installation's secret,
so every worker process agrees): the session id, the user id and the credentials' token version, when the
session started and when it was last used, the CSRF token, the language, and messages for the next page.
Nothing in it is secret; it cannot be forged or changed.

- HttpOnly, SameSite=Lax, Path=/, Secure when the request came over https.
- Signing in makes a new session id and a new CSRF token (a session id from before never becomes signed in),
  and the server keeps the new session (`SessionStore`: a keyed hash of its id, in `web_sessions`).
- Idle timeout (`IDLE_TIMEOUT` without a request) and absolute timeout (`ABSOLUTE_TIMEOUT` after signing in).
- On every request the account is read from the database (`deps.signed_in`): a disabled account, or one whose
  password was set since (its token version went up), is signed out at once.
- A signed-in cookie counts only while the server still holds its session: signing out (or a timeout, a
  disabled account, a new password) removes it, so the old cookie, or a copy of it, is refused from then on.
  Signing out replaces the cookie with an anonymous session.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.cookies import SimpleCookie
from typing import Any, Protocol

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "mandaat_session"
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=10)
LANGUAGES = ("nl", "en")
_FORMAT = 1


@dataclass
class WebSession:
    """One browser's session; the middleware writes it back to the cookie when it changed or was used."""

    sid: str
    csrf: str
    started: int  # epoch seconds: when it was made (signed in, for a signed-in session)
    seen: int  # epoch seconds: the last request
    user_id: str | None = None
    token_version: int = 0
    lang: str = "nl"
    flashes: list[tuple[str, str]] = field(default_factory=list)  # (kind, text) for the next page
    ended: str = ""  # why a signed-in session just ended: "idle", "expired", "disabled", "signed_out"
    after_sign_in: str = ""  # the page asked for before signing in (a local path)
    changed: bool = False
    retired: str = ""  # the signed-in session id this request ended or replaced (not in the cookie)

    @classmethod
    def anonymous(cls, now: int, *, lang: str = "nl") -> WebSession:
        return cls(secrets.token_urlsafe(18), secrets.token_urlsafe(24), now, now, lang=lang, changed=True)

    def sign_in(self, user_id: str, token_version: int, now: int) -> None:
        """A new session id and CSRF token: what was known of the session before does not carry over."""
        self._retire()
        self.sid, self.csrf = secrets.token_urlsafe(18), secrets.token_urlsafe(24)
        self.user_id, self.token_version = user_id, token_version
        self.started = self.seen = now
        self.ended, self.changed = "", True

    def end(self, why: str, now: int) -> None:
        """Back to an anonymous session (new id and CSRF token), keeping the language."""
        self._retire()
        fresh = WebSession.anonymous(now, lang=self.lang)
        self.sid, self.csrf, self.started, self.seen = fresh.sid, fresh.csrf, now, now
        self.user_id, self.token_version, self.after_sign_in = None, 0, ""
        self.ended, self.changed = why, True

    def _retire(self) -> None:
        if self.user_id is not None and not self.retired:
            self.retired = self.sid

    def flash(self, text: str, kind: str = "ok") -> None:
        self.flashes.append((kind, text))
        self.changed = True

    def take_flashes(self) -> list[tuple[str, str]]:
        taken, self.flashes = self.flashes, []
        if taken:
            self.changed = True
        return taken

    def to_json(self) -> dict[str, Any]:
        return {
            "v": _FORMAT,
            "sid": self.sid,
            "csrf": self.csrf,
            "started": self.started,
            "seen": self.seen,
            "uid": self.user_id,
            "ver": self.token_version,
            "lang": self.lang,
            "flash": [list(pair) for pair in self.flashes[-5:]],
            "ended": self.ended,
            "next": self.after_sign_in,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WebSession:
        if data.get("v") != _FORMAT:
            raise ValueError("another session format")
        lang = data["lang"] if data.get("lang") in LANGUAGES else "nl"
        return cls(
            sid=str(data["sid"]),
            csrf=str(data["csrf"]),
            started=int(data["started"]),
            seen=int(data["seen"]),
            user_id=None if data["uid"] is None else str(data["uid"]),
            token_version=int(data["ver"]),
            lang=lang,
            flashes=[(str(kind), str(text)) for kind, text in data.get("flash", [])],
            ended=str(data.get("ended", "")),
            after_sign_in=str(data.get("next", "")),
        )


class SessionCodec:
    """Signs and checks session cookies; `key` is called once, when first needed (it may read the database,
    so the middleware calls it in a worker thread)."""

    def __init__(
        self,
        key: Callable[[], bytes],
        clock: Callable[[], datetime],
        *,
        idle: timedelta = IDLE_TIMEOUT,
        absolute: timedelta = ABSOLUTE_TIMEOUT,
    ) -> None:
        self._key_source = key
        self._key: bytes | None = None
        self.clock = clock
        self.idle = int(idle.total_seconds())
        self.absolute = int(absolute.total_seconds())

    def now(self) -> int:
        return int(self.clock().timestamp())

    @property
    def has_key(self) -> bool:
        return self._key is not None

    def key(self) -> bytes:
        if self._key is None:
            self._key = self._key_source()
        return self._key

    def dump(self, session: WebSession) -> str:
        payload = _b64(json.dumps(session.to_json(), separators=(",", ":")).encode("utf-8"))
        return f"{payload}.{_b64(self._sign(payload))}"

    def load(self, cookie: str | None) -> WebSession:
        """The session in the cookie, or a new anonymous one when there is none, it does not verify, or it
        timed out (then marked `ended`, so the sign-in page can say why)."""
        now = self.now()
        session = self._verified(cookie)
        if session is None:
            return WebSession.anonymous(now)
        if session.user_id is not None:
            if now - session.seen > self.idle:
                session.end("idle", now)
            elif now - session.started > self.absolute:
                session.end("expired", now)
        if session.user_id is not None:
            session.seen, session.changed = now, True  # every request counts as activity
        return session

    def _verified(self, cookie: str | None) -> WebSession | None:
        if not cookie or cookie.count(".") != 1:
            return None
        payload, signature = cookie.split(".")
        try:
            if not hmac.compare_digest(_unb64(signature), self._sign(payload)):
                return None
            data = json.loads(_unb64(payload))
            return WebSession.from_json(data) if isinstance(data, dict) else None
        except (ValueError, KeyError, TypeError, binascii.Error):
            return None

    def _sign(self, payload: str) -> bytes:
        return hmac.new(self.key(), payload.encode("ascii"), hashlib.sha256).digest()


class SessionStore(Protocol):
    """The server's list of signed-in browser sessions (`api.auth.access.AccessControl` keeps it)."""

    def session_started(self, session_id: str, user_id: str, *, lasts: timedelta) -> None: ...

    def session_is_open(self, session_id: str) -> bool: ...

    def session_ended(self, session_id: str) -> None: ...


class WebSessions:
    """ASGI middleware: the session of every web page request in `scope["state"]["web_session"]`, and the
    cookie written back on the answer. The API (bearer tokens), the docs and static files are left alone.

    A signed-in cookie whose session the store no longer holds is treated as signed out. On the answer, the
    store learns of a session that signed in, and forgets one that ended or was replaced."""

    def __init__(self, app: ASGIApp, codec: SessionCodec, store: SessionStore, skip: tuple[str, ...]) -> None:
        self.app = app
        self.codec = codec
        self.store = store
        self.skip = skip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.skip):
            await self.app(scope, receive, send)
            return
        if not self.codec.has_key:
            await run_in_threadpool(self.codec.key)
        session = self.codec.load(_cookie(scope))
        if session.user_id is not None:
            still_open = await run_in_threadpool(self.store.session_is_open, session.sid)
            if not still_open:  # signed out before: this is an old copy of its cookie
                session.end("signed_out", self.codec.now())
        arrived = session.sid if session.user_id is not None else None
        scope.setdefault("state", {})["web_session"] = session
        secure = scope.get("scheme") == "https"

        async def send_with_cookie(message: Message) -> None:
            signed_in_now = session.user_id is not None and session.sid != arrived
            if message["type"] == "http.response.start" and (session.retired or signed_in_now):
                await run_in_threadpool(self._remember, session, arrived)
            if message["type"] == "http.response.start" and session.changed:
                attributes = f"Path=/; HttpOnly; SameSite=Lax{'; Secure' if secure else ''}"
                cookie = f"{COOKIE}={self.codec.dump(session)}; {attributes}"
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie.encode("latin-1"))]
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _remember(self, session: WebSession, arrived: str | None) -> None:
        """Before the cookie leaves: forget the session this request ended, keep the one it signed in."""
        if session.retired:
            self.store.session_ended(session.retired)
        if session.user_id is not None and session.sid != arrived:
            self.store.session_started(
                session.sid, session.user_id, lasts=timedelta(seconds=self.codec.absolute)
            )


def _cookie(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed Cookie header is no session
                return None
            if COOKIE in jar:
                return jar[COOKIE].value
    return None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
