"""The operational command line: `db upgrade|downgrade|current`, `log verify|export|replay`, `policy
register|list`, on a fresh SQLite file and (for the log) on PostgreSQL. The log is filled by real use cases
through `api.composition.build`, then tampered with through plain SQL, as an intruder would."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text, update
from typer.testing import CliRunner, Result

from api.cli import create_app
from api.cli_db import head_revision
from api.composition import build
from api.settings import Settings
from envelopes import services as use
from envelopes.domain.dossiers import NewMember
from envelopes.domain.ids import brussels_date
from envelopes.domain.log import LogEntry, canonical
from envelopes.domain.users import Role
from envelopes.persistence import tables
from envelopes.services import commands as cmd
from envelopes.services.common import utc_now
from rules.loader import load_policy
from rules.money import Money
from rules.policies import DEMO_POLICY

# Fixtures: an empty database of its own, an SQLite file or (marked postgres) a PostgreSQL schema.
from tests.integration.conftest import empty_database_url, postgres_server_url  # noqa: F401
from tests.support.generate import plain_theme

MANDAAT = Path(sys.executable).parent / "mandaat"
REFERENCE = "OCMW-E2E-4711"
BIRTH_DATES = ("2018-03-01", "1985-06-15")
HEAD_LINE = re.compile(r"^head (\d+) ([0-9a-f]{64})$", re.M)


def eur(amount: str) -> Money:
    return Money.parse(amount)


def mandaat(*args: str) -> Result:
    return CliRunner().invoke(create_app(), list(args))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'mandaat.db'}"


@dataclass(frozen=True)
class Filled:
    url: str
    approved: int  # sequence numbers: an approved decision, an escalated one, the newest entry
    escalated: int
    last: int


def fill(url: str) -> Filled:
    """Users, an envelope, a dossier; an approved and an escalated request, a committee ruling, a returned and
    resubmitted request, a top-up: all through the use cases, as the API calls them."""
    assert mandaat("db", "upgrade", "--db", url).exit_code == 0
    app = build(Settings(database_url=url))
    uow, engine, clock = app.uow, app.decisions, app.clock
    try:
        use.bootstrap_admin(cmd.BootstrapAdmin("ada", "Ada"), uow(), clock)
        for user, role in [
            ("fien", Role.FINANCE), ("carla", Role.CASEWORKER), ("cor", Role.COMMITTEE), ("paul", Role.POLICY)
        ]:  # fmt: skip
            use.add_user(cmd.AddUser("ada", user, user.title(), role), uow(), clock)
        year = brussels_date(clock()).year
        budget = cmd.OpenEnvelope("fien", "kleding", year, eur("500.00"))
        kleding = use.open_envelope(budget, uow(), clock).envelope_id
        members = tuple(NewMember(date.fromisoformat(born)) for born in BIRTH_DATES)
        dossier = use.create_dossier(cmd.CreateDossier("carla", REFERENCE, members), uow(), clock)
        child, adult = dossier.member_keys

        def ask(member: str, amount: str) -> str:
            item = ("kleding", "winterschoenen")
            shoes = cmd.SubmitAidRequest("carla", dossier.dossier_id, member, *item, eur(amount), "Lek.")
            return use.submit_aid_request(shoes, uow(), engine, clock).request_id

        ask(child, "45.00")
        approved = last_sequence(url)
        above_maximum = ask(child, "75.00")
        escalated = last_sequence(url)
        approve = cmd.CommitteeDecision("cor", above_maximum, cmd.Ruling.APPROVE, eur("70.00"), "Ok.")
        use.committee_decide(approve, uow(), clock)
        for_adult = ask(adult, "50.00")  # not delegated for an adult: escalates
        back = cmd.CommitteeDecision("cor", for_adult, cmd.Ruling.RETURN, question="Waarom?")
        use.committee_decide(back, uow(), clock)
        again = cmd.ResubmitAidRequest("carla", for_adult, "Werkschoenen.")
        use.resubmit_aid_request(again, uow(), engine, clock)
        use.adjust_envelope(cmd.AdjustEnvelope("fien", kleding, eur("100.00"), "Extra."), uow(), clock)
    finally:
        app.close()
    return Filled(url, approved, escalated, last_sequence(url))


def last_sequence(url: str) -> int:
    return int(sql(url, "SELECT MAX(sequence) FROM log_entries")[0][0])


def sql(url: str, statement: str, **params: Any) -> list[Any]:
    """Plain SQL, past every repository: what an intruder with database access can do."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return list(result) if result.returns_rows else []
    finally:
        engine.dispose()


