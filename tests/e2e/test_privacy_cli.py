"""Privacy at the command line: `dossier export` gives a person's data and decisions (GDPR art. 15);
`dossier pseudonymise` removes the identifying data of dossiers closed longer than the retention period while
the decision log still verifies (against a head kept from before) and replays; and the log export for BI holds
no birth dates, case-file references or national-register-number patterns.

Each export is a read of the dossier, written to the access log with its reason (who, when, which dossier by
its id, why) before anything leaves; `dossier reads` lists them.

The history is made in 2024 (a clock in the past), through the use cases; one dossier is made today."""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from api.cli import create_app
from api.composition import build
from api.settings import Settings
from envelopes import services as use
from envelopes.domain.dossiers import NewMember
from envelopes.domain.errors import InvalidTransition
from envelopes.domain.users import Role
from envelopes.services import commands as cmd
from envelopes.services.common import utc_now
from envelopes.services.privacy import REMOVED, closed_dossiers, pseudonymise_dossier
from rules.money import Money

IN_2024 = datetime(2024, 3, 4, 10, 0, tzinfo=UTC)
REFERENCE = "RR-85.06.15-123.45"  # a reference written as a national register number: it happens
CHILD_BORN, PARENT_BORN = date(2012, 7, 19), date(1983, 11, 8)
JUSTIFICATION = "Rijksregisternummer 83.11.08-123.45; huurwaarborg voor de nieuwe woning."
MOTIVATION = "Jan Peeters krijgt 70 euro: de winterschoenen kosten zoveel."
OPEN_REFERENCE, OPEN_BORN = "OCMW-2024-OPEN", date(1990, 2, 14)
RECENT_REFERENCE, RECENT_BORN = "OCMW-RECENT", date(2001, 9, 9)
NATIONAL_NUMBER = re.compile(r"\d{2}\.?\d{2}\.?\d{2}-?\d{3}\.?\d{2}")
HEX_ID = re.compile(r"[0-9a-f]{32}|[0-9a-f]{64}")
CHECKPOINT = re.compile(r"^head (\d+) ([0-9a-f]{64})$", re.M)


def mandaat(*args: str) -> Result:
    return CliRunner().invoke(create_app(), list(args))


@dataclass(frozen=True)
class History:
    url: str
    path: Path
    dossier: str  # closed since 2024
    open_dossier: str  # an escalation from 2024 the committee never ruled on
    recent_dossier: str  # made today


@pytest.fixture
def history(tmp_path: Path) -> History:
    path = tmp_path / "mandaat.db"
    url = f"sqlite:///{path}"
    assert mandaat("db", "upgrade", "--db", url).exit_code == 0
    app = build(Settings(database_url=url), clock=lambda: IN_2024)
    uow, engine, clock = app.uow, app.decisions, app.clock
    try:
        use.bootstrap_admin(cmd.BootstrapAdmin("ada", "Ada"), uow(), clock)
        staff = [("fien", Role.FINANCE), ("carla", Role.CASEWORKER), ("kees", Role.CASEWORKER)]
        for user, role in [*staff, ("cor", Role.COMMITTEE)]:
            use.add_user(cmd.AddUser("ada", user, user.title(), role), uow(), clock)
        for theme in ("kleding", "huisvesting"):
            use.open_envelope(cmd.OpenEnvelope("fien", theme, 2024, Money(2000_00)), uow(), clock)
        members = (NewMember(CHILD_BORN, "kind"), NewMember(PARENT_BORN, "aanvrager"))
        family = use.create_dossier(cmd.CreateDossier("carla", REFERENCE, members), uow(), clock)
        child, parent = family.member_keys

        def ask(who: str, dossier: str, member: str, item: tuple[str, str], amount: str, why: str) -> str:
            asked = cmd.SubmitAidRequest(who, dossier, member, *item, Money.parse(amount), why)
            return use.submit_aid_request(asked, uow(), engine, clock).request_id

        shoes, deposit = ("kleding", "winterschoenen"), ("huisvesting", "huurwaarborg")
        ask("carla", family.dossier_id, child, shoes, "45.00", "Lekke schoenen.")  # approved
        dearer = ask("carla", family.dossier_id, child, shoes, "75.00", "Maat 38.")  # escalated
        ruling = cmd.CommitteeDecision("cor", dearer, cmd.Ruling.APPROVE, Money(70_00), MOTIVATION)
        use.committee_decide(ruling, uow(), clock)
        refused = ask("carla", family.dossier_id, parent, deposit, "900.00", JUSTIFICATION)
        no = cmd.CommitteeDecision("cor", refused, cmd.Ruling.REFUSE, motivation="Eerst de huurpremie.")
        use.committee_decide(no, uow(), clock)
        waiting = use.create_dossier(
            cmd.CreateDossier("kees", OPEN_REFERENCE, (NewMember(OPEN_BORN),)), uow(), clock
        )
        ask("kees", waiting.dossier_id, waiting.member_keys[0], deposit, "800.00", "Waarborg.")
        recent = use.create_dossier(
            cmd.CreateDossier("carla", RECENT_REFERENCE, (NewMember(RECENT_BORN),)), uow(), utc_now
        )
    finally:
        app.close()
    return History(url, path, family.dossier_id, waiting.dossier_id, recent.dossier_id)


