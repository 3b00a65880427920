"""The tables of sign-in and access: password credentials, the access log, the sign-in throttle's counts,
browser sessions, and the instance's own secrets.

They share `tables.metadata` (one schema, one Alembic history; revision 0002 creates them, 0004 adds the
dossier reads and the browser sessions, 0006 the throttle's counts) but belong to the way in, not to the
budget domain: the domain `User` knows nothing of passwords, and nothing here enters the decision log.

- `credentials`: one argon2 hash per user and a token version, raised whenever the password is set, so that
  every access token issued before stops working.
- `access_log`: sign-ins that succeeded, failed or were throttled, and refused requests. No passwords, no
  login names that match no account, no client addresses: those are kept only as keyed hashes
  (`account_key`, `client_key`), enough to count failures for throttling and to correlate, not to identify.
  And every read of a client dossier (`dossier.read`): who (`user_id`), when, which dossier (`dossier_id`, the
  internal id: never the case-file reference) and why (`detail`, a fixed word, and `purpose`, in words).
- `sign_in_tries`: the sign-in tries counted for a login name or a client address (by the same keyed hashes),
  and when the last was counted. A try is counted before its password is checked, in the transaction that
  decides whether it may be checked at all, with this row locked: parallel tries cannot all pass the limit.
- `web_sessions`: the signed-in browser sessions, by a keyed hash of their id. A session cookie counts only
  while its row is there: signing out deletes it, so a copy of the cookie is refused afterwards.
- `instance_secrets`: secrets this installation generated for itself (the token signing key when the
  settings give none), shared by every worker process.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
)

from envelopes.persistence.tables import UtcDateTime, metadata, users

ACCESS_EVENTS = (
    "login.succeeded",
    "login.failed",
    "login.throttled",
    "access.refused",
    "password.set",
    "dossier.read",
)

credentials = Table(
    "credentials",
    metadata,
    Column("user_id", ForeignKey(users.c.id), primary_key=True),
    Column("password_hash", String(255), nullable=False),
    Column("token_version", Integer, nullable=False),
    Column("changed_at", UtcDateTime, nullable=False),
    CheckConstraint("token_version >= 1", name="token_version"),
)

access_log = Table(
    "access_log",
    metadata,
    Column("number", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("event", String(32), nullable=False),
    Column("user_id", String(64)),  # an existing account only
    Column("account_key", String(64)),  # keyed hash of the login name that was tried
    Column("client_key", String(64)),  # keyed hash of the client's address
    Column("method", String(8), nullable=False),
    Column("route", String(200), nullable=False),  # the route's template, never the URL as sent
    Column("status", Integer, nullable=False),
    Column("detail", String(64), nullable=False),  # a fixed word: wrong_password, role, case_work, …
    Column("dossier_id", String(64)),  # dossier.read: the dossier's internal id
    Column("purpose", String(200)),  # dossier.read: why, in words (at the command line, the operator's)
    CheckConstraint("event IN (" + ", ".join(f"'{event}'" for event in ACCESS_EVENTS) + ")", name="event"),
    Index("ix_access_log_account_key_at", "account_key", "at"),
    Index("ix_access_log_client_key_at", "client_key", "at"),
    Index("ix_access_log_dossier_id_at", "dossier_id", "at"),
)

sign_in_tries = Table(
    "sign_in_tries",
    metadata,
    Column("key", String(64), primary_key=True),  # keyed hash of a login name, or of a client address
    Column("tries", Integer, nullable=False),  # counted since the last pause of a lockout (or success)
    Column("last_try_at", UtcDateTime, nullable=False),
    CheckConstraint("tries >= 0", name="tries"),
    Index("ix_sign_in_tries_last_try_at", "last_try_at"),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("session_key", String(64), primary_key=True),  # keyed hash of the session id in the cookie
    Column("user_id", ForeignKey(users.c.id), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Index("ix_web_sessions_started_at", "started_at"),
)

instance_secrets = Table(
    "instance_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(128), nullable=False),  # hex
    Column("created_at", UtcDateTime, nullable=False),
)
