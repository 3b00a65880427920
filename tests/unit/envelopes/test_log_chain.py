"""The decision log's hash chain: `verify` names the first bad entry for every kind of tampering."""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import replace
from typing import Any

import pytest

from envelopes.domain.log import GENESIS, Anchor, LogEntry, canonical, chain, verify

FACTS = {"beneficiary_age": 8, "amount": "45.00", "theme": "kleding", "usage": {"x.count": 0}}
REASON = {"rule": "general.mandate_ceiling", "text_nl": "€ 300,00 is meer dan € 250,00", "text_en": "…",
          "basis": "art. 2", "figures": {"max": "250.00"}}  # fmt: skip


def build(count: int = 6) -> list[LogEntry]:
    entries: list[LogEntry] = []
    head = Anchor.empty()
    for n in range(1, count + 1):
        entry = chain(
            head,
            recorded_at=f"2026-11-23T10:00:0{n}.000000+00:00",
            actor_id="carla",
            action="aid.submitted",
            subjects={"aid_request": f"r{n}", "envelope": "e1"},
            outcome="escalate",
            facts=FACTS,
            policy_version="a" * 64,
            matched=("general.mandate_ceiling",),
            reasons=(REASON,),
            balances={"e1": {"before": "100.00", "after": "55.00"}},
            details={"amount": "45.00", "effect": "hold"},
        )
        entries.append(entry)
        head = entry.anchor
    return entries


def anchor_of(entries: list[LogEntry]) -> Anchor:
    return entries[-1].anchor if entries else Anchor.empty()


def test_a_whole_chain_verifies() -> None:
    entries = build()
    result = verify(entries, anchor_of(entries))
    assert result.ok
    assert (result.checked, result.head, result.first_bad) == (6, entries[-1].anchor, None)
    assert entries[0].previous_hash == GENESIS
    assert all(b.previous_hash == a.hash for a, b in itertools.pairwise(entries))


def test_the_hash_is_sha256_over_the_canonical_encoding_of_every_other_field() -> None:
    entry = build(1)[0]
    content = entry.to_json()
    del content["hash"]
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert canonical(entry.content()) == encoded
    assert entry.hash == hashlib.sha256(encoded).hexdigest()
    assert b'": ' not in encoded
    assert b', "' not in encoded
    assert list(json.loads(encoded)) == sorted(content)  # keys sorted
    assert "€".encode() in encoded  # UTF-8, not \u20ac
    assert set(content) == {f for f in LogEntry.__dataclass_fields__ if f != "hash"}


def test_an_entry_survives_a_round_trip_through_json() -> None:
    entry = build(1)[0]
    again = LogEntry.from_json(json.loads(json.dumps(entry.to_json())))
    assert again == entry
    assert again.computed_hash() == entry.hash
    with pytest.raises(ValueError, match="exactly the fields"):
        LogEntry.from_json({**entry.to_json(), "extra": 1})


EDITS: dict[str, Any] = {
    "recorded_at": "2026-11-24T10:00:03.000000+00:00",
    "actor_id": "kees",
    "action": "aid.approved",
    "subjects": {"aid_request": "r9", "envelope": "e1"},
    "outcome": "approve",
    "facts": {**FACTS, "beneficiary_age": 18},
    "policy_version": "b" * 64,
    "matched": (),
    "reasons": ({**REASON, "figures": {"max": "350.00"}},),
    "balances": {"e1": {"before": "100.00", "after": "100.00"}},
    "details": {"amount": "4.50", "effect": "hold"},
    "previous_hash": "f" * 64,
    "hash": "e" * 64,
    "sequence": 4,
}


@pytest.mark.parametrize("field", list(EDITS))
def test_an_edited_field_is_found(field: str) -> None:
    entries = build()
    entries[2] = replace(entries[2], **{field: EDITS[field]})
    result = verify(entries, anchor_of(build()))
    assert not result.ok
    assert result.first_bad == 3
    assert result.checked == 2