def exported(history: History, dossier: str) -> dict[str, Any]:
    result = mandaat("dossier", "export", dossier, "--db", history.url)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def database_text(path: Path) -> str:
    """Every row of every table, as SQL."""
    with closing(sqlite3.connect(path)) as connection:
        return "\n".join(connection.iterdump())


def test_the_export_holds_the_persons_data_and_every_decision(history: History, tmp_path: Path) -> None:
    data = exported(history, history.dossier)
    assert data == exported(history, REFERENCE)  # found by its case-file reference too
    dossier = data["dossier"]
    assert dossier["reference"] == REFERENCE
    assert dossier["caseworker"] == {"id": "carla", "name": "Carla"}
    assert [(m["birth_date"], m["relation"]) for m in dossier["members"]] == [
        (CHILD_BORN.isoformat(), "kind"),
        (PARENT_BORN.isoformat(), "aanvrager"),
    ]
    requests = data["aid_requests"]
    assert [(r["item"], r["amount"], r["status"], r["approved_amount"]) for r in requests] == [
        ("winterschoenen", "45.00", "approved", "45.00"),
        ("winterschoenen", "75.00", "approved", "70.00"),
        ("huurwaarborg", "900.00", "refused", None),
    ]
    shoes, deposit = requests[1], requests[2]
    assert shoes["engine"]["outcome"] == "escalate"
    assert any("60,00" in reason["text_nl"] for reason in shoes["engine"]["reasons"])  # the maximum per pair
    assert shoes["committee"] == {"decided_by": "cor", "motivation": MOTIVATION, "question": ""}
    assert deposit["justification"] == JUSTIFICATION
    assert deposit["committee"]["motivation"] == "Eerst de huurpremie."
    actions = [act["action"] for act in data["history"]]
    assert actions[0] == "dossier.created"
    assert actions.count("aid.submitted") == 3
    assert actions.count("aid.committee_approved") == actions.count("aid.committee_refused") == 1
    assert data["history"][1]["facts"]["beneficiary_age"] == 11  # the facts the engine decided on

    target = tmp_path / "inzage.json"
    written = mandaat("dossier", "export", history.dossier, str(target), "--db", history.url)
    assert written.exit_code == 0, written.output
    assert json.loads(target.read_text("utf-8")) == data
    assert target.stat().st_mode & 0o077 == 0  # readable by its owner only
    missing = mandaat("dossier", "export", "OCMW-NOPE", "--db", history.url)
    assert missing.exit_code == 2
    assert "there is no client dossier OCMW-NOPE" in missing.output