def entries(url: str, after: int = 0) -> list[LogEntry]:
    app = build(Settings(database_url=url))
    with app.uow() as uow:
        found = list(uow.log.entries(after))
    app.close()
    return found


def verified(url: str, *checkpoints: str) -> Result:
    return mandaat("log", "verify", "--db", url, *(f"--checkpoint={c}" for c in checkpoints))


def assert_exit(result: Result, code: int, *expected: str) -> None:
    assert result.exit_code == code, result.output
    for part in expected:
        assert part in result.output


def assert_broken_at(result: Result, sequence: int, problem: str) -> None:
    assert result.exit_code == 1, result.output
    found = re.search(rf"FAILED: the log is broken at entry {sequence}: .*{problem}", result.stdout)
    assert found, result.stdout


def test_upgrade_from_empty_installs_the_policy_folder_once_and_nothing_when_it_is_broken(
    tmp_path: Path, sqlite_url: str
) -> None:
    head, broken = head_revision(), stricter_demo(tmp_path, broken=True)
    refused = mandaat("db", "upgrade", "--db", sqlite_url, "--policy", str(broken))
    assert_exit(refused, 1, "kleding.yaml:", "energie.yaml:", "not a valid policy")
    assert not (tmp_path / "mandaat.db").exists()

    stricter = stricter_demo(tmp_path)
    version = load_policy(stricter).version
    first = mandaat("db", "upgrade", "--db", sqlite_url, "--policy", str(stricter))
    assert_exit(first, 0, f"upgraded from an empty database to {head}", f"as the first version {version}")
    assert "in force from 2000-01-01" in first.stdout
    again = mandaat("db", "upgrade", "--db", sqlite_url)  # the demo policy: not installed over the first
    assert_exit(again, 0, f"already at the newest revision {head}", f"installed); in force today: {version}")
    assert [(e.actor_id, e.action) for e in entries(sqlite_url)] == [("system", "policy.registered")]
    assert mandaat("db", "current", "--db", sqlite_url).stdout == f"{head} (the newest)\n"


def test_downgrade_needs_yes_and_then_drops_everything(sqlite_url: str) -> None:
    mandaat("db", "upgrade", "--db", sqlite_url)
    assert_exit(mandaat("db", "downgrade", "base", "--db", sqlite_url), 2, "run it again with --yes")
    assert_exit(mandaat("db", "downgrade", "base", "--db", sqlite_url, "--yes"), 0, "to base (no tables)")
    assert mandaat("db", "current", "--db", sqlite_url).stdout.startswith("none: the database is empty")
    assert_exit(mandaat("db", "downgrade", "nope", "--db", sqlite_url, "--yes"), 2, "cannot downgrade")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "is not a database URL Mandaat can use"),
        ("mysql+foo://u:secret@h/db", "is not a database URL Mandaat can use"),
        ("sqlite://", "an in-memory database is gone"),
        ("postgresql+psycopg://nobody:secret@127.0.0.1:1/x", "cannot use the database at"),
    ],
)
def test_a_bad_database_url_is_bad_input(url: str, message: str) -> None:
    for command in (["db", "upgrade"], ["db", "current"], ["log", "verify"], ["policy", "list"]):
        result = mandaat(*command, "--db", url)
        assert_exit(result, 2, message)
        assert "secret" not in result.output


def test_reading_commands_never_create_or_migrate_a_database(tmp_path: Path, sqlite_url: str) -> None:
    assert_exit(mandaat("log", "verify", "--db", sqlite_url), 2, "there is no database file")
    assert not (tmp_path / "mandaat.db").exists()
    sql(sqlite_url, "CREATE TABLE unrelated (x INTEGER)")
    assert_exit(mandaat("log", "export", "--db", sqlite_url), 2, "is empty", "run `mandaat db upgrade")


def test_the_console_script_upgrades_and_verifies_with_the_url_from_the_environment(tmp_path: Path) -> None:
    if not MANDAAT.exists():
        pytest.skip(f"the console script is not installed at {MANDAAT} (pip install -e .)")
    env = {"MANDAAT_DATABASE_URL": f"sqlite:///{tmp_path / 'env.db'}", "PATH": "/usr/bin:/bin"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(MANDAAT), *args], capture_output=True, text=True, timeout=120, check=False, env=env
        )

    assert run("db", "upgrade").returncode == 0
    head = HEAD_LINE.search(run("log", "verify").stdout)  # exit 0 is checked with the checkpoint below
    assert head is not None
    assert head[1] == "1"
    assert run("log", "verify", "--checkpoint", f"{head[1]}:{head[2]}").returncode == 0
    assert run("log", "verify", "--checkpoint", "1:" + "ab" * 32).returncode == 1
    assert run("log", "verify", "--checkpoint", "one:abc").returncode == 2


