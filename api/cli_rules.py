"""`mandaat rules ...`: check a policy folder, explain it as a handbook, run its examples.

Also the helpers the other commands share to load a policy: errors as `path:line:column: message` on stderr
with the path as the user can open it, exit code 1.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError

from api.settings import Settings
from rules.errors import LoadError, PolicyError
from rules.loader import load_policy
from rules.model import Policy
from rules.policies import DEMO_POLICY

POLICY_INVALID = 1
BAD_INPUT = 2


class Language(StrEnum):
    nl = "nl"
    en = "en"


class HandbookFormat(StrEnum):
    md = "md"
    html = "html"


PolicyFolder = Annotated[
    Path,
    typer.Argument(
        metavar="DIR",
        help="The policy folder (rule files *.yaml, examples in tests/).",
        exists=True,
        file_okay=False,
        dir_okay=True,
    ),
]


def shown_path(folder: Path, error: LoadError) -> str:
    """An error's path as the user can open it: rule files are named relative to their policy folder."""
    path = Path(error.path)
    if path.is_absolute() or error.path == str(folder):
        return error.path
    return str(folder / path)


def report_policy_errors(folder: Path, errors: tuple[LoadError, ...]) -> None:
    for error in errors:
        where = shown_path(folder, error)
        place = f"{where}:{error.line}:{error.column}" if error.line > 0 else where
        typer.echo(f"{place}: {error.message}", err=True)


def fail(message: str, code: int) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def settings_for(db: str | None) -> Settings:
    """The settings from the environment, with `--db` overriding the database URL."""
    try:
        return Settings() if db is None else Settings(database_url=db)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        fail(f"the settings are not valid (MANDAAT_* environment variables): {problems}", BAD_INPUT)


def load_policy_or_exit(folder: Path) -> Policy:
    """The policy in `folder`, or every error on stderr and exit code 1. It may be as large as registering
    it would allow (MANDAAT_POLICY_MAX_*), no larger."""
    try:
        return load_policy(folder, settings_for(None).policy_limits())
    except PolicyError as error:
        report_policy_errors(folder, error.errors)
        count = len(error.errors)
        fail(f"{folder}: not a valid policy ({count} {'error' if count == 1 else 'errors'})", POLICY_INVALID)


def create_rules_app() -> typer.Typer:
    app = typer.Typer(
        name="rules",
        help="Check, explain and test a policy folder (the rule files).",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    app.command("check")(check)
    app.command("explain")(explain)
    app.command("test")(run_tests)
    return app


def check(folder: PolicyFolder) -> None:
    """Load the policy in DIR and report every error as path:line:column: message.

    Exit 0 and a one-line summary when the policy is valid; exit 1 with the errors on stderr otherwise.
    """
    policy = load_policy_or_exit(folder)
    themes = len(policy.themes)
    items = len(policy.items())
    parameters = len(policy.parameters)
    typer.echo(f"OK {policy.version} — {themes} themes, {items} items, {parameters} parameters")


def explain(
    folder: Annotated[
        Path | None,
        typer.Argument(
            metavar="DIR",
            help="The policy folder; the bundled demo policy when left out.",
            exists=True,
            file_okay=False,
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        HandbookFormat, typer.Option("--format", "-f", help="md (Markdown) or html (one standalone page).")
    ] = HandbookFormat.md,
    lang: Annotated[
        Language, typer.Option("--lang", "-l", help="The language of the handbook.")
    ] = Language.nl,
) -> None:
    """Print the policy as a handbook: per theme, what a caseworker may decide alone, up to which amounts,
    how often, on what legal basis and from which date; then the general conditions and the parameters."""
    from rules.handbook import render_handbook  # imported here: `decide` shares this module's helpers

    policy = load_policy_or_exit(folder or DEMO_POLICY)
    typer.echo(render_handbook(policy, fmt.value, lang.value), nl=False)


def run_tests(
    folder: Annotated[
        Path | None,
        typer.Argument(
            metavar="DIR",
            help="The policy folder; the bundled demo policy when left out.",
            exists=True,
            file_okay=False,
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run the examples the policy folder carries about itself (DIR/tests/*.yaml: a request in, the
    expected outcome and reasons out). Exit 0 when every example passes, 1 otherwise."""
    from rules.examples import run_examples  # imported here: `decide` shares this module's helpers

    folder = folder or DEMO_POLICY
    policy = load_policy_or_exit(folder)
    report = run_examples(folder, policy)
    for line in report.details(folder):
        typer.echo(line)
    typer.echo(("PASSED: " if report.passed else "FAILED: ") + report.summary())
    if not report.passed:
        raise typer.Exit(POLICY_INVALID)