def test_pseudonymising_closed_dossiers_keeps_the_log_verifiable(history: History) -> None:
    before = CHECKPOINT.search(mandaat("log", "verify", "--db", history.url).stdout)
    assert before is not None
    asked = mandaat("dossier", "pseudonymise", "--older-than", "365", "--db", history.url)
    assert asked.exit_code == 2
    assert "1 client dossiers were closed before" in asked.output
    assert REFERENCE in database_text(history.path)  # nothing changed without --yes

    done = mandaat("dossier", "pseudonymise", "--older-than", "365", "--db", history.url, "--yes")
    assert done.exit_code == 0, done.output
    assert "pseudonymised 1 client dossiers" in done.output
    stored = database_text(history.path)
    for gone in (
        REFERENCE,
        CHILD_BORN.isoformat(),
        PARENT_BORN.isoformat(),
        "Jan Peeters",
        "83.11.08-123.45",
    ):
        assert gone not in stored
    for kept in (OPEN_REFERENCE, OPEN_BORN.isoformat(), RECENT_REFERENCE, RECENT_BORN.isoformat()):
        assert kept in stored  # an open request, and a dossier made today: not closed

    data = exported(history, history.dossier)
    assert data["dossier"]["reference"].startswith("pseudoniem-")
    assert [(m["birth_date"], m["relation"]) for m in data["dossier"]["members"]] == [
        ("2012-01-01", None),
        ("1983-01-01", None),
    ]
    assert {r["justification"] for r in data["aid_requests"]} == {REMOVED}
    assert [(r["amount"], r["status"]) for r in data["aid_requests"]] == [
        ("45.00", "approved"),
        ("75.00", "approved"),
        ("900.00", "refused"),
    ]
    assert data["history"][-1]["action"] == "dossier.pseudonymised"
    assert data["history"][-1]["actor_id"] == "system"

    checkpoint = f"{before[1]}:{before[2]}"
    verified = mandaat("log", "verify", "--db", history.url, "--checkpoint", checkpoint)
    assert verified.exit_code == 0, verified.output
    replayed = mandaat("log", "replay", "--db", history.url)
    assert replayed.exit_code == 0, replayed.output
    again = mandaat("dossier", "pseudonymise", "--older-than", "365", "--db", history.url, "--yes")
    assert "pseudonymised 0 client dossiers" in again.output


@pytest.mark.parametrize(
    "options",
    [[], ["--older-than", "1", "--closed-before", "2024-01-01"], ["--closed-before", "2999-01-01"]],
)
def test_the_retention_period_is_given_once_and_not_in_the_future(
    history: History, options: list[str]
) -> None:
    result = mandaat("dossier", "pseudonymise", *options, "--db", history.url, "--yes")
    assert result.exit_code == 2
    assert REFERENCE in database_text(history.path)


def findings(text: str, history_dates: list[date], references: list[str]) -> list[str]:
    """Direct identifiers in a text: birth dates (ISO, d/m/yyyy, d.m.yyyy), case-file references, and
    national-register-number patterns (ids and hashes, 32 or 64 hex digits, are not numbers)."""
    found = []
    for born in history_dates:
        for shape in (born.isoformat(), born.strftime("%d/%m/%Y"), born.strftime("%d.%m.%Y")):
            if shape in text:
                found.append(f"birth date {shape}")
    found += [f"reference {reference}" for reference in references if reference in text]
    found += [f"number {match}" for match in NATIONAL_NUMBER.findall(HEX_ID.sub("-", text))]
    return found


def test_the_log_export_for_bi_holds_no_direct_identifiers(history: History) -> None:
    births = [CHILD_BORN, PARENT_BORN, OPEN_BORN, RECENT_BORN]
    references = [REFERENCE, OPEN_REFERENCE, RECENT_REFERENCE]
    exported_log = mandaat("log", "export", "--db", history.url)
    assert exported_log.exit_code == 0, exported_log.output
    lines = exported_log.stdout.splitlines()
    assert len(lines) >= 15
    assert findings(exported_log.stdout, births, references) == []
    # The scan finds what it looks for: the person's own export holds all three kinds.
    person = json.dumps(exported(history, history.dossier), ensure_ascii=False)
    assert {kind.split()[0] for kind in findings(person, births, references)} == {
        "birth",
        "reference",
        "number",
    }