def test_an_edited_and_rehashed_entry_breaks_the_link_to_the_next() -> None:
    entries = build()
    edited = replace(entries[2], details={"amount": "4.50", "effect": "hold"})
    entries[2] = replace(edited, hash=edited.computed_hash())
    result = verify(entries, anchor_of(build()))
    assert result.first_bad == 4
    assert "previous hash" in result.problem


@pytest.mark.parametrize(("index", "first_bad"), [(0, 1), (2, 3), (4, 5)])
def test_a_deleted_entry_is_found(index: int, first_bad: int) -> None:
    entries = build()
    anchor = anchor_of(entries)
    del entries[index]
    result = verify(entries, anchor)
    assert result.first_bad == first_bad
    assert "deleted" in result.problem


@pytest.mark.parametrize("count", [1, 2, 6])
def test_deleting_the_newest_entries_is_found_against_the_anchor(count: int) -> None:
    entries = build()
    anchor = anchor_of(entries)
    kept = entries[:-count]
    result = verify(kept, anchor)
    assert result.first_bad == 7 - count
    assert "missing" in result.problem


def test_deleting_the_newest_entries_and_moving_the_anchor_is_found_against_a_checkpoint() -> None:
    entries = build()
    printed_head = anchor_of(entries)  # `log verify` printed it; it was kept outside the database
    kept = entries[:-1]
    assert verify(kept, anchor_of(kept)).ok  # the anchor row was moved back too
    result = verify(kept, anchor_of(kept), checkpoints=[printed_head])
    assert result.first_bad == 6


def test_a_rewritten_chain_is_found_against_a_checkpoint() -> None:
    entries = build()
    checkpoint = entries[3].anchor  # printed by an earlier `log verify`
    forged = rechain([replace(e, actor_id="kees") if e.sequence == 2 else e for e in entries])
    assert verify(forged, anchor_of(forged)).ok  # every hash and the anchor were recomputed
    result = verify(forged, anchor_of(forged), checkpoints=[checkpoint])
    assert result.first_bad == 4
    assert "checkpoint" in result.problem


def rechain(entries: list[LogEntry]) -> list[LogEntry]:
    head, out = Anchor.empty(), []
    for entry in entries:
        fields = {k: v for k, v in entry.content().items() if k not in {"sequence", "previous_hash"}}
        out.append(chain(head, **fields))
        head = out[-1].anchor
    return out


def test_two_swapped_entries_are_found() -> None:
    entries = build()
    anchor = anchor_of(entries)
    entries[2], entries[3] = entries[3], entries[2]
    result = verify(entries, anchor)
    assert result.first_bad == 3
    assert "reordered" in result.problem or "deleted" in result.problem


def test_two_swapped_entries_renumbered_and_rehashed_are_found() -> None:
    entries = build()
    third, fourth = entries[2], entries[3]
    entries[2] = resigned(replace(fourth, sequence=3))
    entries[3] = resigned(replace(third, sequence=4))
    result = verify(entries, anchor_of(build()))
    assert result.first_bad == 3
    assert "previous hash" in result.problem


def resigned(entry: LogEntry) -> LogEntry:
    return replace(entry, hash=entry.computed_hash())


def test_an_inserted_entry_is_found() -> None:
    entries = build()
    anchor = anchor_of(entries)
    forged = chain(entries[1].anchor, recorded_at="x", actor_id="kees", action="aid.approved", subjects={})
    entries.insert(2, forged)
    result = verify(entries, anchor)
    assert result.first_bad == 4
    assert "inserted" in result.problem


def test_entries_appended_without_moving_the_anchor_are_found() -> None:
    entries = build()
    anchor = anchor_of(entries)
    entries.append(chain(anchor, recorded_at="x", actor_id="kees", action="aid.approved", subjects={}))
    result = verify(entries, anchor)
    assert result.first_bad == 7


def test_a_head_that_is_not_the_anchor_is_found() -> None:
    entries = build()
    result = verify(entries, Anchor(6, "d" * 64))
    assert result.first_bad == 6


def test_an_empty_log_verifies_against_an_empty_anchor_only() -> None:
    assert verify([], Anchor.empty()).ok
    assert verify([], Anchor(3, "d" * 64)).first_bad == 1