@pytest.fixture
def filled(empty_database_url: str) -> Filled:  # noqa: F811 (the fixture imported above)
    return fill(empty_database_url)


def test_verify_a_whole_log_prints_its_head(filled: Filled) -> None:
    result = verified(filled.url)
    assert_exit(result, 0, f"OK: the log is whole: {filled.last} entries", "OK: the ledger adds up")
    head = HEAD_LINE.search(result.stdout)
    assert head is not None
    assert int(head[1]) == filled.last
    assert f"--checkpoint {head[1]}:{head[2]}" in result.stdout


@pytest.mark.parametrize(
    ("column", "value"),
    [("outcome", "escalate"), ("actor_id", "cor"), ("recorded_at", "2026-01-01T00:00:00.000000+00:00")],
)
def test_verify_names_an_edited_middle_entry(filled: Filled, column: str, value: str) -> None:
    sql(filled.url, f"UPDATE log_entries SET {column} = :v WHERE sequence = :s", v=value, s=filled.approved)
    assert_broken_at(verified(filled.url), filled.approved, "was edited")


def test_verify_names_an_edited_fact(filled: Filled) -> None:
    [(facts,)] = sql(filled.url, "SELECT facts FROM log_entries WHERE sequence = :s", s=filled.escalated)
    facts = json.loads(facts) if isinstance(facts, str) else facts
    facts["beneficiary_age"] += 10
    value = "CAST(:v AS JSON)" if filled.url.startswith("postgresql") else ":v"
    edit = f"UPDATE log_entries SET facts = {value} WHERE sequence = :s"
    sql(filled.url, edit, v=json.dumps(facts), s=filled.escalated)
    assert_broken_at(verified(filled.url), filled.escalated, "was edited")


@pytest.mark.parametrize(
    ("column", "problem"),
    [("committed_after", "are not the sums of the entries up to it"), ("position", "is numbered")],
)
def test_verify_names_a_ledger_entry_whose_running_totals_were_edited(
    filled: Filled, column: str, problem: str
) -> None:
    """The balance a decision reads is the newest entry's running totals: one edited past Mandaat (less
    committed, more available) is found, though the log itself is whole."""
    [(envelope, position)] = sql(
        filled.url,
        "SELECT envelope_id, MAX(position) FROM ledger_entries WHERE kind = 'commitment' "
        "GROUP BY envelope_id ORDER BY envelope_id LIMIT 1",
    )
    change = "committed_after = committed_after - 1" if column == "committed_after" else "position = 999"
    sql(
        filled.url,
        f"UPDATE ledger_entries SET {change} WHERE envelope_id = :e AND position = :p",
        e=envelope,
        p=position,
    )
    result = verified(filled.url)
    assert_exit(result, 1, f"FAILED: the ledger is broken: envelope {envelope}", problem)
    assert f"OK: the log is whole: {filled.last} entries" in result.stdout


def test_verify_names_a_deleted_middle_entry(filled: Filled) -> None:
    sql(filled.url, "DELETE FROM log_entries WHERE sequence = :s", s=filled.approved)
    assert_broken_at(verified(filled.url), filled.approved, "an entry was deleted")


def test_verify_finds_the_deleted_newest_entry_through_the_anchor(filled: Filled) -> None:
    sql(filled.url, "DELETE FROM log_entries WHERE sequence = :s", s=filled.last)
    assert_broken_at(verified(filled.url), filled.last, f"entries {filled.last} to {filled.last} are missing")


def test_verify_names_two_swapped_entries(filled: Filled) -> None:
    first, second, aside = filled.approved, filled.approved + 1, 1_000_000
    for old, new in [(first, aside), (second, first), (aside, second)]:
        sql(filled.url, "UPDATE log_entries SET sequence = :new WHERE sequence = :old", new=new, old=old)
    assert_broken_at(verified(filled.url), first, "was edited")


