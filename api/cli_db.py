"""`mandaat db ...`: create and migrate the database; and what the other database commands share.

`db upgrade` migrates to the newest schema and, when the database holds no policy version yet, installs the
policy folder (`--policy`, else MANDAAT_POLICY_DIR, else the bundled demo policy) as the first version. It is
safe to run again: a database at the newest revision with a policy stays as it is.

Every database command takes `--db URL`, which overrides MANDAAT_DATABASE_URL. A URL that is not a database
Mandaat can use, or a database it cannot reach, is bad input: a message naming it, exit code 2.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli_rules import BAD_INPUT, POLICY_INVALID, fail, load_policy_or_exit, settings_for
from api.settings import Settings
from envelopes.domain.errors import DomainError, PolicyRejected
from envelopes.services import install_first_policy_version
from rules.model import Policy

if TYPE_CHECKING:
    from api.composition import Mandaat
    from envelopes.persistence.unit_of_work import SqlUnitOfWork

# SQLAlchemy and Alembic are imported inside the functions that use them: every `mandaat` command builds
# the whole app at start, and importing them there would add half a second to `mandaat rules check` too.


DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URL",
        help="The database: sqlite:///path/to/mandaat.db or postgresql+psycopg://user@host/name. "
        "Overrides MANDAAT_DATABASE_URL (default sqlite:///mandaat.db, in the current folder).",
        show_default=False,
    ),
]


def create_db_app() -> typer.Typer:
    app = typer.Typer(
        name="db",
        help="Create, migrate and inspect the database.",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    app.command("upgrade")(upgrade_database)
    app.command("downgrade")(downgrade_database)
    app.command("current")(show_revision)
    from api.cli_seed import seed_database  # it imports this module's helpers

    app.command("seed")(seed_database)
    return app


# --- the commands ---------------------------------------------------------------------------------------


def upgrade_database(
    db: DatabaseOption = None,
    policy_folder: Annotated[
        Path | None,
        typer.Option(
            "--policy",
            metavar="DIR",
            help="The policy folder installed as the first version of a database that holds none "
            "(default: MANDAAT_POLICY_DIR, else the bundled demo policy).",
            exists=True,
            file_okay=False,
            show_default=False,
        ),
    ] = None,
) -> None:
    """Migrate the database to the newest schema (creating it if needed), then install the policy folder as
    the first policy version, in force from 2000-01-01, if the database holds no version yet.

    Safe to run again. Exit 0 done; 1 the policy folder is not valid (nothing was changed); 2 bad input."""
    from envelopes.persistence.migrate import current_revision, upgrade

    settings = settings_for(db)
    url = checked_url(settings.database_url)
    folder = policy_folder or settings.policy_dir
    _, files = policy_folder_files(folder)  # a broken folder stops everything before any change
    with database_errors(url):
        before = current_revision(url)
        upgrade(url)
        after = current_revision(url)
    if before == after:
        typer.echo(f"schema: already at the newest revision {after}")
    else:
        typer.echo(f"schema: upgraded from {before or 'an empty database'} to {after}")
    with opened(settings) as mandaat:
        try:
            installed = install_first_policy_version(
                files, mandaat.uow(), mandaat.decisions, mandaat.clock, settings.policy_limits()
            )
        except PolicyRejected as error:
            typer.echo("\n".join(error.problems), err=True)
            fail(f"{folder}: not a valid policy; no policy version was installed", POLICY_INVALID)
        except DomainError as error:
            fail(f"{folder}: {error.message}; no policy version was installed", POLICY_INVALID)
    current = installed.in_force
    if installed.installed and current is not None:
        typer.echo(
            f"policy: installed {folder} as the first version {current.version}, "
            f"in force from {current.effective_from.isoformat()}"
        )
    elif current is not None:
        typer.echo(
            f"policy: versions are stored already (nothing installed); in force today: {current.version} "
            f"(from {current.effective_from.isoformat()})"
        )
    else:
        typer.echo("policy: versions are stored already (nothing installed); none is in force today")


def downgrade_database(
    revision: Annotated[
        str,
        typer.Argument(metavar="REVISION", help="The revision to go back to; 'base' drops every table."),
    ],
    db: DatabaseOption = None,
    yes: Annotated[
        bool,
        typer.Option("--yes", help="Confirm: the tables of later revisions are dropped with their data."),
    ] = False,
) -> None:
    """Migrate the database back to REVISION. What later revisions added is dropped, data included (with
    'base': everything, the decision log too). Refused without --yes."""
    from alembic.util import CommandError

    from envelopes.persistence.migrate import current_revision, downgrade

    url = checked_url(settings_for(db).database_url)
    require_database_file(url)
    if not yes:
        fail(
            f"downgrading {shown(url)} to {revision} drops tables and everything in them "
            "(with 'base': the whole decision log); run it again with --yes if that is what you want",
            BAD_INPUT,
        )
    with database_errors(url):
        before = current_revision(url)
        try:
            downgrade(url, revision)
        except CommandError as error:
            fail(f"cannot downgrade to {revision}: {error}", BAD_INPUT)
        after = current_revision(url)
    typer.echo(f"schema: downgraded from {before or 'an empty database'} to {after or 'base (no tables)'}")


def show_revision(db: DatabaseOption = None) -> None:
    """Print the database's schema revision and whether it is the newest this Mandaat knows."""
    from envelopes.persistence.migrate import current_revision

    url = checked_url(settings_for(db).database_url)
    require_database_file(url)
    with database_errors(url):
        revision = current_revision(url)
    head = head_revision()
    if revision is None:
        typer.echo(f"none: the database is empty; `mandaat db upgrade` creates the schema ({head})")
    elif revision == head:
        typer.echo(f"{revision} (the newest)")
    else:
        typer.echo(f"{revision} (not the newest: {head}; run `mandaat db upgrade`)")


