"""`mandaat users`: add, list, disable, set-role, set-password.

Users are managed through the same use cases as everywhere (each change is logged in the decision log), so
every change has an acting admin: the operator names one with `--as ADMIN` (or `MANDAAT_ADMIN`). The one
exception is the first user of an empty installation, which must be an admin and is added by the operator
alone (`bootstrap_admin`). Passwords are not part of the domain: they are set apart (argon2id), after the
user exists, and recorded in the access log.

Exit codes (as every command's): 0 done; 2 bad input or refused (a weak password, an unknown role, a user
that exists, an acting user who is not an admin, a database that is not there).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from api.cli_db import DatabaseOption, opened
from api.cli_rules import BAD_INPUT, settings_for
from envelopes.domain.errors import DomainError
from envelopes.domain.users import Role
from rules.money import Money, MoneyFormatError

if TYPE_CHECKING:
    from api.auth.access import Client
    from api.composition import Mandaat

# The composition root, the use cases and argon2 are imported by the commands that use them: every `mandaat`
# command builds the whole app at start.


class RoleName(StrEnum):
    caseworker = "caseworker"
    finance = "finance"
    committee = "committee"
    policy = "policy"
    auditor = "auditor"
    admin = "admin"


Database = Annotated[
    str | None,
    typer.Option(
        "--db", metavar="URL", help="The database (default: MANDAAT_DATABASE_URL, else ./mandaat.db)."
    ),
]
ActingAdmin = Annotated[
    str | None,
    typer.Option("--as", metavar="ADMIN", envvar="MANDAAT_ADMIN", help="The admin who makes this change."),
]
PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="Read the password from standard input (one line) instead of asking."
    ),
]
Name = Annotated[str, typer.Argument(metavar="NAME", help="The login name: lower case, digits, _ . @ -")]


def create_users_app() -> typer.Typer:
    app = typer.Typer(
        name="users", help="Manage the users of an installation and their passwords.", no_args_is_help=True
    )
    app.command("add")(add)
    app.command("list")(list_users)
    app.command("disable")(disable)
    app.command("set-role")(change_role)
    app.command("set-password")(set_password)
    return app


def add(
    name: Name,
    role: Annotated[RoleName, typer.Option("--role", help="The user's one role.")],
    acting: ActingAdmin = None,
    password_stdin: PasswordStdin = False,
    display_name: Annotated[
        str | None, typer.Option("--display-name", help="How people call them (default: NAME).")
    ] = None,
    team: Annotated[str | None, typer.Option("--team", help="A caseworker's team.")] = None,
    mandate_ceiling: Annotated[
        str | None,
        typer.Option("--mandate-ceiling", metavar="AMOUNT", help='A caseworker\'s own ceiling, "150.00".'),
    ] = None,
    db: DatabaseOption = None,
) -> None:
    """Add a user with a role and a password. On an empty installation the first user is an admin, added
    without --as."""
    from api.auth.passwords import check_password
    from envelopes.services import add_user, bootstrap_admin
    from envelopes.services.commands import AddUser, BootstrapAdmin

    ceiling = _amount(mandate_ceiling)
    password = _read_password(password_stdin)
    with _refusals(), _services(db) as mandaat:
        check_password(password, user_id=name)
        if acting is None:
            if mandaat.views.accounts():
                _fail("name the admin who adds this user: --as ADMIN (or MANDAAT_ADMIN)", BAD_INPUT)
            if role is not RoleName.admin:
                _fail("the first user of an installation is an admin: --role admin", BAD_INPUT)
            answer = bootstrap_admin(BootstrapAdmin(name, display_name or name), mandaat.uow(), mandaat.clock)
        else:
            command = AddUser(acting, name, display_name or name, Role(role.value), team, ceiling)
            answer = add_user(command, mandaat.uow(), mandaat.clock)
        try:
            mandaat.access.set_password(answer.user_id, password, _client("users add"))
        except Exception:
            typer.echo(
                f"{answer.user_id} was added, but the password was not stored: "
                f"run `mandaat users set-password {answer.user_id}`",
                err=True,
            )
            raise
    typer.echo(f"added {answer.user_id} ({answer.role})")


def list_users(db: DatabaseOption = None) -> None:
    """Every user: login name, role, whether active, team, whether a password is set."""
    with _refusals(), _services(db) as mandaat:
        accounts = mandaat.views.accounts()
    rows = [("NAME", "ROLE", "STATUS", "TEAM", "PASSWORD")]
    for account in accounts:
        user = account.user
        status = "active" if user.active else "disabled"
        rows.append(
            (user.id, user.role.value, status, user.team or "-", "set" if account.has_password else "none")
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        typer.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def disable(name: Name, acting: ActingAdmin = None, db: DatabaseOption = None) -> None:
    """Disable a user: their tokens stop working at once. Users are never deleted (the log names them)."""
    from envelopes.services import disable_user
    from envelopes.services.commands import DisableUser

    with _refusals(), _services(db) as mandaat:
        answer = disable_user(DisableUser(_admin(acting), name), mandaat.uow(), mandaat.clock)
    typer.echo(f"disabled {answer.user_id}")


def change_role(
    name: Name,
    role: Annotated[RoleName, typer.Argument(metavar="ROLE", help="The new role.")],
    acting: ActingAdmin = None,
    db: DatabaseOption = None,
) -> None:
    """Give a user another role (one role per user); it takes effect on their next request."""
    from envelopes.services import set_role
    from envelopes.services.commands import SetRole

    with _refusals(), _services(db) as mandaat:
        answer = set_role(SetRole(_admin(acting), name, Role(role.value)), mandaat.uow(), mandaat.clock)
    typer.echo(f"{answer.user_id} is now {answer.role}")


def set_password(name: Name, password_stdin: PasswordStdin = False, db: DatabaseOption = None) -> None:
    """Set a user's password (the operator's act, in the access log); their older tokens stop working."""
    password = _read_password(password_stdin)
    with _refusals(), _services(db) as mandaat:
        mandaat.access.set_password(name, password, _client("users set-password"))
    typer.echo(f"password set for {name}")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


def _amount(text: str | None) -> Money | None:
    if text is None:
        return None
    try:
        return Money.parse(text)
    except MoneyFormatError as error:
        _fail(f"--mandate-ceiling: {error}", BAD_INPUT)


def _admin(acting: str | None) -> str:
    if acting is None:
        _fail("name the admin who makes this change: --as ADMIN (or MANDAAT_ADMIN)", BAD_INPUT)
    return acting


def _client(command: str) -> Client:
    from api.auth.access import Client

    return Client(address=None, method="CLI", route=f"mandaat {command}")


@contextmanager
def _services(db: str | None) -> Iterator[Mandaat]:
    """Mandaat wired to the existing, migrated database of `--db` (or MANDAAT_DATABASE_URL)."""
    with opened(settings_for(db)) as mandaat:
        yield mandaat


@contextmanager
def _refusals() -> Iterator[None]:
    """A refusal of the use cases as one line on stderr and its exit code."""
    try:
        yield
    except DomainError as error:
        _fail(f"error: {error.message}", BAD_INPUT)


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)
