"""`mandaat log ...`: verify the decision log's chain, export it, replay its decisions.

All three read from one snapshot (a read-only transaction) and never wait for, or block, the writers.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from api.cli_db import DatabaseOption, opened, reading
from api.cli_rules import BAD_INPUT, fail, settings_for
from envelopes.domain.errors import DomainError
from envelopes.domain.log import Anchor, LogEntry
from envelopes.domain.policies import PolicyVersion
from envelopes.domain.reasons import reason_to_json
from envelopes.services import DecisionEngine, verify_log
from envelopes.services.engine import PolicyIntegrityError
from rules import EngineError, Facts, Policy, decide

LOG_BROKEN = 1
REPLAY_DIFFERS = 1

#: The actions whose entry holds an engine decision (facts, policy version, matched rules, reasons).
DECISION_ACTIONS = frozenset({"aid.submitted", "aid.resubmitted"})

_CHECKPOINT = re.compile(r"^([1-9][0-9]*):([0-9a-f]{64})$")

AfterOption = Annotated[
    int, typer.Option("--after", metavar="N", min=0, help="Only the entries with a sequence number above N.")
]


def create_log_app() -> typer.Typer:
    app = typer.Typer(
        name="log",
        help="Verify, export and replay the decision log.",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    app.command("verify")(verify)
    app.command("export")(export)
    app.command("replay")(replay)
    return app


# --- verify -----------------------------------------------------------------------------------------------


def verify(
    db: DatabaseOption = None,
    checkpoints: Annotated[
        list[str] | None,
        typer.Option(
            "--checkpoint",
            metavar="SEQ:HASH",
            help="A head printed by an earlier `log verify` and kept outside the database (repeatable).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check the whole chain against its stored anchor and the checkpoints given, and the ledger's running
    totals against its amounts.

    Detects an edited field, a deleted, inserted or reordered entry, deleted newest entries, and (with a
    checkpoint) a chain rewritten together with its anchor; and a ledger entry whose running totals (the
    balance decisions read) are not the sums of the entries up to it. Exit 0 and the head when both are
    whole; exit 1 naming the first bad log entry or each broken envelope otherwise; 2 bad input."""
    anchors = [parse_checkpoint(text) for text in checkpoints or ()]
    with opened(settings_for(db)) as mandaat:
        with unreadable_rows("FAILED: the log is broken"):
            result = verify_log(reading(mandaat), checkpoints=anchors)
        with unreadable_rows("FAILED: the ledger is broken"):
            ledger = mandaat.views.ledger_check()
    for problem in ledger.problems:
        typer.echo(f"FAILED: the ledger is broken: {problem}")
    if not result.ok:
        typer.echo(f"FAILED: the log is broken at entry {result.first_bad}: {result.problem}")
        typer.echo(f"the {_entries(result.checked)} before it are whole, up to head {result.head}")
        typer.echo(
            f"Entries from {result.first_bad} on cannot be trusted: compare them with a backup or an earlier "
            "`mandaat log export`, and find out who had write access to the database."
        )
        raise typer.Exit(LOG_BROKEN)
    matched = f"; {len(anchors)} checkpoint(s) match" if anchors else ""
    typer.echo(f"OK: the log is whole: {_entries(result.checked)}, ending at the stored anchor{matched}")
    if ledger.problems:
        typer.echo(
            "The balances decisions read are those running totals: find out who wrote these entries past "
            "Mandaat, and compare them with a backup."
        )
        raise typer.Exit(LOG_BROKEN)
    typer.echo(
        f"OK: the ledger adds up: each of its {ledger.entries} entries carries the sums of the entries up "
        "to it"
    )
    typer.echo(f"head {result.head}")
    if result.head.sequence > 0:
        typer.echo(
            "Keep the head line outside the database; pass it later as "
            f"--checkpoint {result.head.sequence}:{result.head.hash} to detect a rewritten chain."
        )


