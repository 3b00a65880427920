"""Signing in, and deciding on every request who is asking: the use cases of the way in.

- `sign_in`: a user name and password for an access token. Tries are counted per login name and per client
  address, in the database (every worker process sees the same counts), before the password is checked:
  the transaction that counts a try first decides whether it may be checked at all, with the counts locked,
  so that tries sent in parallel cannot all pass the limit. Past the limit the answer is 429 with the
  seconds to wait, without looking at the password. A try that signs in starts the login name's count
  again and is not counted for its client.
- `principal`: the user behind a bearer token, checked against the database on every request, so that
  disabling an account, changing its role or setting a new password takes effect at once.
- `refused`: a refused request, for the access log.
- `set_password`: a new password (checked against the policy); every older token stops working.
- `dossiers_read`: who read which client dossiers, when, why and what of them (the household, or the aid
  requests with their free texts), for GDPR accountability. Not best effort: when the entry cannot be
  written the read fails, so no dossier is ever shown without its entry.
- `session_started` / `session_is_open` / `session_ended`: browser sessions kept on the server, so that a
  session cookie stops counting when its session is signed out (a copy of it too).

The access log never holds a password, a login name that matches no account, or a client address: names and
addresses are kept as keyed hashes (HMAC-SHA256 with a key derived from the installation's secret). A read
names the dossier by its internal id only, never by its case-file reference, and holds no household data.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from api.auth.errors import InvalidCredentials, NotAuthenticated, TooManyAttempts
from api.auth.passwords import Passwords, check_password
from api.auth.tokens import InvalidToken, TokenSigner
from envelopes.domain.errors import NotFound
from envelopes.domain.users import Role, User
from envelopes.persistence.accounts import AccessEvent, Account, SqlAccounts, Tries

MAX_LOGIN_NAME = 64
SECRET_NAME = "signing_key"  # noqa: S105 (the name of a row, not a secret)
DOSSIER_READ = "dossier.read"
MAX_REASON = 200


class Purpose(StrEnum):
    """Why a client dossier is read: the fixed word in the access log's `detail` (see PURPOSES for words)."""

    CASE_WORK = "case_work"  # the dossier's caseworker, working on it
    COMMITTEE_RULING = "committee_ruling"  # a committee member, ruling on (or taking note of) its requests
    DATA_EXPORT = "data_export"  # `mandaat dossier export`: everything about it, for the person


#: What each purpose means, as the access log's `purpose` says it (the export's is the operator's reason).
PURPOSES: Mapping[Purpose, str] = MappingProxyType(
    {
        Purpose.CASE_WORK: "case work",
        Purpose.COMMITTEE_RULING: "committee ruling",
        Purpose.DATA_EXPORT: "subject access request (GDPR art. 15)",
    }
)


class Shown(StrEnum):
    """What a read showed of a dossier (the access log's `purpose` names it when it is not the household)."""

    HOUSEHOLD = "household"  # its members: birth dates, relations
    AID_REQUESTS = "aid requests"  # its aid requests, with their justifications and the committee's words


def purpose_of(user: User) -> Purpose:
    """Why `user` reads a dossier in their daily work: the committee to rule, a caseworker for case work."""
    return Purpose.COMMITTEE_RULING if user.role is Role.COMMITTEE else Purpose.CASE_WORK


@dataclass(frozen=True)
class Client:
    """Where a request comes from and what it asks for, as the access log records it."""

    address: str | None
    method: str
    route: str  # the route's template ("/api/v1/dossiers/{dossier_id}"), or the CLI command


@dataclass(frozen=True)
class Throttle:
    account_failures: int = 5  # tries that did not sign in, per login name ...
    client_failures: int = 20  # ... or per client address, ...
    lockout: timedelta = timedelta(seconds=60)  # ... each within this of the last: refused until it passed


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int  # seconds
    user: User


class InstanceKey:
    """The installation's secret: from the settings, or made once and kept in the database. Keys for the
    tokens and for the access log's pseudonyms are derived from it, one per purpose."""

    def __init__(
        self, configured: str | None, accounts: Callable[[], SqlAccounts], clock: Callable[[], datetime]
    ):
        self._configured = configured
        self._accounts = accounts
        self._clock = clock
        self._master: bytes | None = None
        self._lock = threading.Lock()

    def derive(self, purpose: str) -> bytes:
        return hmac.new(self._secret(), f"mandaat {purpose} v1".encode(), hashlib.sha256).digest()

    def _secret(self) -> bytes:
        with self._lock:
            if self._master is None:
                if self._configured is not None:
                    self._master = self._configured.encode("utf-8")
                else:
                    with self._accounts() as store:
                        value = store.secret(SECRET_NAME, lambda: secrets.token_hex(32), self._clock())
                        store.commit()
                    self._master = bytes.fromhex(value)
            return self._master


