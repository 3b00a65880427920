"""`mandaat db backup DEST` and `mandaat db restore SOURCE`: SQLite backups that are safe under load.

A backup goes through SQLite's online backup API in one step: it reads one consistent snapshot (a read
transaction, which in WAL mode blocks no writer) into a new file, which is then checked (`PRAGMA
integrity_check`, the schema revision, the whole log chain) and renamed into place. It prints the log head of
the copy: the anchor to keep outside the database, and to pass to `mandaat log verify --checkpoint` after a
restore.

A restore checks the backup the same way, then writes it into the target through the same API: the target is
replaced in one transaction of its own (any other connection sees the old database or the new one, never a
mix, and its WAL stays consistent — which copying a file over a live database does not give). Stop `mandaat
serve` first all the same: a running server would go on from the restored state without knowing it. Replacing
a database that exists needs `--yes`.

PostgreSQL is backed up with its own tools (pg_dump, or base backups with WAL archiving for point-in-time
recovery): see "Backups" in README.md. Both commands say so and exit 2 for a PostgreSQL URL.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from api.cli_db import DatabaseOption, checked_url, head_revision, shown
from api.cli_log import LOG_BROKEN
from api.cli_rules import BAD_INPUT, fail, settings_for
from envelopes.domain.log import Anchor, Verification

POSTGRES_ADVICE = (
    "{url} is a PostgreSQL database: back it up with PostgreSQL's own tools — `pg_dump --format=custom` for "
    "a logical copy, or base backups with WAL archiving (pg_basebackup, pgBackRest, Barman) for "
    "point-in-time recovery — as described under Backups in README.md. `mandaat db backup` and `restore` "
    "are for SQLite."
)


def register_backup_commands(db_app: typer.Typer) -> None:
    """Add `backup` and `restore` to the `db` group."""
    db_app.command("backup")(backup_database)
    db_app.command("restore")(restore_database)


@dataclass(frozen=True)
class Checked:
    """What a database file was found to hold."""

    revision: str
    entries: int
    head: Anchor


# --- the commands -------------------------------------------------------------------------------------------


def backup_database(
    dest: Annotated[
        Path, typer.Argument(metavar="DEST", help="The backup file to write; it must not exist yet.")
    ],
    db: DatabaseOption = None,
) -> None:
    """Copy the SQLite database into DEST, safely while Mandaat is running: a consistent snapshot, taken with
    SQLite's online backup API (writers keep working), checked (integrity_check, schema revision, the log
    chain), then renamed into place. Prints the log head of the copy: keep it outside the database.

    Exit 0 done; 1 the copy's log does not verify (the copy is kept: it is evidence); 2 bad input (DEST
    exists, a PostgreSQL URL, no database)."""
    source = _sqlite_file(settings_for(db).database_url)
    if dest.exists():
        fail(f"{dest} exists already: a backup never overwrites a file; choose another name", BAD_INPUT)
    if not dest.parent.is_dir():
        fail(f"{dest}: the folder {dest.parent} does not exist", BAD_INPUT)
    handle, partial_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".partial")
    os.close(handle)
    partial = Path(partial_name)
    try:
        started = time.perf_counter()
        _copy(source, partial, standalone=True)
        copied = time.perf_counter() - started
        checked = _check(partial)
        _durable_rename(partial, dest)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    size = dest.stat().st_size / 1_000_000
    typer.echo(f"backup: {dest} ({size:.1f} MB), a consistent snapshot of {source} taken in {copied:.2f} s")
    _report(checked, "the copy")


def restore_database(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="SOURCE", help="A backup file made by `mandaat db backup`.", show_default=False
        ),
    ],
    db: DatabaseOption = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="Confirm: the database at --db is replaced, its log included.")
    ] = False,
) -> None:
    """Replace the SQLite database at --db with the backup SOURCE, after checking SOURCE (integrity_check,
    a schema revision this Mandaat knows, the log chain). Stop `mandaat serve` first. A database that exists
    is replaced only with --yes. Prints the restored log head and the time taken.

    Exit 0 done; 1 the backup's log does not verify (nothing restored); 2 bad input."""
    url = settings_for(db).database_url
    target = _sqlite_file(url, must_exist=False)
    if not source.is_file():
        fail(f"there is no backup file at {source}", BAD_INPUT)
    if target.exists() and source.resolve() == target.resolve():
        fail(f"{source} is the database itself: restore a backup into another file", BAD_INPUT)
    if not target.parent.is_dir():
        fail(f"{target}: the folder {target.parent} does not exist", BAD_INPUT)
    backup = _check(source, what="the backup", stop_when_broken=True)
    replacing = target.exists() and target.stat().st_size > 0
    if replacing and not yes:
        fail(
            f"{shown(url)} exists: restoring {source} (log head {backup.head}) replaces everything in "
            "it, its decision log included (stop `mandaat serve` first); run it again with --yes if that is "
            "what you want",
            BAD_INPUT,
        )
    started = time.perf_counter()
    _copy(source, target, standalone=False)
    seconds = time.perf_counter() - started
    restored = _check(target, what="the restored database", live=True)
    verb = "replaced" if replacing else "created"
    typer.echo(f"restore: {verb} {target} from {source} in {seconds:.2f} s")
    _report(restored, "the restored database")
    if restored.revision != head_revision():
        typer.echo(
            f"The backup is at schema revision {restored.revision}: run `mandaat db upgrade --db {url}`."
        )


