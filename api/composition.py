"""The composition root: the one place where adapters are chosen and wired. Nothing happens at import time.

`build(settings)` makes everything one process needs: its database engines (pools per process: each worker of
`mandaat serve` builds its own; on SQLite the writers share one connection, see `Databases`), the decision
engine (compiles each policy version once, on first use), the read side, and sign-in and access. Tests pass
their own clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from api.auth.access import AccessControl, InstanceKey, Throttle
from api.auth.passwords import Passwords
from api.settings import Settings
from envelopes.persistence.accounts import SqlAccounts, account_lookup
from envelopes.persistence.database import Databases, make_databases, make_session_factory
from envelopes.persistence.unit_of_work import SqlUnitOfWork
from envelopes.persistence.views import SqlViews
from envelopes.services import DecisionEngine, rules_engine
from envelopes.services.common import utc_now
from envelopes.unit_of_work import UnitOfWork

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Mandaat:
    """Everything a use case needs, wired for one process."""

    settings: Settings
    database: Engine  # for reading (on SQLite the writers have a connection of their own: see `Databases`)
    uow: Callable[[], UnitOfWork]  # a new unit of work per use case
    read_uow: Callable[
        [], UnitOfWork
    ]  # one that only reads (previews, verification): never waits for writers
    decisions: DecisionEngine
    clock: Clock
    views: SqlViews  # the read side
    access: AccessControl  # sign-in, tokens, the access log
    databases: Databases

    def close(self) -> None:
        self.databases.dispose()


def build(settings: Settings, *, clock: Clock = utc_now, decisions: DecisionEngine | None = None) -> Mandaat:
    """`decisions`: an engine to share (tests share one, so that a policy is compiled once per session)."""
    databases = make_databases(settings.database_url)
    sessions, writing = make_session_factory(databases.reads), make_session_factory(databases.writes)

    def accounts(read_only: bool = False) -> SqlAccounts:
        return SqlAccounts(sessions if read_only else writing, read_only=read_only)

    secret = None if settings.secret_key is None else settings.secret_key.get_secret_value()
    access = AccessControl(
        accounts=accounts,
        account_of=account_lookup(databases.reads),
        passwords=Passwords(
            time_cost=settings.argon2_time_cost,
            memory_kib=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
        ),
        key=InstanceKey(secret, accounts, clock),
        token_ttl=timedelta(minutes=settings.token_ttl_minutes),
        throttle=Throttle(
            account_failures=settings.login_failure_limit,
            client_failures=settings.login_client_failure_limit,
            lockout=timedelta(seconds=settings.login_lockout_seconds),
        ),
        clock=clock,
    )
    return Mandaat(
        settings=settings,
        database=databases.reads,
        uow=lambda: SqlUnitOfWork(writing),
        read_uow=lambda: SqlUnitOfWork(sessions, read_only=True),
        decisions=decisions or rules_engine(),
        clock=clock,
        views=SqlViews(sessions),
        access=access,
        databases=databases,
    )
