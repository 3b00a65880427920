"""`mandaat policy ...`: register a policy folder as a new version from a date; list the stored versions.

Checking a folder without storing it is `mandaat rules check DIR`.
"""

from __future__ import annotations

import re
from datetime import UTC, date
from pathlib import Path
from typing import Annotated

import typer

from api.cli_db import DatabaseOption, opened, policy_folder_files, reading
from api.cli_rules import BAD_INPUT, POLICY_INVALID, fail, settings_for
from envelopes.domain.errors import DomainError, PolicyRejected
from envelopes.domain.ids import brussels_date
from envelopes.domain.policies import in_force_on
from envelopes.services import register_policy_version
from envelopes.services.commands import RegisterPolicyVersion

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def create_policy_app() -> typer.Typer:
    app = typer.Typer(
        name="policy",
        help="Register policy versions (rule folders in force from a date) and list them.",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    app.command("register")(register)
    app.command("list")(list_versions)
    return app


def register(
    folder: Annotated[
        Path,
        typer.Argument(
            metavar="DIR",
            help="The policy folder (rule files *.yaml).",
            exists=True,
            file_okay=False,
            show_default=False,
        ),
    ],
    effective_from: Annotated[
        str,
        typer.Option(
            "--effective-from",
            metavar="YYYY-MM-DD",
            help="The first day (Europe/Brussels) the version decides requests: today or later.",
            show_default=False,
        ),
    ],
    actor: Annotated[
        str,
        typer.Option(
            "--actor", metavar="USER_ID", help="The policy officer who registers it.", show_default=False
        ),
    ],
    db: DatabaseOption = None,
) -> None:
    """Store the rule files in DIR as a new policy version, in force from --effective-from.

    The folder is checked first: a broken folder prints every path:line:column: message and exits 1, and
    nothing is stored (the version in force stays in force). Exit 2 when the registration is refused: the
    actor is not an active policy user, the date has passed or already starts another version."""
    day = parse_day(effective_from)
    policy, files = policy_folder_files(folder)
    command = RegisterPolicyVersion(actor.strip(), files, day, expected_version=policy.version)
    settings = settings_for(db)
    with opened(settings) as mandaat:
        try:
            answer = register_policy_version(
                command, mandaat.uow(), mandaat.decisions, mandaat.clock, settings.policy_limits()
            )
        except PolicyRejected as error:
            typer.echo("\n".join(error.problems), err=True)
            fail(f"{folder}: not a valid policy; nothing was stored", POLICY_INVALID)
        except DomainError as error:
            fail(f"refused: {error.message}; nothing was stored", BAD_INPUT)
    typer.echo(f"registered {folder} as version {answer.version}, in force from {answer.effective_from}")


def list_versions(db: DatabaseOption = None) -> None:
    """List every stored policy version by effective date; the one in force today is marked with '*'."""
    with opened(settings_for(db)) as mandaat:
        today = brussels_date(mandaat.clock())
        uow = reading(mandaat)
        with uow:
            versions = uow.policies.all()
    if not versions:
        typer.echo(
            "no policy version is stored: `mandaat db upgrade` installs the first one, "
            "`mandaat policy register` adds one"
        )
        return
    current = in_force_on(versions, today)
    typer.echo(f"  {'from':<10}  {'version':<64}  registered by and at (UTC)")
    for version in versions:
        mark = "*" if version is current else " "
        registered = version.registered_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
        typer.echo(
            f"{mark} {version.effective_from.isoformat()}  {version.version}  "
            f"{version.registered_by} {registered}"
        )
    if current is None:
        typer.echo(f"none is in force today ({today.isoformat()}): the first starts later")
    else:
        typer.echo(f"* in force today ({today.isoformat()}, Europe/Brussels)")


def parse_day(text: str) -> date:
    try:
        if _DATE.match(text.strip()):
            return date.fromisoformat(text.strip())
    except ValueError:
        pass
    raise typer.BadParameter(f"{text!r} is not a date: write YYYY-MM-DD", param_hint="--effective-from")