class AccessControl:
    def __init__(
        self,
        *,
        accounts: Callable[[bool], SqlAccounts],  # read_only -> a new accounts unit of work
        account_of: Callable[[str], Account | None],  # one account, read outside any unit of work
        passwords: Passwords,
        key: InstanceKey,
        token_ttl: timedelta,
        throttle: Throttle,
        clock: Callable[[], datetime],
    ) -> None:
        self._accounts = accounts
        self._account_of = account_of
        self._passwords = passwords
        self._key = key
        self._tokens = TokenSigner(lambda: key.derive("access tokens"), token_ttl)
        self._throttle = throttle
        self._clock = clock

    def warm_up(self) -> None:
        """Fetch (or make) the installation's key now rather than on the first request."""
        self._key.derive("access tokens")

    # --- sign-in --------------------------------------------------------------------------------------------

    def sign_in(self, username: str, password: str, client: Client) -> IssuedToken:
        now = self._clock()
        login = username.strip().lower()
        account_key = self._pseudonym("login name", login)
        client_key = None if client.address is None else self._pseudonym("client address", client.address)
        limits = {account_key: self._throttle.account_failures}
        if client_key is not None:
            limits[client_key] = self._throttle.client_failures
        event = _Event(now, client, account_key, client_key)
        with self._accounts(False) as store:  # whether this try may be checked, and counting it: at once
            account = store.account(login) if 0 < len(login) <= MAX_LOGIN_NAME else None
            counted = {key: self._counted(tries, now) for key, tries in store.lock_tries(limits, now).items()}
            wait = max(self._retry_after(counted[key], limit, now) for key, limit in limits.items())
            if wait > 0:
                store.record(event.make("login.throttled", 429, "throttled", account))
            else:
                store.count_tries({key: tries.count + 1 for key, tries in counted.items()}, now)
            store.forget_tries(now - self._throttle.lockout)
            store.commit()
        if wait > 0:
            raise TooManyAttempts(wait)
        credential = None if account is None else account.credential
        matches = self._passwords.verify(None if credential is None else credential.password_hash, password)
        refusal = _refusal(account, matches)
        if refusal is not None or account is None or credential is None:
            self._write(event.make("login.failed", 400, refusal or "unknown_account", account))
            raise InvalidCredentials()
        rehashed = (
            self._passwords.hash(password) if self._passwords.needs_rehash(credential.password_hash) else None
        )
        with self._accounts(False) as store:
            if rehashed is not None:
                store.rehash(account.user.id, credential.password_hash, rehashed)
            store.forgive_try(account_key=account_key, client_key=client_key)
            store.record(event.make("login.succeeded", 200, "password", account))
            store.commit()
        token = self._tokens.issue(account.user.id, credential.token_version, now)
        return IssuedToken(token, int(self._tokens.ttl.total_seconds()), account.user)

    # --- every request --------------------------------------------------------------------------------------

    def principal(self, token: str) -> User:
        """The active user a token was issued to, while its version is current; NotAuthenticated otherwise."""
        try:
            claims = self._tokens.read(token, self._clock())
        except InvalidToken as error:
            raise NotAuthenticated(error.reason) from None
        account = self._account_of(claims.user_id)
        if account is None:
            raise NotAuthenticated("unknown_account")
        if not account.user.active:
            raise NotAuthenticated("disabled", user_id=account.user.id)
        if account.credential is None or account.credential.token_version != claims.version:
            raise NotAuthenticated("revoked", user_id=account.user.id)
        return account.user

    def refused(self, client: Client, status: int, detail: str, user_id: str | None) -> None:
        self._write(
            AccessEvent(
                at=self._clock(),
                event="access.refused",
                method=client.method,
                route=client.route,
                status=status,
                detail=detail,
                user_id=user_id,
                client_key=None
                if client.address is None
                else self._pseudonym("client address", client.address),
            )
        )

    # --- reads of client dossiers ---------------------------------------------------------------------------

    def dossiers_read(
        self,
        client: Client,
        user_id: str,
        dossier_ids: Iterable[str],
        purpose: Purpose,
        *,
        shown: Shown = Shown.HOUSEHOLD,
        reason: str | None = None,
    ) -> None:
        """`user_id` was shown these dossiers (their internal ids): their household, or their aid requests,
        for `purpose`. One entry per dossier, written at once (one statement, one transaction). `reason`,
        the operator's own words at the command line, replaces the purpose's."""
        ids = list(dict.fromkeys(dossier_ids))
        if not ids:
            return
        now = self._clock()
        words = " ".join((reason or "").split())[:MAX_REASON] or PURPOSES[purpose]
        if shown is not Shown.HOUSEHOLD:
            words = f"{words} ({shown.value})"
        client_key = None if client.address is None else self._pseudonym("client address", client.address)
        entries = [
            AccessEvent(
                at=now,
                event=DOSSIER_READ,
                method=client.method,
                route=client.route,
                status=200,
                detail=purpose.value,
                user_id=user_id,
                client_key=client_key,
                dossier_id=dossier_id,
                purpose=words,
            )
            for dossier_id in ids
        ]
        with self._accounts(False) as store:
            store.record(*entries)
            store.commit()

    def reads_of(self, dossier_id: str, *, limit: int) -> list[AccessEvent]:
        """The reads of one dossier, newest first."""
        with self._accounts(True) as store:
            return store.events(limit=limit, event=DOSSIER_READ, dossier_id=dossier_id)

    # --- browser sessions -----------------------------------------------------------------------------------

    def session_started(self, session_id: str, user_id: str, *, lasts: timedelta) -> None:
        """A browser session signed in; sessions older than `lasts` (the absolute timeout) are removed."""
        now = self._clock()
        with self._accounts(False) as store:
            store.open_session(self._session_key(session_id), user_id, now, started_before=now - lasts)
            store.commit()

    def session_is_open(self, session_id: str) -> bool:
        with self._accounts(True) as store:
            return store.session_is_open(self._session_key(session_id))

    def session_ended(self, session_id: str) -> None:
        """Signed out (or ended otherwise): the session's cookie no longer counts, nor any copy of it."""
        with self._accounts(False) as store:
            store.close_session(self._session_key(session_id))
            store.commit()

    def _session_key(self, session_id: str) -> str:
        return self._pseudonym("web session", session_id)

    # --- passwords ------------------------------------------------------------------------------------------

    def set_password(self, user_id: str, password: str, client: Client) -> None:
        """A new password for an existing account; every token issued before stops working."""
        check_password(password, user_id=user_id)
        password_hash = self._passwords.hash(password)  # outside the transaction: it takes a while
        now = self._clock()
        with self._accounts(False) as store:
            if store.account(user_id) is None:
                raise NotFound(f"there is no user {user_id}", field="user_id")
            store.set_password_hash(user_id, password_hash, now)
            store.record(
                AccessEvent(
                    now, "password.set", client.method, client.route, 200, "password", user_id=user_id
                )
            )
            store.commit()

    def _counted(self, tries: Tries, now: datetime) -> Tries:
        """The tries that still count: none once a whole lockout has passed since the last."""
        return tries if tries.last_at + self._throttle.lockout > now else Tries(0, tries.last_at)

    def _retry_after(self, tries: Tries, limit: int, now: datetime) -> int:
        """Seconds until a try may be checked again, 0 when it may: at `limit` tries, the wait lasts one
        lockout from the last."""
        if tries.count < limit:
            return 0
        return max(1, math.ceil((tries.last_at + self._throttle.lockout - now).total_seconds()))

    def _pseudonym(self, purpose: str, text: str) -> str:
        return hmac.new(self._key.derive(purpose), text.encode("utf-8"), hashlib.sha256).hexdigest()

    def _write(self, event: AccessEvent) -> None:
        with self._accounts(False) as store:
            store.record(event)
            store.commit()


def _refusal(account: Account | None, password_matches: bool) -> str | None:
    """Why a sign-in fails, as one word for the access log (the answer never says which); None: it counts."""
    if account is None:
        return "unknown_account"
    if account.credential is None:
        return "no_password"
    if not password_matches:
        return "wrong_password"
    if not account.user.active:
        return "disabled"
    return None


@dataclass(frozen=True)
class _Event:
    at: datetime
    client: Client
    account_key: str
    client_key: str | None

    def make(self, event: str, status: int, detail: str, account: Account | None) -> AccessEvent:
        return AccessEvent(
            at=self.at,
            event=event,
            method=self.client.method,
            route=self.client.route,
            status=status,
            detail=detail,
            user_id=None if account is None else account.user.id,
            account_key=self.account_key,
            client_key=self.client_key,
        )