def test_a_chain_rewritten_with_its_anchor_is_caught_by_a_checkpoint(filled: Filled) -> None:
    kept = HEAD_LINE.search(verified(filled.url).stdout)
    assert kept is not None
    earlier = next(e for e in entries(filled.url) if e.sequence == filled.escalated)
    rewrite_from(filled.url, filled.approved)

    assert verified(filled.url).exit_code == 0  # the chain and the anchor agree again
    assert_broken_at(verified(filled.url, f"{kept[1]}:{kept[2]}"), filled.last, "not the one the checkpoint")
    earlier_checkpoint = f"{earlier.sequence}:{earlier.hash}"
    assert_broken_at(verified(filled.url, earlier_checkpoint), filled.escalated, "not the one the checkpoint")


def rewrite_from(url: str, sequence: int) -> None:
    """Change an entry, re-hash it and every later one, and move the anchor: a consistent forgery."""
    engine, log = create_engine(url), tables.log_entries
    try:
        with engine.begin() as connection:
            previous = None
            for entry in entries(url, sequence - 1):
                changed = replace(entry, previous_hash=previous or entry.previous_hash)
                if entry.sequence == sequence:
                    changed = replace(changed, actor_id="kees")
                forged = replace(changed, hash=changed.computed_hash())
                row = {**forged.content(), "hash": forged.hash}
                connection.execute(update(log).where(log.c.sequence == entry.sequence).values(row))
                previous = forged.hash
            connection.execute(update(tables.log_anchor).values(sequence=forged.sequence, hash=forged.hash))
    finally:
        engine.dispose()


def test_export_writes_every_entry_as_a_json_line_without_birth_dates_or_references(
    filled: Filled, tmp_path: Path
) -> None:
    target = tmp_path / "log.jsonl"
    done = mandaat("log", "export", str(target), "--db", filled.url)
    assert_exit(done, 0, f"exported {filled.last} entries (entries 1 to {filled.last})")
    exported = target.read_text("utf-8")
    lines = [json.loads(line) for line in exported.splitlines()]
    assert lines == [entry.to_json() for entry in entries(filled.url)]
    assert [line["sequence"] for line in lines] == list(range(1, filled.last + 1))
    for line in lines:  # anyone can check the chain from the export alone
        content = {k: v for k, v in line.items() if k != "hash"}
        assert hashlib.sha256(canonical(content)).hexdigest() == line["hash"]
    assert REFERENCE not in exported
    assert not any(birth in exported for birth in BIRTH_DATES)
    ages = [line["facts"]["beneficiary_age"] for line in lines if line["facts"] is not None]
    assert len(ages) == 4  # the decisions keep derived facts: an age, never a birth date
    assert all(isinstance(age, int) for age in ages)

    tail = mandaat("log", "export", "-", "--after", str(filled.last - 2), "--db", filled.url)
    last_two = [filled.last - 1, filled.last]
    assert [json.loads(line)["sequence"] for line in tail.stdout.splitlines()] == last_two
    assert list(tmp_path.glob("*.partial")) == []


def test_replay_of_an_untouched_log_finds_no_difference(filled: Filled) -> None:
    result = mandaat("log", "replay", "--db", filled.url)
    assert_exit(result, 0)
    assert result.stdout == "replayed 4 decisions against 1 policy versions: 0 differences\n"


def test_replay_reports_an_altered_outcome(filled: Filled) -> None:
    sql(filled.url, "UPDATE log_entries SET outcome = 'escalate' WHERE sequence = :s", s=filled.approved)
    result = mandaat("log", "replay", "--db", filled.url)
    assert_exit(result, 1, "replayed 4 decisions against 1 policy versions: 1 differences")
    difference = rf"^entry {filled.approved} \(aid.submitted, aid request \w+\): outcome logged escalate, "
    assert re.search(difference + "replayed approve$", result.stdout, re.M), result.stdout
    assert verified(filled.url).exit_code == 1  # the edit breaks the chain too


def test_replay_reports_an_altered_reason(sqlite_url: str) -> None:
    filled = fill(sqlite_url)
    [(reasons,)] = sql(sqlite_url, "SELECT reasons FROM log_entries WHERE sequence = :s", s=filled.escalated)
    altered = json.loads(reasons)
    altered[0]["text_nl"] = "Iets anders"
    edit = "UPDATE log_entries SET reasons = :v WHERE sequence = :s"
    sql(sqlite_url, edit, v=json.dumps(altered), s=filled.escalated)
    result = mandaat("log", "replay", "--db", sqlite_url)
    assert_exit(result, 1, f"entry {filled.escalated} ", ": text_nl logged 'Iets anders', replayed '")


