"""The `mandaat` command line: the root app, to which each subcommand group adds itself.

`main()` is the console script. Nothing happens at import: the app is built by `create_app()`, and the rule
engine is only started by the commands that evaluate. A new group (`serve`, `db`, `log`, `users`, ...) lives
in its own `api/cli_<group>.py` with a `create_<group>_app()` or `register_<command>(app)` and is added in
`create_app()` below.

Exit codes, the same for every command: 0 done; 1 the policy (or its examples) is not valid, or the engine
failed; 2 bad input: unknown options, a missing file, a malformed request.
"""

from __future__ import annotations

import typer

HELP = """Mandaat: delegated emergency-aid decisions within the council's framework.

Exit codes: 0 done; 1 the policy is not valid (or its examples fail); 2 bad input (a malformed request, an
unknown option, a missing file)."""


def create_app() -> typer.Typer:
    """The root app with every subcommand group."""
    from api.cli_backup import register_backup_commands
    from api.cli_db import create_db_app
    from api.cli_decide import register_decide
    from api.cli_dossier import create_dossier_app
    from api.cli_log import create_log_app
    from api.cli_policy import create_policy_app
    from api.cli_rules import create_rules_app
    from api.cli_serve import register_serve
    from api.cli_users import create_users_app

    app = typer.Typer(
        name="mandaat",
        help=HELP,
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,  # plain, predictable messages on stderr
        pretty_exceptions_enable=False,
    )
    app.add_typer(create_rules_app(), name="rules")
    app.add_typer(create_users_app(), name="users")
    register_decide(app)
    db_app = create_db_app()
    register_backup_commands(db_app)  # db backup, db restore
    app.add_typer(db_app, name="db")
    app.add_typer(create_log_app(), name="log")
    app.add_typer(create_dossier_app(), name="dossier")
    app.add_typer(create_policy_app(), name="policy")
    register_serve(app)
    return app


def main() -> None:
    """The `mandaat` console script."""
    create_app()(prog_name="mandaat")
