"""Read-side queries the web pages need beyond `views.py`: who a browser session belongs to, spending per
month, the decision log filtered and newest first, the facts the rules saw for open escalations, the
committee's decided items, and counts per status.

Like `views.py`: one read-only snapshot per call, domain objects or small read models out, no writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, String, cast, func, or_, select
from sqlalchemy.orm import Session

from envelopes.domain.aid_requests import AidRequest, AidStatus
from envelopes.domain.envelopes import EntryKind
from envelopes.domain.ids import BRUSSELS
from envelopes.domain.log import LogEntry
from envelopes.domain.users import User
from envelopes.persistence import auth_tables, mapping, tables
from envelopes.persistence.database import READ_ONLY

DECISION_ACTIONS = ("aid.submitted", "aid.resubmitted")
SCAN_BATCH = 500
MAX_SCANNED = 20_000  # a themed search reads at most this many entries per page


@dataclass(frozen=True)
class LogFilter:
    """What the auditor filters the decision log on; None is "any". Dates are Brussels calendar dates."""

    since: date | None = None
    until: date | None = None
    actor_id: str | None = None
    action: str | None = None
    theme: str | None = None


@dataclass(frozen=True)
class LogPage:
    entries: list[LogEntry]
    older: int | None  # pass as `before` for the next (older) page; None: no more


class SqlWebViews:
    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self._session_factory = session_factory

    # --- sessions -------------------------------------------------------------------------------------------

    def session_account(self, user_id: str) -> tuple[User, int] | None:
        """The user and their credentials' token version (raised by every new password); None when the
        account does not exist or has no password."""
        users, credentials = tables.users, auth_tables.credentials
        statement = (
            select(users, credentials.c.token_version)
            .join(credentials, credentials.c.user_id == users.c.id)
            .where(users.c.id == user_id)
        )
        with self._snapshot() as session:
            rows = list(session.execute(statement))
        return (mapping.user_from(rows[0]), int(rows[0].token_version)) if rows else None

    # --- aid requests ---------------------------------------------------------------------------------------

    def status_counts(self, *, caseworker_id: str | None) -> dict[AidStatus, int]:
        requests, dossiers = tables.aid_requests, tables.client_dossiers
        statement: Select[Any] = select(requests.c.status, func.count()).group_by(requests.c.status)
        if caseworker_id is not None:
            statement = statement.join(dossiers, dossiers.c.id == requests.c.dossier_id).where(
                dossiers.c.caseworker_id == caseworker_id
            )
        with self._snapshot() as session:
            return {AidStatus(status): int(count) for status, count in session.execute(statement)}

    def decided_by_committee(self, *, limit: int, offset: int = 0) -> list[AidRequest]:
        """Requests the committee ruled on (approved another or the same amount, refused, returned)."""
        columns = tables.aid_requests.c
        statement = (
            select(tables.aid_requests)
            .where(columns.decided_by.is_not(None))
            .order_by(columns.date.desc(), columns.id)
            .limit(limit)
            .offset(offset)
        )
        with self._snapshot() as session:
            return [mapping.aid_request_from(row) for row in session.execute(statement)]

    def decision_entries(self, request_ids: Sequence[str]) -> dict[str, LogEntry]:
        """Per aid request, the newest log entry of the engine deciding it (submitted or resubmitted): the
        facts the rules saw, the policy version, the rules that matched."""
        if not request_ids:
            return {}
        columns = tables.log_entries.c
        text = cast(columns.subjects, String)
        statement = (
            select(tables.log_entries)
            .where(columns.action.in_(DECISION_ACTIONS))
            .where(or_(*(text.contains(request_id) for request_id in request_ids)))
            .order_by(columns.sequence)
        )
        wanted, found = set(request_ids), {}
        with self._snapshot() as session:
            for row in session.execute(statement):
                entry = mapping.log_from(row)
                request_id = entry.subjects.get("aid_request")
                if request_id in wanted:
                    found[request_id] = entry  # in sequence order: the newest wins
        return found

    # --- envelopes ------------------------------------------------------------------------------------------

    def monthly_spending(self, year: int) -> dict[str, list[int]]:
        """Per theme, the net commitments (commitments minus released commitments) recorded in each month of
        `year` (Brussels time), in cents: twelve numbers."""
        entries, envelopes = tables.ledger_entries.c, tables.envelopes.c
        statement = (
            select(envelopes.theme, entries.kind, entries.amount, entries.recorded_at)
            .join(tables.envelopes, envelopes.id == entries.envelope_id)
            .where(envelopes.year == year)
            .where(
                or_(
                    entries.kind == EntryKind.COMMITMENT.value,
                    (entries.kind == EntryKind.RELEASE.value)
                    & (entries.releases == EntryKind.COMMITMENT.value),
                )
            )
        )
        spending: dict[str, list[int]] = {}
        with self._snapshot() as session:
            for theme, kind, amount, recorded_at in session.execute(statement):
                months = spending.setdefault(theme, [0] * 12)
                local = recorded_at.astimezone(BRUSSELS)
                if local.year != year:
                    continue  # committed in another calendar year than the envelope's: not in a month
                sign = 1 if kind == EntryKind.COMMITMENT.value else -1
                months[local.month - 1] += sign * int(amount)
        return spending

    # --- the decision log -----------------------------------------------------------------------------------

    def log_page(
        self,
        wanted: LogFilter,
        *,
        before: int | None,
        limit: int,
        envelope_themes: dict[str, str],
    ) -> LogPage:
        """The entries matching `wanted`, newest first, older than `before`. The theme is checked on each
        entry (its facts, or the envelopes it names, via `envelope_themes`), so a themed search reads the
        log in batches."""
        columns = tables.log_entries.c
        statement: Select[Any] = select(tables.log_entries).order_by(columns.sequence.desc())
        if wanted.since is not None:
            statement = statement.where(columns.recorded_at >= _utc_text(wanted.since))
        if wanted.until is not None:
            statement = statement.where(columns.recorded_at < _utc_text(wanted.until + timedelta(days=1)))
        if wanted.actor_id:
            statement = statement.where(columns.actor_id == wanted.actor_id)
        if wanted.action:
            statement = statement.where(columns.action == wanted.action)
        batch_size = SCAN_BATCH if wanted.theme else limit + 1
        found: list[LogEntry] = []
        cursor, scanned, exhausted = before, 0, False
        with self._snapshot() as session:
            while len(found) <= limit and scanned < MAX_SCANNED:
                page = statement.limit(batch_size)
                if cursor is not None:
                    page = page.where(columns.sequence < cursor)
                batch = [mapping.log_from(row) for row in session.execute(page)]
                found += [
                    e for e in batch if not wanted.theme or wanted.theme in entry_themes(e, envelope_themes)
                ]
                scanned += len(batch)
                if len(batch) < batch_size:
                    exhausted = True
                    break
                cursor = batch[-1].sequence
        if len(found) > limit:
            return LogPage(found[:limit], found[limit - 1].sequence)
        return LogPage(found, None if exhausted else cursor)

    def log_actors(self) -> list[str]:
        columns = tables.log_entries.c
        with self._snapshot() as session:
            return [
                actor
                for (actor,) in session.execute(
                    select(columns.actor_id).distinct().order_by(columns.actor_id)
                )
            ]

    def log_actions(self) -> list[str]:
        columns = tables.log_entries.c
        with self._snapshot() as session:
            return [
                action
                for (action,) in session.execute(select(columns.action).distinct().order_by(columns.action))
            ]

    def log_entry(self, sequence: int) -> LogEntry | None:
        statement = select(tables.log_entries).where(tables.log_entries.c.sequence == sequence)
        with self._snapshot() as session:
            rows = list(session.execute(statement))
        return mapping.log_from(rows[0]) if rows else None

    @contextmanager
    def _snapshot(self) -> Iterator[Session]:
        with self._session_factory() as session:
            options: dict[str, object] = {READ_ONLY: True}
            if session.get_bind().dialect.name == "postgresql":
                options.update(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            session.connection(execution_options=options)
            try:
                yield session
            finally:
                session.rollback()


ENVELOPE_SUBJECTS = ("envelope", "from_envelope", "to_envelope")


def entry_themes(entry: LogEntry, envelope_themes: dict[str, str]) -> set[str]:
    """The themes a log entry is about: its facts' theme, and the themes of the envelopes it names."""
    themes = {
        envelope_themes[e] for key in ENVELOPE_SUBJECTS if (e := entry.subjects.get(key)) in envelope_themes
    }
    if entry.facts and isinstance(entry.facts.get("theme"), str):
        themes.add(entry.facts["theme"])
    if entry.details.get("theme"):
        themes.add(entry.details["theme"])
    return themes


def _utc_text(day: date) -> str:
    """The start of a Brussels calendar day as the log writes moments (UTC ISO 8601), for text comparison."""
    start = datetime.combine(day, time(0), tzinfo=BRUSSELS).astimezone(UTC)
    return start.isoformat(timespec="microseconds")
