"""The `mandaat` command line: the root app, to which each subcommand group adds itself.

`main()` is the console script. Nothing happens at import: the app is built by `create_app()`, and the rule
engine is only started by the commands that evaluate. A new group (`serve`, `db`, `log`, `users`, ...) lives
in its own `api/cli_<group>.py` with a `create_<group>_app()` or `register_<command>(app)` and is added to
`COMMANDS` below.

The console script builds only the command it was asked for: `mandaat decide` runs in bulk from scripts and
needs the rule engine, not SQLAlchemy, FastAPI or the other commands' modules, whose imports would cost more
than a whole batch of decisions. `create_app()` without a name builds them all (`mandaat --help`, the tests).

Exit codes, the same for every command: 0 done; 1 the policy (or its examples) is not valid, or the engine
failed; 2 bad input: unknown options, a missing file, a malformed request.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import typer

HELP = """Mandaat: delegated emergency-aid decisions within the council's framework.

Exit codes: 0 done; 1 the policy is not valid (or its examples fail); 2 bad input (a malformed request, an
unknown option, a missing file)."""


def _add_rules(app: typer.Typer) -> None:
    from api.cli_rules import create_rules_app

    app.add_typer(create_rules_app(), name="rules")


def _add_users(app: typer.Typer) -> None:
    from api.cli_users import create_users_app

    app.add_typer(create_users_app(), name="users")


def _add_decide(app: typer.Typer) -> None:
    from api.cli_decide import register_decide

    register_decide(app)


def _add_db(app: typer.Typer) -> None:
    from api.cli_backup import register_backup_commands
    from api.cli_db import create_db_app

    db_app = create_db_app()
    register_backup_commands(db_app)  # db backup, db restore
    app.add_typer(db_app, name="db")


def _add_log(app: typer.Typer) -> None:
    from api.cli_log import create_log_app

    app.add_typer(create_log_app(), name="log")


def _add_dossier(app: typer.Typer) -> None:
    from api.cli_dossier import create_dossier_app

    app.add_typer(create_dossier_app(), name="dossier")


def _add_policy(app: typer.Typer) -> None:
    from api.cli_policy import create_policy_app

    app.add_typer(create_policy_app(), name="policy")


def _add_serve(app: typer.Typer) -> None:
    from api.cli_serve import register_serve

    register_serve(app)


#: Every top-level command, in the order `mandaat --help` lists them, and how to add it to the root app.
COMMANDS: dict[str, Callable[[typer.Typer], None]] = {
    "rules": _add_rules,
    "users": _add_users,
    "decide": _add_decide,
    "db": _add_db,
    "log": _add_log,
    "dossier": _add_dossier,
    "policy": _add_policy,
    "serve": _add_serve,
}


def _root() -> None:
    """The root has no options of its own; with this callback it stays a group even with one command."""


def create_app(command: str | None = None) -> typer.Typer:
    """The root app with every subcommand group, or with only `command` (one of `COMMANDS`)."""
    app = typer.Typer(
        name="mandaat",
        help=HELP,
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,  # plain, predictable messages on stderr
        pretty_exceptions_enable=False,
    )
    app.callback()(_root)
    for name, add in COMMANDS.items():
        if command is None or name == command:
            add(app)
    return app


def main() -> None:
    """The `mandaat` console script: builds the command named first on the command line, or every command
    when the first argument names none (an option such as --help, a typo: the whole app answers)."""
    first = sys.argv[1] if len(sys.argv) > 1 else None
    create_app(first if first in COMMANDS else None)(prog_name="mandaat")
