"""The decision log: one entry per state change, hash-chained, verifiable without the application.

An entry's hash is the sha256 of the canonical encoding of all its other fields: JSON with sorted keys, no
whitespace, `ensure_ascii=False`, UTF-8. Each entry names the hash of the one before (the first names
`GENESIS`). The anchor (the head's sequence and hash) is stored apart from the entries and updated in the same
transaction; it is what reveals the deletion of the newest entries. A head printed by `log verify` and kept
outside the database is a checkpoint: it reveals a rewrite of the whole chain, anchor included.

The log holds no direct identifiers: internal ids, and the derived facts the rules used (an age, not a birth
date; never the dossier reference). Free texts that may name people (a committee motivation, a cancellation
reason) are kept on the request; the log holds their sha256.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True)
class Anchor:
    """The head of the chain: the newest entry's sequence number and hash (0 and GENESIS when empty)."""

    sequence: int
    hash: str

    @classmethod
    def empty(cls) -> Anchor:
        return cls(0, GENESIS)

    def __str__(self) -> str:
        return f"{self.sequence} {self.hash}"


@dataclass(frozen=True)
class LogEntry:
    sequence: int
    recorded_at: str  # UTC, ISO 8601
    actor_id: str
    action: str  # e.g. "aid.submitted", "envelope.adjusted"
    subjects: Mapping[str, str]  # what the act was about, by internal id: {"aid_request": …, "envelope": …}
    outcome: str | None  # the engine's outcome, the committee's ruling, …
    facts: Mapping[str, Any] | None  # Decision.facts.to_json()
    policy_version: str | None
    matched: tuple[str, ...]  # rule ids
    reasons: tuple[Mapping[str, Any], ...]  # every reason, as reason_to_json
    balances: Mapping[str, Mapping[str, str]]  # per envelope id: {"before": "…", "after": "…"} available
    details: Mapping[str, str]  # amounts, dates, hashes of free texts
    previous_hash: str
    hash: str

    def content(self) -> dict[str, Any]:
        """Every field except the hash, as plain JSON values."""
        return {
            "sequence": self.sequence,
            "recorded_at": self.recorded_at,
            "actor_id": self.actor_id,
            "action": self.action,
            "subjects": dict(self.subjects),
            "outcome": self.outcome,
            "facts": None if self.facts is None else dict(self.facts),
            "policy_version": self.policy_version,
            "matched": list(self.matched),
            "reasons": [dict(reason) for reason in self.reasons],
            "balances": {envelope: dict(figures) for envelope, figures in self.balances.items()},
            "details": dict(self.details),
            "previous_hash": self.previous_hash,
        }

    def computed_hash(self) -> str:
        return hashlib.sha256(canonical(self.content())).hexdigest()

    @property
    def anchor(self) -> Anchor:
        return Anchor(self.sequence, self.hash)

    def to_json(self) -> dict[str, Any]:
        return {**self.content(), "hash": self.hash}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LogEntry:
        names = {f.name for f in fields(cls)}
        if set(data) != names:
            raise ValueError(f"a log entry has exactly the fields {sorted(names)}")
        values = dict(data)
        values["matched"] = tuple(values["matched"])
        values["reasons"] = tuple(values["reasons"])
        return cls(**values)


def canonical(content: Mapping[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chain(
    head: Anchor,
    *,
    recorded_at: str,
    actor_id: str,
    action: str,
    subjects: Mapping[str, str],
    outcome: str | None = None,
    facts: Mapping[str, Any] | None = None,
    policy_version: str | None = None,
    matched: Sequence[str] = (),
    reasons: Sequence[Mapping[str, Any]] = (),
    balances: Mapping[str, Mapping[str, str]] | None = None,
    details: Mapping[str, str] | None = None,
) -> LogEntry:
    """The next entry after `head`, with its hash."""
    unsigned = LogEntry(
        sequence=head.sequence + 1,
        recorded_at=recorded_at,
        actor_id=actor_id,
        action=action,
        subjects=dict(subjects),
        outcome=outcome,
        facts=None if facts is None else dict(facts),
        policy_version=policy_version,
        matched=tuple(matched),
        reasons=tuple(dict(reason) for reason in reasons),
        balances={envelope: dict(figures) for envelope, figures in (balances or {}).items()},
        details=dict(details or {}),
        previous_hash=head.hash,
        hash="",
    )
    return replace(unsigned, hash=unsigned.computed_hash())


@dataclass(frozen=True)
class Verification:
    """The result of walking the chain. `first_bad`: the first sequence number that is not as it should be."""

    checked: int  # entries walked
    head: Anchor  # the last entry read (not necessarily a good one)
    first_bad: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad is None


def verify(
    entries: Iterable[LogEntry], anchor: Anchor, *, checkpoints: Iterable[Anchor] = ()
) -> Verification:
    """Walk the entries (in the order stored, which must be by sequence) and name the first bad one.

    Detects: an edited field (the hash does not match the content); a deleted, inserted or reordered entry (a
    sequence gap or repeat, or a previous hash that does not match); deleted newest entries (the stored anchor
    names a later head); and a rewritten chain (a checkpoint kept outside the database does not match).
    """
    expected = {cp.sequence: cp for cp in checkpoints}
    head, count = Anchor.empty(), 0
    for entry in entries:
        sequence = head.sequence + 1
        if entry.sequence != sequence:
            found = f"entry {entry.sequence} is where entry {sequence} should be"
            what = "deleted" if entry.sequence > sequence else "inserted, repeated or reordered"
            return Verification(count, head, sequence, f"{found}: an entry was {what}")
        if entry.computed_hash() != entry.hash:
            return Verification(
                count, head, sequence, f"entry {sequence} was edited: its hash does not match"
            )
        if entry.previous_hash != head.hash:
            return Verification(
                count,
                head,
                sequence,
                f"entry {sequence} does not follow entry {head.sequence}: its previous hash does not match "
                f"(an entry was inserted, deleted or reordered, or entry {head.sequence} was rewritten)",
            )
        checkpoint = expected.pop(sequence, None)
        if checkpoint is not None and checkpoint.hash != entry.hash:
            return Verification(
                count, head, sequence, f"entry {sequence} is not the one the checkpoint {checkpoint} names"
            )
        head, count = entry.anchor, count + 1
    if head.sequence < anchor.sequence:
        return Verification(
            count,
            head,
            head.sequence + 1,
            f"entries {head.sequence + 1} to {anchor.sequence} are missing: the anchor names {anchor}",
        )
    if head.sequence > anchor.sequence:
        return Verification(
            count,
            head,
            anchor.sequence + 1,
            f"entries after {anchor.sequence} were added without the anchor: it names {anchor}",
        )
    if head.hash != anchor.hash:
        return Verification(count, head, head.sequence, f"the head is not the anchor {anchor}")
    if expected:
        later = min(expected)
        return Verification(
            count, head, head.sequence + 1, f"the checkpoint {expected[later]} is past the end"
        )
    return Verification(count, head)