def test_a_dossier_acted_on_after_the_scan_is_not_pseudonymised(history: History) -> None:
    app = build(Settings(database_url=history.url))
    try:
        scan = closed_dossiers(date(2025, 1, 1), app.read_uow())
        assert scan.dossiers == (history.dossier,)
        handover = cmd.ReassignDossier("carla", history.dossier, "kees")  # an act: the dossier is in use
        use.reassign_dossier(handover, app.uow(), app.clock)
        with pytest.raises(InvalidTransition, match="no longer closed"):
            pseudonymise_dossier(history.dossier, scan, app.uow(), app.clock)
    finally:
        app.close()
    assert REFERENCE in database_text(history.path)


def dossier_reads(history: History) -> list[tuple[str, ...]]:
    """The access log's reads, oldest first: (event, user, dossier, detail, purpose, method, route)."""
    with closing(sqlite3.connect(history.path)) as connection:
        rows = connection.execute(
            "SELECT event, user_id, dossier_id, detail, purpose, method, route FROM access_log "
            "WHERE event = 'dossier.read' ORDER BY number"
        )
        return [tuple(row) for row in rows]


def test_an_export_is_written_to_the_access_log_with_its_reason(history: History) -> None:
    exported(history, REFERENCE)  # found by its reference: the log names the dossier by its id
    reason = "verzoek tot inzage, brief 12/2024"
    asked = mandaat("dossier", "export", history.dossier, "--reason", reason, "--db", history.url)
    assert asked.exit_code == 0, asked.output

    reads = dossier_reads(history)
    assert reads == [
        (
            "dossier.read",
            "system",
            history.dossier,
            "data_export",
            "subject access request (GDPR art. 15)",
            "CLI",
            "mandaat dossier export",
        ),
        (
            "dossier.read",
            "system",
            history.dossier,
            "data_export",
            "verzoek tot inzage, brief 12/2024",
            "CLI",
            "mandaat dossier export",
        ),
    ]
    with closing(sqlite3.connect(history.path)) as connection:
        access_log = repr(connection.execute("SELECT * FROM access_log").fetchall())
    assert findings(access_log, [CHILD_BORN, PARENT_BORN], [REFERENCE]) == []

    listed = mandaat("dossier", "reads", history.dossier, "--db", history.url)
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].split("\t")[1:] == [
        "system",
        "data_export",
        "verzoek tot inzage, brief 12/2024",
        "CLI mandaat dossier export",
    ]
    assert f"2 reads of client dossier {history.dossier}" in listed.stderr
    by_reference = mandaat("dossier", "reads", REFERENCE, "--db", history.url)
    assert by_reference.stdout == listed.stdout
    nobody = mandaat("dossier", "reads", history.recent_dossier, "--db", history.url)
    assert (nobody.exit_code, nobody.stdout) == (0, "")
    missing = mandaat("dossier", "reads", "OCMW-NOPE", "--db", history.url)
    assert missing.exit_code == 2


@pytest.mark.parametrize("reason", ["", "   ", "x" * 201])
def test_an_export_needs_a_reason_that_says_something(history: History, reason: str) -> None:
    result = mandaat("dossier", "export", history.dossier, "--reason", reason, "--db", history.url)

    assert result.exit_code == 2
    assert "--reason" in result.output
    assert result.stdout == ""  # nothing exported
    assert dossier_reads(history) == []


def test_no_export_without_its_access_log_entry(history: History, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.auth.access import AccessControl

    def broken(self: AccessControl, *args: object, **kwargs: object) -> None:
        raise RuntimeError("the access log cannot be written")

    monkeypatch.setattr(AccessControl, "dossiers_read", broken)

    result = mandaat("dossier", "export", history.dossier, "--db", history.url)

    assert result.exit_code != 0
    assert REFERENCE not in result.stdout