# --- shared by the database commands ----------------------------------------------------------------------


def shown(url: str) -> str:
    """A URL as it may be printed: without its password (quoted as given when it does not parse)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return repr(url)


def checked_url(url: str) -> str:
    """`url` if it names a database Mandaat can use (nothing is connected yet); exit 2 otherwise."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    from envelopes.persistence.database import make_engine

    advice = "use sqlite:///path/to/mandaat.db or postgresql+psycopg://user@host/name"
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
            fail("an in-memory database is gone when the command ends: " + advice, BAD_INPUT)
        make_engine(url).dispose()  # loads the dialect and its driver, connects to nothing
    except (ArgumentError, ValueError, NoSuchModuleError, ImportError) as error:
        reason = str(error) if "sqlite:///" in str(error) else f"{error}: {advice}"
        fail(f"{shown(url)} is not a database URL Mandaat can use: {reason}", BAD_INPUT)
    return url


def require_database_file(url: str) -> None:
    """Commands that only read or change an existing database never create an SQLite file by accident."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and not Path(parsed.database).is_file():
        fail(
            f"there is no database file at {parsed.database}: check --db or MANDAAT_DATABASE_URL, or create "
            f"it with `mandaat db upgrade --db {shown(url)}`",
            BAD_INPUT,
        )


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    from envelopes.persistence.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations have a head"
    return head


@contextmanager
def database_errors(url: str) -> Iterator[None]:
    """A database that cannot be reached or used is bad input (exit 2), never a broken log (exit 1)."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    try:
        yield
    except (OperationalError, InterfaceError) as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig is not None else str(error)
        fail(f"cannot use the database at {shown(url)}: {reason}", BAD_INPUT)


@contextmanager
def opened(settings: Settings) -> Iterator[Mandaat]:
    """Mandaat wired to an existing database at the newest schema revision; closed afterwards."""
    from api.composition import build
    from envelopes.persistence.migrate import current_revision

    url = checked_url(settings.database_url)
    require_database_file(url)
    with database_errors(url):
        revision = current_revision(url)
    if revision != head_revision():
        found = "is empty" if revision is None else f"is at schema revision {revision}"
        fail(
            f"the database at {shown(url)} {found}, not {head_revision()}: "
            f"run `mandaat db upgrade --db {shown(url)}` first",
            BAD_INPUT,
        )
    mandaat = build(settings)
    try:
        with database_errors(url):
            yield mandaat
    finally:
        mandaat.close()


def reading(mandaat: Mandaat) -> SqlUnitOfWork:
    """A unit of work that only reads, from one snapshot, and never waits for writers."""
    from envelopes.persistence.database import make_session_factory
    from envelopes.persistence.unit_of_work import SqlUnitOfWork

    return SqlUnitOfWork(make_session_factory(mandaat.database), read_only=True)


def policy_folder_files(folder: Path) -> tuple[Policy, dict[str, str]]:
    """The policy in `folder` and its rule files (name -> text), or every `path:line:column: message` on
    stderr and exit code 1. The texts are the files' exact bytes (no newline translation): they hash to the
    same version as the folder."""
    policy = load_policy_or_exit(folder)
    files: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.is_file():
            try:
                files[path.name] = path.read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError) as error:
                fail(f"{path}: cannot be read as UTF-8 text: {error}", POLICY_INVALID)
    return policy, files
