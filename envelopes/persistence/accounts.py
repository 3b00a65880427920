"""`SqlAccounts`: the storage of sign-in and access (credentials, the access log, browser sessions, instance
secrets), as a unit of work of its own — these writes never share a transaction with a use case of the
budget domain, and never enter the decision log.

    with accounts() as store:
        store.record(event)
        store.commit()   # leaving the block without it rolls back

Made with `read_only=True` it reads from one snapshot and never waits for a writer (a sign-in verifies the
password outside any transaction: argon2 takes tens of milliseconds, and a SQLite write lock held that long
would stall every decision).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Engine, bindparam, case, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from envelopes.domain.users import User
from envelopes.persistence import mapping, tables
from envelopes.persistence.auth_tables import (
    access_log,
    credentials,
    instance_secrets,
    sign_in_tries,
    web_sessions,
)
from envelopes.persistence.database import READ_ONLY
from envelopes.persistence.prepared import Prepared


@dataclass(frozen=True)
class Credential:
    user_id: str
    password_hash: str
    token_version: int  # raised whenever the password is set: older tokens stop working
    changed_at: datetime


@dataclass(frozen=True)
class Account:
    user: User
    credential: Credential | None  # None: no password set yet, the account cannot sign in


@dataclass(frozen=True)
class Tries:
    """The sign-in tries counted for one login name or client address, and when the last was counted."""

    count: int
    last_at: datetime


@dataclass(frozen=True)
class AccessEvent:
    at: datetime
    event: str  # one of auth_tables.ACCESS_EVENTS
    method: str
    route: str
    status: int
    detail: str
    user_id: str | None = None
    account_key: str | None = None
    client_key: str | None = None
    dossier_id: str | None = None  # dossier.read: which dossier (its internal id)
    purpose: str | None = None  # dossier.read: why, in words


_ACCOUNT = (
    select(
        tables.users,
        credentials.c.password_hash,
        credentials.c.token_version,
        credentials.c.changed_at,
    )
    .outerjoin(credentials, credentials.c.user_id == tables.users.c.id)
    .where(tables.users.c.id == bindparam("user_id"))
)


_ACCOUNT_READ = Prepared(_ACCOUNT)


def _account_from(row: Any) -> Account:
    credential = (
        None
        if row.password_hash is None
        else Credential(row.id, row.password_hash, row.token_version, row.changed_at)
    )
    return Account(mapping.user_from(row), credential)


def account_lookup(engine: Engine) -> Callable[[str], Account | None]:
    """The account of a user id, read in one statement on a connection straight from the pool, outside any
    unit of work: the check that runs on every request (`AccessControl.principal`), so it is kept to that one
    statement — no transaction around it (on PostgreSQL the connection is in autocommit for it; on SQLite a
    lone SELECT is its own read transaction), and no SQLAlchemy execution machinery (see prepared.py)."""
    dialect = engine.dialect
    autocommit = dialect.name == "postgresql"

    def lookup(user_id: str) -> Account | None:
        pooled = engine.raw_connection()
        try:
            if autocommit:
                pooled.driver_connection.autocommit = True  # type: ignore[union-attr]
            try:
                rows = _ACCOUNT_READ.rows_on(pooled, engine, {"user_id": user_id})
            finally:
                if autocommit and pooled.is_valid:
                    pooled.driver_connection.autocommit = False  # type: ignore[union-attr]
        finally:
            pooled.close()  # back to the pool
        return _account_from(rows[0]) if rows else None

    return lookup


class SqlAccounts:
    def __init__(self, session_factory: Callable[[], Session], *, read_only: bool = False) -> None:
        self._session_factory = session_factory
        self._read_only = read_only
        self._session: Session | None = None
        self._committed = False

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("SqlAccounts is not re-entrant: make a new one per transaction")
        session = self._session_factory()
        if self._read_only:
            options: dict[str, object] = {READ_ONLY: True}
            if session.get_bind().dialect.name == "postgresql":
                options.update(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            session.connection(execution_options=options)
        self._session, self._committed = session, False
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        session, self._session = self._active(), None
        try:
            if not self._committed:
                session.rollback()
        finally:
            session.close()

    def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("a read-only SqlAccounts cannot commit")
        self._active().commit()
        self._committed = True

    # --- reads ----------------------------------------------------------------------------------------------

    def account(self, user_id: str) -> Account | None:
        rows = list(self._active().execute(_ACCOUNT, {"user_id": user_id}))
        return _account_from(rows[0]) if rows else None

    def events(
        self, *, limit: int, event: str | None = None, dossier_id: str | None = None
    ) -> list[AccessEvent]:
        """The newest access events first (for the operator, the auditor and the tests); only those of one
        kind, or about one dossier, when asked."""
        columns = access_log.c
        statement = select(access_log).order_by(columns.number.desc()).limit(limit)
        if event is not None:
            statement = statement.where(columns.event == event)
        if dossier_id is not None:
            statement = statement.where(columns.dossier_id == dossier_id)
        return [
            AccessEvent(
                at=row.at,
                event=row.event,
                method=row.method,
                route=row.route,
                status=row.status,
                detail=row.detail,
                user_id=row.user_id,
                account_key=row.account_key,
                client_key=row.client_key,
                dossier_id=row.dossier_id,
                purpose=row.purpose,
            )
            for row in self._active().execute(statement)
        ]

    def session_is_open(self, session_key: str) -> bool:
        """Whether the browser session with this key is signed in (not signed out, not purged)."""
        statement = select(web_sessions.c.session_key).where(web_sessions.c.session_key == session_key)
        return self._active().execute(statement).first() is not None

    # --- writes ---------------------------------------------------------------------------------------------

    def set_password_hash(self, user_id: str, password_hash: str, at: datetime) -> Credential:
        """A new password: its hash replaces the old one and the token version goes up."""
        session = self._active()
        current = session.execute(
            select(credentials.c.token_version).where(credentials.c.user_id == user_id)
        ).scalar_one_or_none()
        version = 1 if current is None else current + 1
        values = {"password_hash": password_hash, "token_version": version, "changed_at": at}
        if current is None:
            session.execute(insert(credentials).values(user_id=user_id, **values))
        else:
            session.execute(update(credentials).where(credentials.c.user_id == user_id).values(**values))
        return Credential(user_id, password_hash, version, at)

    def rehash(self, user_id: str, old_hash: str, new_hash: str) -> None:
        """The same password under stronger hash parameters; tokens stay valid. A no-op when the password
        changed in between."""
        columns = credentials.c
        statement = (
            update(credentials)
            .where(columns.user_id == user_id, columns.password_hash == old_hash)
            .values(password_hash=new_hash)
        )
        self._active().execute(statement)

    def record(self, *events: AccessEvent) -> None:
        """Access events, in one statement (several: executemany)."""
        rows = [
            {
                "at": event.at,
                "event": event.event,
                "user_id": event.user_id,
                "account_key": event.account_key,
                "client_key": event.client_key,
                "method": event.method[:8],
                "route": event.route[:200],
                "status": event.status,
                "detail": event.detail[:64],
                "dossier_id": event.dossier_id,
                "purpose": None if event.purpose is None else event.purpose[:200],
            }
            for event in events
        ]
        if rows:
            self._active().execute(insert(access_log), rows)

    def lock_tries(self, keys: Iterable[str], at: datetime) -> dict[str, Tries]:
        """The sign-in tries counted for these keys (keyed hashes of a login name or a client address), each
        row made when missing (none counted, at `at`) and locked until the transaction ends. PostgreSQL:
        new rows are inserted and every row is locked (FOR UPDATE) in the order of their keys, so that two
        sign-ins never wait for each other in a circle. SQLite: the transaction holds the write lock."""
        ordered = sorted(set(keys))
        session = self._active()
        rows = [{"key": key, "tries": 0, "last_try_at": at} for key in ordered]
        dialect = session.get_bind().dialect.name
        inserting = postgresql.insert if dialect == "postgresql" else sqlite.insert
        session.execute(inserting(sign_in_tries).values(rows).on_conflict_do_nothing())
        columns = sign_in_tries.c
        statement = (
            select(columns.key, columns.tries, columns.last_try_at)
            .where(columns.key.in_(ordered))
            .order_by(columns.key)
            .with_for_update()
        )
        return {row.key: Tries(row.tries, row.last_try_at) for row in session.execute(statement)}

    def count_tries(self, counts: Mapping[str, int], at: datetime) -> None:
        """Set the tries counted for these (locked) keys, the last of them at `at`."""
        for key in sorted(counts):
            statement = update(sign_in_tries).where(sign_in_tries.c.key == key)
            self._active().execute(statement.values(tries=counts[key], last_try_at=at))

    def forgive_try(self, *, account_key: str, client_key: str | None) -> None:
        """A try that signed in: the login name's count starts again, the client's try no longer counts."""
        columns = sign_in_tries.c
        lowered = {
            account_key: 0,
            **(
                {}
                if client_key is None
                else {client_key: case((columns.tries > 0, columns.tries - 1), else_=0)}
            ),
        }
        for key in sorted(lowered):  # in the order lock_tries locks them
            self._active().execute(update(sign_in_tries).where(columns.key == key).values(tries=lowered[key]))

    def forget_tries(self, before: datetime) -> None:
        """Remove the counts whose last try was before `before` (they count as none anyway); PostgreSQL
        skips rows another sign-in holds, a hundred at a time."""
        columns = sign_in_tries.c
        stale = (
            select(columns.key)
            .where(columns.last_try_at < before)
            .limit(100)
            .with_for_update(skip_locked=True)
        )
        self._active().execute(delete(sign_in_tries).where(columns.key.in_(stale.scalar_subquery())))

    def open_session(self, session_key: str, user_id: str, at: datetime, *, started_before: datetime) -> None:
        """A signed-in browser session; sessions that started before `started_before` (past the absolute
        timeout: no cookie can use them any more) are removed on the way."""
        session = self._active()
        session.execute(delete(web_sessions).where(web_sessions.c.started_at < started_before))
        session.execute(insert(web_sessions).values(session_key=session_key, user_id=user_id, started_at=at))

    def close_session(self, session_key: str) -> None:
        """Signed out: the session's cookie no longer counts, also a copy of it."""
        self._active().execute(delete(web_sessions).where(web_sessions.c.session_key == session_key))

    def secret(self, name: str, make: Callable[[], str], at: datetime) -> str:
        """The instance secret `name`, made and stored by the first process that asks for it."""
        session = self._active()
        row = {"name": name, "value": make(), "created_at": at}
        dialect = session.get_bind().dialect.name
        statement = (
            postgresql.insert(instance_secrets).values(row).on_conflict_do_nothing()
            if dialect == "postgresql"
            else sqlite.insert(instance_secrets).values(row).on_conflict_do_nothing()
        )
        session.execute(statement)
        value = session.execute(
            select(instance_secrets.c.value).where(instance_secrets.c.name == name)
        ).scalar_one()
        return str(value)

    def _active(self) -> Session:
        if self._session is None:
            raise RuntimeError("SqlAccounts is used outside its `with` block")
        return self._session
