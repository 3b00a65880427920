"""The backup drill: `mandaat db backup` while a writer keeps deciding requests, `mandaat db restore` into a
fresh file, then the restored database is checked as an auditor would: integrity_check, the ledger summed by
plain SQL (no envelope below zero, at any point of its history), every request with its log entry, and
`mandaat log verify` against the head printed at backup time. And the refusals: an existing DEST, a
restore over a database without --yes, a backup whose log was tampered with, PostgreSQL."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from typer.testing import CliRunner, Result

from api.cli import create_app
from api.composition import Mandaat, build
from api.settings import Settings
from envelopes import services as use
from envelopes.domain.dossiers import NewMember
from envelopes.domain.ids import brussels_date
from envelopes.domain.users import Role
from envelopes.services import commands as cmd
from rules.money import Money
from tests.integration.aid_world import ledger_figures

MANDAAT = Path(sys.executable).parent / "mandaat"
CHECKPOINT = re.compile(r"^checkpoint (\d+:[0-9a-f]{64})$", re.M)
CASEWORKERS = ("carla", "kees")


def mandaat(*args: str) -> Result:
    return CliRunner().invoke(create_app(), list(args))


@dataclass
class Installation:
    url: str
    app: Mandaat
    energie: str
    kleding: str
    households: list[tuple[str, str, str]]  # caseworker, dossier, member


def install(path: Path) -> Installation:
    url = f"sqlite:///{path}"
    assert mandaat("db", "upgrade", "--db", url).exit_code == 0
    app = build(Settings(database_url=url))
    uow, clock = app.uow, app.clock
    use.bootstrap_admin(cmd.BootstrapAdmin("ada", "Ada"), uow(), clock)
    for user, role in [("fien", Role.FINANCE), *((c, Role.CASEWORKER) for c in CASEWORKERS)]:
        use.add_user(cmd.AddUser("ada", user, user.title(), role), uow(), clock)
    year = brussels_date(clock()).year
    energie = use.open_envelope(cmd.OpenEnvelope("fien", "energie", year, Money(20_000_00)), uow(), clock)
    kleding = use.open_envelope(cmd.OpenEnvelope("fien", "kleding", year, Money(500_00)), uow(), clock)
    households = []
    for number in range(40):
        caseworker = CASEWORKERS[number % 2]
        members = (NewMember(date(1980, 1, 1)), NewMember(date(2016, 5, 1)))
        opened = cmd.CreateDossier(caseworker, f"OCMW-DRILL-{number}", members)
        dossier = use.create_dossier(opened, uow(), clock)
        households.append((caseworker, dossier.dossier_id, dossier.member_keys[number % 2]))
    return Installation(url, app, energie.envelope_id, kleding.envelope_id, households)


@dataclass
class Writer:
    """Decides requests one after another until stopped, each with its own idempotency key."""

    installation: Installation
    done: int = 0
    errors: list[BaseException] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def write(self, count: int | None = None) -> None:
        app, number = self.installation.app, 0
        while not self.stop.is_set() and (count is None or number < count):
            caseworker, dossier, member = self.installation.households[self.done % 40]
            theme, item = ("energie", "energiefactuur") if self.done % 3 else ("kleding", "kinderkleding")
            amount = Money(40_00 + (self.done * 37_00) % 300_00)  # some above the mandate: escalated, held
            asked = cmd.SubmitAidRequest(caseworker, dossier, member, theme, item, amount, "Dringend.",
                                         idempotency_key=f"drill-{self.done}")  # fmt: skip
            try:
                use.submit_aid_request(asked, app.uow(), app.decisions, app.clock)
            except BaseException as error:
                self.errors.append(error)
                return
            self.done, number = self.done + 1, number + 1


def figures(url: str, envelope_ids: list[str]) -> list[tuple[int, int]]:
    engine = create_engine(url)
    try:
        return [
            (found.available, found.lowest_running_available)
            for found in (ledger_figures(engine, eid) for eid in envelope_ids)
        ]
    finally:
        engine.dispose()


def rows(path: Path, query: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as connection:
        return list(connection.execute(query))


def test_backup_under_load_then_restore_into_a_fresh_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not MANDAAT.exists():
        pytest.skip(f"the console script is not installed at {MANDAAT} (pip install -e .)")
    installation = install(tmp_path / "live.db")
    writer = Writer(installation)
    writer.write(150)  # a database with some history
    thread = threading.Thread(target=writer.write)
    thread.start()
    try:
        while writer.done < 170 and not writer.errors:
            time.sleep(0.01)
        before = writer.done
        backup = subprocess.run(
            [str(MANDAAT), "db", "backup", str(tmp_path / "backup.db"), "--db", installation.url],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        during = writer.done - before
        time.sleep(0.2)
    finally:
        writer.stop.set()
        thread.join()
        installation.app.close()
    assert not writer.errors, writer.errors
    assert backup.returncode == 0, backup.stderr
    assert during > 0, "the writer made no progress while the backup ran"
    checkpoint = CHECKPOINT.search(backup.stdout)
    assert checkpoint is not None, backup.stdout
    head = int(checkpoint[1].split(":")[0])

    restored_path = tmp_path / "restored.db"
    restored_url = f"sqlite:///{restored_path}"
    started = time.perf_counter()
    restore = subprocess.run(
        [str(MANDAAT), "db", "restore", str(tmp_path / "backup.db"), "--db", restored_url],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    restore_seconds = time.perf_counter() - started
    assert restore.returncode == 0, restore.stderr
    assert f"head {checkpoint[1].replace(':', ' ')}" in restore.stdout

    assert rows(restored_path, "PRAGMA integrity_check") == [("ok",)]
    for available, lowest in figures(restored_url, [installation.energie, installation.kleding]):
        assert available >= 0
        assert lowest >= 0  # never below zero at any point of the envelope's history
    requests = rows(restored_path, "SELECT COUNT(*) FROM aid_requests")[0][0]
    logged = rows(restored_path, "SELECT COUNT(*) FROM log_entries WHERE action = 'aid.submitted'")[0][0]
    keys = rows(restored_path, "SELECT COUNT(*) FROM idempotency_records")[0][0]
    assert requests == logged == keys  # a snapshot: every request with its log entry and its key, no half
    assert before <= requests <= writer.done
    assert rows(restored_path, "SELECT MAX(sequence) FROM log_entries") == [(head,)]
    verify = mandaat("log", "verify", "--db", restored_url, "--checkpoint", checkpoint[1])
    assert verify.exit_code == 0, verify.output
    with capsys.disabled():
        print(
            f"\nbackup drill: {before} requests before the backup, {during} decided while it ran, "
            f"{requests} in the snapshot (log head {head}); restore into a fresh file: "
            f"{restore_seconds:.2f} s for the command ({_reported(restore.stdout)} s for the copy)"
        )


def _reported(output: str) -> str:
    found = re.search(r" in ([0-9.]+) s$", output.splitlines()[0])
    return found[1] if found else "?"


def test_restore_over_a_database_needs_yes_and_then_replaces_it(tmp_path: Path) -> None:
    installation = install(tmp_path / "live.db")
    Writer(installation).write(5)
    assert mandaat("db", "backup", str(tmp_path / "b.db"), "--db", installation.url).exit_code == 0
    Writer(installation, done=5).write(5)  # five more after the backup
    installation.app.close()
    live = tmp_path / "live.db"
    assert rows(live, "SELECT COUNT(*) FROM aid_requests") == [(10,)]

    refused = mandaat("db", "restore", str(tmp_path / "b.db"), "--db", installation.url)
    assert refused.exit_code == 2
    assert "run it again with --yes" in refused.output
    assert rows(live, "SELECT COUNT(*) FROM aid_requests") == [(10,)]
    again = mandaat("db", "backup", str(tmp_path / "b.db"), "--db", installation.url)
    assert again.exit_code == 2
    assert "exists already" in again.output

    replaced = mandaat("db", "restore", str(tmp_path / "b.db"), "--db", installation.url, "--yes")
    assert replaced.exit_code == 0, replaced.output
    assert "replaced" in replaced.output
    assert rows(live, "SELECT COUNT(*) FROM aid_requests") == [(5,)]
    assert rows(live, "PRAGMA integrity_check") == [("ok",)]
    assert mandaat("log", "verify", "--db", installation.url).exit_code == 0


def test_a_tampered_backup_is_not_restored(tmp_path: Path) -> None:
    installation = install(tmp_path / "live.db")
    Writer(installation).write(3)
    installation.app.close()
    assert mandaat("db", "backup", str(tmp_path / "b.db"), "--db", installation.url).exit_code == 0
    with closing(sqlite3.connect(tmp_path / "b.db")) as connection:
        connection.execute("UPDATE log_entries SET actor_id = 'mallory' WHERE sequence = 5")
        connection.commit()
    refused = mandaat("db", "restore", str(tmp_path / "b.db"), "--db", f"sqlite:///{tmp_path / 'r.db'}")
    assert refused.exit_code == 1
    assert "the log is broken at entry 5" in refused.output
    assert "nothing was restored" in refused.output
    assert not (tmp_path / "r.db").exists()


def test_postgresql_is_pointed_to_its_own_tools() -> None:
    for command in (["db", "backup", "/tmp/never.db"], ["db", "restore", "/tmp/never.db", "--yes"]):
        result = mandaat(*command, "--db", "postgresql+psycopg://nobody:secret@127.0.0.1:1/mandaat")
        assert result.exit_code == 2
        assert "pg_dump" in result.output
        assert "point-in-time" in result.output
        assert "secret" not in result.output