@contextmanager
def unreadable_rows(what: str) -> Iterator[None]:
    """A row that no longer decodes as a log entry (say, broken JSON written past Mandaat) is a broken log."""
    try:
        yield
    except (ValueError, TypeError, KeyError) as error:
        fail(
            f"{what}: a stored row is not a readable log entry ({type(error).__name__}: {error}); it was "
            "changed outside Mandaat. Compare the log with a backup or an earlier export.",
            LOG_BROKEN,
        )


def _entries(count: int) -> str:
    return "1 entry" if count == 1 else f"{count} entries"


def parse_checkpoint(text: str) -> Anchor:
    found = _CHECKPOINT.match(text.strip())
    if found is None:
        raise typer.BadParameter(
            f"{text!r} is not SEQ:HASH (a sequence number from 1 and the entry's 64 hex digits, as printed "
            "by `mandaat log verify`)",
            param_hint="--checkpoint",
        )
    return Anchor(int(found[1]), found[2])


# --- export -----------------------------------------------------------------------------------------------


def export(
    target: Annotated[
        str,
        typer.Argument(metavar="FILE|-", help="Where to write; '-' is standard output.", show_default=False),
    ] = "-",
    db: DatabaseOption = None,
    after: AfterOption = 0,
) -> None:
    """Write the log as JSON Lines, one entry per line, in sequence order: every field the hash covers, and
    the hash (sha256 of the canonical JSON — sorted keys, no whitespace, UTF-8 — of the line without
    "hash"), so that the chain can be checked without Mandaat. A FILE is written whole or not at all."""
    with opened(settings_for(db)) as mandaat, unreadable_rows("the export stopped"):
        uow = reading(mandaat)
        with uow:
            if target == "-":
                sys.stdout.flush()
                count, last = write_lines(uow.log.entries(after), sys.stdout.buffer)
            else:
                count, last = _export_to_file(uow.log.entries(after), Path(target))
    where = "standard output" if target == "-" else target
    span = f"entries {after + 1} to {last}" if count else f"no entries after {after}"
    typer.echo(f"exported {count} entries ({span}) to {where}", err=True)


