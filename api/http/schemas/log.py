"""The decision log, for the auditor: entries in sequence, and the verification of the chain."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from api.http.schemas.common import Public
from envelopes.domain.log import Anchor, LogEntry, Verification


class LogEntryPublic(Public):
    sequence: int
    recorded_at: str = Field(description="UTC, ISO 8601, exactly as hashed")
    actor_id: str
    action: str
    subjects: dict[str, str]
    outcome: str | None
    facts: dict[str, Any] | None
    policy_version: str | None
    matched: list[str]
    reasons: list[dict[str, Any]]
    balances: dict[str, dict[str, str]]
    details: dict[str, str]
    previous_hash: str
    hash: str

    @classmethod
    def of(cls, entry: LogEntry) -> LogEntryPublic:
        content = entry.content()
        return cls(**content, hash=entry.hash)


class LogPage(Public):
    entries: list[LogEntryPublic]
    next_after: int | None = Field(description="pass as `after` for the next page; null at the end")


class AnchorPublic(Public):
    sequence: int
    hash: str

    @classmethod
    def of(cls, anchor: Anchor) -> AnchorPublic:
        return cls(sequence=anchor.sequence, hash=anchor.hash)


class LogVerificationPublic(Public):
    ok: bool
    checked: int = Field(description="entries walked")
    head: AnchorPublic = Field(description="the last entry read; keep it outside Mandaat as a checkpoint")
    first_bad: int | None = Field(description="the first sequence number that is not as it should be")
    problem: str

    @classmethod
    def of(cls, verification: Verification) -> LogVerificationPublic:
        return cls(
            ok=verification.ok,
            checked=verification.checked,
            head=AnchorPublic.of(verification.head),
            first_bad=verification.first_bad,
            problem=verification.problem,
        )