# --- SQLite files -------------------------------------------------------------------------------------------


def _sqlite_file(url: str, *, must_exist: bool = True) -> Path:
    from sqlalchemy.engine import make_url

    url = checked_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        fail(POSTGRES_ADVICE.format(url=shown(url)), BAD_INPUT)
    path = Path(str(parsed.database))
    if must_exist and not path.is_file():
        fail(f"there is no database file at {path}: check --db or MANDAAT_DATABASE_URL", BAD_INPUT)
    return path


def _copy(source: Path, target: Path, *, standalone: bool) -> None:
    """Source to target with the online backup API, in one step: one read transaction on the source (a
    consistent snapshot; in WAL mode writers go on), one write transaction on the target. A `standalone`
    copy (a backup file) is switched to a rollback journal: one file, with no -wal or -shm beside it."""
    try:
        with closing(_connect(source)) as reading, closing(_connect(target)) as writing:
            reading.backup(writing)
            if standalone:
                writing.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as error:
        fail(f"cannot copy {source} to {target}: {error}", BAD_INPUT)


def _connect(path: Path) -> sqlite3.Connection:
    from envelopes.persistence.database import BUSY_TIMEOUT_MS

    return sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)


def _check(
    path: Path, *, what: str = "the copy", live: bool = False, stop_when_broken: bool = False
) -> Checked:
    """integrity_check, the schema revision, and the whole log chain against its anchor. A `live` database
    (the restored one) is read as Mandaat reads it; a backup file only through read-only connections."""
    from alembic.script import ScriptDirectory

    from envelopes.persistence.migrate import alembic_config

    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                fail(
                    f"{what} ({path}) is damaged: integrity_check says {'; '.join(problems[:5])}", LOG_BROKEN
                )
            found = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error as error:
        fail(f"{what} ({path}) is not a Mandaat database: {error}", BAD_INPUT)
    known = {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if found is None or found[0] not in known:
        fail(f"{what} ({path}) is at a schema revision this Mandaat does not know: {found}", BAD_INPUT)
    verification = _verify(path, live=live)
    if not verification.ok:
        message = f"{what}: the log is broken at entry {verification.first_bad}: {verification.problem}" + (
            "; nothing was restored" if stop_when_broken else ""
        )
        fail(message, LOG_BROKEN)
    return Checked(found[0], verification.checked, verification.head)


def _verify(path: Path, *, live: bool) -> Verification:
    from sqlalchemy import create_engine

    from envelopes.persistence.database import make_engine, make_session_factory
    from envelopes.persistence.unit_of_work import SqlUnitOfWork
    from envelopes.services import verify_log

    if live:
        engine = make_engine(f"sqlite:///{path}")
    else:  # nothing else writes to it: no snapshot needed, and the file is left exactly as it is
        engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        return verify_log(SqlUnitOfWork(make_session_factory(engine), read_only=True))
    finally:
        engine.dispose()


def _durable_rename(partial: Path, dest: Path) -> None:
    with open(partial, "rb") as written:
        os.fsync(written.fileno())
    partial.replace(dest)
    folder = os.open(dest.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _report(checked: Checked, what: str) -> None:
    typer.echo(
        f"checked: integrity_check ok; schema revision {checked.revision}; the log of {what} verifies: "
        f"{checked.entries} entries"
    )
    typer.echo(f"head {checked.head}")
    if checked.head.sequence > 0:
        typer.echo(f"checkpoint {checked.head.sequence}:{checked.head.hash}")
        typer.echo(
            "Keep the head outside the database and its backups; after a restore, check the log against it: "
            f"mandaat log verify --checkpoint {checked.head.sequence}:{checked.head.hash}"
        )