def write_lines(entries: Iterable[LogEntry], out: IO[bytes]) -> tuple[int, int]:
    """Write one JSON line per entry as it is read; returns the count and the last sequence number."""
    count, last = 0, 0
    for entry in entries:
        line = json.dumps(entry.to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        out.write(line.encode("utf-8") + b"\n")
        count, last = count + 1, entry.sequence
    out.flush()
    return count, last


def _export_to_file(entries: Iterable[LogEntry], target: Path) -> tuple[int, int]:
    """Written next to `target` under a temporary name, then renamed: never a half-written export."""
    folder = target.parent
    if not folder.is_dir():
        fail(f"{target}: the folder {folder} does not exist", BAD_INPUT)
    try:
        handle, partial = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".partial")
    except OSError as error:
        fail(f"{target}: cannot write in {folder}: {error.strerror}", BAD_INPUT)
    try:
        with os.fdopen(handle, "wb") as out:
            counted = write_lines(entries, out)
        Path(partial).replace(target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return counted


# --- replay -----------------------------------------------------------------------------------------------


def replay(db: DatabaseOption = None, after: AfterOption = 0) -> None:
    """Decide every logged decision again, from the derived facts it logged, against the policy version it
    names (its stored rule files), and report every difference in outcome, matched rules or reasons (rule,
    texts, basis, figures). Exit 0 when none differs, 1 otherwise."""
    with opened(settings_for(db)) as mandaat, unreadable_rows("the replay stopped"):
        uow = reading(mandaat)
        with uow:
            replayer = Replayer({v.version: v for v in uow.policies.all()}, mandaat.decisions)
            for entry in uow.log.entries(after):
                for line in replayer.replay(entry):
                    typer.echo(line)
    typer.echo(
        f"replayed {replayer.decisions} decisions against {len(replayer.versions_used)} policy versions: "
        f"{replayer.differing} differences"
    )
    if replayer.differing:
        typer.echo(
            "A difference means the logged decision was changed (run `mandaat log verify`), or the rule "
            "engine now decides differently than when it logged it (check what changed in `rules/`).",
            err=True,
        )
        raise typer.Exit(REPLAY_DIFFERS)


class Replayer:
    """Replays decision entries one at a time; counts them, and the ones that differ."""

    def __init__(self, stored: Mapping[str, PolicyVersion], engine: DecisionEngine) -> None:
        self._stored = stored
        self._engine = engine
        self._policies: dict[str, Policy | str] = {}  # version -> compiled policy, or why it cannot be
        self.decisions = 0
        self.differing = 0
        self.versions_used: set[str] = set()

    def replay(self, entry: LogEntry) -> list[str]:
        """The differences of one entry, as lines naming it (none when it is not a decision, or agrees)."""
        if entry.action not in DECISION_ACTIONS:
            return []
        self.decisions += 1
        problems = self._differences(entry)
        if problems:
            self.differing += 1
        subject = entry.subjects.get("aid_request", "?")
        return [f"entry {entry.sequence} ({entry.action}, aid request {subject}): {p}" for p in problems]

    def _differences(self, entry: LogEntry) -> list[str]:
        if entry.facts is None or entry.policy_version is None:
            return ["it logged no facts or no policy version: it cannot be replayed"]
        self.versions_used.add(entry.policy_version)
        policy = self._policy(entry.policy_version)
        if isinstance(policy, str):
            return [policy]
        try:
            facts = Facts.from_json(entry.facts)
        except (KeyError, TypeError, ValueError) as error:
            return [f"its facts cannot be read ({type(error).__name__}: {error})"]
        try:
            decision = decide(policy, facts)
        except EngineError as error:
            return [f"the rule engine failed on its facts: {error}"]
        problems = []
        if decision.outcome.value != entry.outcome:
            problems.append(f"outcome logged {entry.outcome}, replayed {decision.outcome.value}")
        if tuple(decision.matched) != tuple(entry.matched):
            problems.append(f"matched rules logged {list(entry.matched)}, replayed {list(decision.matched)}")
        replayed = [reason_to_json(reason) for reason in decision.reasons]
        problems.extend(reason_differences([dict(r) for r in entry.reasons], replayed))
        return problems

    def _policy(self, version: str) -> Policy | str:
        if version not in self._policies:
            self._policies[version] = self._compile(version)
        return self._policies[version]

    def _compile(self, version: str) -> Policy | str:
        stored = self._stored.get(version)
        if stored is None:
            return f"its policy version {version} is not stored"
        try:
            return self._engine.policy(stored)
        except (DomainError, PolicyIntegrityError) as error:
            return f"its policy version {version} cannot be loaded: {error}"


def reason_differences(logged: list[dict[str, Any]], replayed: list[dict[str, Any]]) -> list[str]:
    """Reasons compared by rule id: missing, extra, or different in a field (text, basis, figures)."""
    if logged == replayed:
        return []
    before = {reason["rule"]: reason for reason in logged}
    after = {reason["rule"]: reason for reason in replayed}
    problems = [
        f"reason {rule} was logged but not replayed: {before[rule].get('text_nl')!r}"
        for rule in before
        if rule not in after
    ]
    problems += [
        f"reason {rule} was replayed but not logged: {after[rule].get('text_nl')!r}"
        for rule in after
        if rule not in before
    ]
    for rule in [rule for rule in before if rule in after]:
        for name in sorted(before[rule].keys() | after[rule].keys()):
            was, now = before[rule].get(name), after[rule].get(name)
            if was != now:
                problems.append(f"reason {rule}: {name} logged {was!r}, replayed {now!r}")
    if not problems:
        problems.append(f"reasons in another order: logged {list(before)}, replayed {list(after)}")
    return problems