def stricter_demo(tmp_path: Path, *, broken: bool = False) -> Path:
    """The demo policy with winter shoes up to € 40,00 only; `broken`: two files with an unknown key."""
    folder = tmp_path / ("kapot" if broken else "strenger")
    shutil.copytree(DEMO_POLICY, folder)
    shoes = folder / "kleding.yaml"
    shoes.write_text(shoes.read_text("utf-8").replace('2024-01-01: "60.00"', '2024-01-01: "40.00"'), "utf-8")
    for name in ("kleding.yaml", "energie.yaml") if broken else ():
        (folder / name).write_text((folder / name).read_text("utf-8") + "kapot: ja\n", "utf-8")
    return folder


def register(folder: Path, day: date | str, actor: str, url: str) -> Result:
    options = ["--effective-from", str(day), "--actor", actor, "--db", url]
    return mandaat("policy", "register", str(folder), *options)


def test_replay_uses_the_version_each_entry_names_not_the_one_in_force(
    tmp_path: Path, sqlite_url: str
) -> None:
    filled = fill(sqlite_url)
    today = brussels_date(utc_now())
    assert_exit(register(stricter_demo(tmp_path), today, "paul", sqlite_url), 0, f"in force from {today}")

    listed = mandaat("policy", "list", "--db", sqlite_url).stdout.splitlines()
    assert [line[:12] for line in listed[1:3]] == ["  2000-01-01", f"* {today.isoformat()}"]
    assert listed[-1].startswith("* in force today")
    # The € 45,00 shoes approved before would escalate under the new version; replay uses their own.
    replayed = mandaat("log", "replay", "--db", sqlite_url, "--after", str(filled.approved - 1))
    assert_exit(replayed, 0)
    assert replayed.stdout == "replayed 4 decisions against 1 policy versions: 0 differences\n"


def test_registering_is_refused_with_every_error_or_reason_and_stores_nothing(
    tmp_path: Path, sqlite_url: str
) -> None:
    fill(sqlite_url)
    before = len(entries(sqlite_url))
    broken = stricter_demo(tmp_path, broken=True)
    tomorrow = brussels_date(utc_now()) + timedelta(days=1)

    result = register(broken, tomorrow, "carla", sqlite_url)
    assert_exit(result, 1, "not a valid policy")
    errors = [line for line in result.stderr.splitlines() if re.match(r"^\S+\.yaml:\d+:\d+: ", line)]
    assert {Path(line.split(":")[0]).name for line in errors} == {"kleding.yaml", "energie.yaml"}

    refused = register(DEMO_POLICY, tomorrow, "carla", sqlite_url)
    assert_exit(refused, 2, "refused: the role caseworker may not register policy versions; nothing was")
    assert_exit(register(DEMO_POLICY, tomorrow, "nobody", sqlite_url), 2, "refused: nobody is not a user")
    assert_exit(register(DEMO_POLICY, "2020-01-01", "paul", sqlite_url), 2, "today (")
    assert_exit(register(DEMO_POLICY, "2020-02-30", "paul", sqlite_url), 2, "is not a date")
    assert len(entries(sqlite_url)) == before


def test_registering_rule_files_over_the_size_limits_stores_nothing(
    tmp_path: Path,
    empty_database_url: str,  # noqa: F811 (the fixture imported above)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    filled = fill(empty_database_url)
    larger = tmp_path / "groter"
    shutil.copytree(DEMO_POLICY, larger)
    (larger / "meer.yaml").write_text(plain_theme("meer", 10), "utf-8")
    tomorrow = brussels_date(utc_now()) + timedelta(days=1)
    monkeypatch.setenv("MANDAAT_POLICY_MAX_ENTRIES", "40")

    checked = mandaat("rules", "check", str(larger))
    refused = register(larger, tomorrow, "paul", filled.url)
    monkeypatch.setenv("MANDAAT_POLICY_MAX_ENTRIES", "100")
    accepted = register(larger, tomorrow, "paul", filled.url)

    for result in (checked, refused):
        assert_exit(result, 1, "the policy has more than 40 entries (items, their limits, parameters")
        assert re.search(r"meer\.yaml:\d+:\d+: the policy has more than 40 entries", result.stderr)
    assert last_sequence(filled.url) == filled.last + 1  # only the registration that was allowed
    assert_exit(accepted, 0, f"in force from {tomorrow}")
