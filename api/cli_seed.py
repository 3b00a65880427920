"""`mandaat db seed`: fill a database with a made-up city's years of aid (api/seed.py), for demonstrations and
to measure how Mandaat copes as a city's data grows (tests/benchmarks/bench_scale.py).

Demo data only. It adds users with a password everyone knows, so a database that holds users seeding did not
make (a real installation) is refused unless `--yes`; a database already seeded with the same `--seed` is
refused (its references are taken). Progress goes to stderr, the summary to stdout.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from api.cli_db import (
    DatabaseOption,
    checked_url,
    database_errors,
    opened,
    policy_folder_files,
    shown,
)
from api.cli_rules import BAD_INPUT, POLICY_INVALID, fail, settings_for
from api.settings import Settings
from envelopes.domain.errors import DomainError, PolicyRejected
from envelopes.domain.ids import brussels_date

if TYPE_CHECKING:
    from api.composition import Mandaat
    from api.seed_plan import CitySize
    from api.seed_summary import Progress

MAX_CASEWORKERS = 999
MAX_DOSSIERS = 1_000_000
MAX_REQUESTS = 10_000_000
PROGRESS_EVERY_S = 5.0


def seed_database(
    db: DatabaseOption = None,
    caseworkers: Annotated[
        int,
        typer.Option("--caseworkers", metavar="N", help="Caseworkers, each with a share of the dossiers."),
    ] = 5,
    dossiers: Annotated[
        int, typer.Option("--dossiers", metavar="N", help="Client dossiers (households).")
    ] = 200,
    requests: Annotated[
        int, typer.Option("--requests", metavar="N", help="Aid requests, spread over the years.")
    ] = 2000,
    years: Annotated[
        str | None,
        typer.Option(
            "--years",
            metavar="YEAR,YEAR,...",
            help="The budget years, none after this one (default: this year and the two before).",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[
        int, typer.Option("--seed", metavar="S", min=0, help="The same seed makes the same city.")
    ] = 1,
    policy_folder: Annotated[
        Path | None,
        typer.Option(
            "--policy",
            metavar="DIR",
            help="The first policy version of a new database (default: MANDAAT_POLICY_DIR, else the demo "
            "policy, whose themes and items the seed asks for).",
            exists=True,
            file_okay=False,
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", metavar="FORMAT", help="text or json (the summary).")
    ] = "text",
    yes: Annotated[
        bool,
        typer.Option(
            "--yes",
            help="Confirm: seed a database that holds users seeding did not make (a real installation).",
        ),
    ] = False,
) -> None:
    """Make an installation of a given size through the use cases: users of every role (the demo logins,
    password 'demo-wachtwoord'), caseworkers with dossiers of households, an envelope per theme and budget
    year, and the requests of those years with the committee's rulings, resubmissions, withdrawals,
    cancellations and top-ups, dated by a simulated clock. Demo data only.

    A new database is created (as `db upgrade`). Exit 0 done; 2 bad input, a database that holds real users
    (without --yes) or that this seed filled already."""
    from api.composition import build
    from api.seed import Seeding, SimulatedClock
    from api.seed_plan import CitySize, plan_city
    from envelopes.persistence.migrate import current_revision, upgrade
    from envelopes.services import install_first_policy_version

    if output_format not in ("text", "json"):
        fail(f"--format {output_format}: use text or json", BAD_INPUT)
    now = datetime.now(UTC)
    size = CitySize(
        caseworkers=_within("--caseworkers", caseworkers, 1, MAX_CASEWORKERS),
        dossiers=_within("--dossiers", dossiers, 1, MAX_DOSSIERS),
        requests=_within("--requests", requests, 0, MAX_REQUESTS),
        years=_years(years, brussels_date(now).year),
        seed=seed,
    )
    settings = settings_for(db)
    url = checked_url(settings.database_url)
    with database_errors(url):
        revision = current_revision(url)
    if revision is not None:
        _refuse_unless_seedable(settings, size, yes)
    folder = policy_folder or settings.policy_dir
    _, files = policy_folder_files(folder)
    try:
        plan = plan_city(size, until=now)
    except ValueError as error:
        fail(f"--years: {error}", BAD_INPUT)
    with database_errors(url):
        upgrade(url)
    clock = SimulatedClock(plan.start)
    mandaat = build(settings, clock=clock)
    _commits_without_sync(mandaat)
    try:
        with database_errors(url):
            try:
                install_first_policy_version(files, mandaat.uow(), mandaat.decisions, clock)
            except PolicyRejected as error:
                typer.echo("\n".join(error.problems), err=True)
                fail(f"{folder}: not a valid policy; nothing was seeded", POLICY_INVALID)
            _say(f"seeding {shown(url)}: {size.requests} requests over {', '.join(map(str, size.years))} ...")
            try:
                summary = Seeding(mandaat, plan, clock, _progress_printer()).run()
            except DomainError as error:
                fail(
                    f"seeding stopped: {error.message}; what was made stays (each act is logged): "
                    "start again on a new database",
                    BAD_INPUT,
                )
    finally:
        mandaat.close()
        _sync_to_disk(url)
    if output_format == "json":
        typer.echo(json.dumps(summary.to_json(), indent=2, ensure_ascii=False))
    else:
        typer.echo("\n".join(summary.lines()))


def _refuse_unless_seedable(settings: Settings, size: CitySize, yes: bool) -> None:
    """Exit 2 (nothing changed) for a database that is not at the newest schema, that holds users seeding
    does not make (without --yes), whose users of the seed's names have other roles, or that this seed has
    filled already."""
    from api.seed import made_by_seeding, roster
    from api.seed_plan import reference

    with opened(settings) as mandaat:  # exits 2 when the schema is not the newest
        accounts = mandaat.views.accounts()
        taken = mandaat.views.dossier_by_reference(reference(size.seed, 0)) is not None
    real = [account.user for account in accounts if not made_by_seeding(account.user.id, account.user.role)]
    if real and not yes:
        named = ", ".join(f"{user.id} ({user.role.value})" for user in real[:3]) + (
            ", …" if len(real) > 3 else ""
        )
        users = f"{len(real)} user{'s' if len(real) > 1 else ''}"
        fail(
            f"the database at {shown(settings.database_url)} holds {users} that seeding did not make "
            f"({named}): seeding adds demo users with a password everyone knows and thousands of made-up "
            "dossiers and requests. Seed a new database (another --db), or run again with --yes if that is "
            "what you want",
            BAD_INPUT,
        )
    roles = {account.user.id: account.user.role for account in accounts}
    for login in roster(size.caseworkers):
        if login.user_id in roles and roles[login.user_id] is not login.role:
            fail(
                f"the user {login.user_id} exists with the role {roles[login.user_id].value}; seeding needs "
                f"that name for a {login.role.value}: seed a new database",
                BAD_INPUT,
            )
    if taken:
        fail(
            f"this database was seeded with --seed {size.seed} already: choose another --seed to add more, "
            "or seed a new database",
            BAD_INPUT,
        )


def _within(option: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        fail(f"{option} {value}: give a number from {low} to {high}", BAD_INPUT)
    return value


def _years(text: str | None, this_year: int) -> tuple[int, ...]:
    if text is None:
        return (this_year - 2, this_year - 1, this_year)
    try:
        years = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        fail(f"--years {text}: give years separated by commas, such as 2024,2025,2026", BAD_INPUT)
    if not years or years[0] < 2000 or years[-1] > this_year:
        fail(f"--years {text}: give years from 2000 to this year ({this_year})", BAD_INPUT)
    return tuple(years)


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _progress_printer() -> Callable[[Progress], None]:
    last = [time.monotonic()]
    began = last[0]

    def show(progress: Progress) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY_S and progress.requests < progress.total:
            return
        last[0] = now
        rate = progress.requests / (now - began) if now > began else 0.0
        left = (progress.total - progress.requests) / rate if rate else 0.0
        _say(
            f"  {progress.day.isoformat()}  {progress.requests}/{progress.total} requests, "
            f"{progress.acts} acts, {rate:.0f} requests/s, about {left / 60:.0f} min left"
        )

    return show


def _commits_without_sync(mandaat: Mandaat) -> None:
    """The seed's commits are not each waited for until they are on disk: on SQLite `PRAGMA synchronous=OFF`
    on the writers' connection (the service's is FULL), on PostgreSQL `synchronous_commit` off for the seed's
    sessions. Seeding takes half the time; should the machine fail halfway, the made-up data is best seeded
    again on a new database. `_sync_to_disk` makes an SQLite result durable (PostgreSQL's WAL writer flushes
    within a fraction of a second by itself)."""
    from sqlalchemy import event

    engine = mandaat.databases.writes
    setting = {"sqlite": "PRAGMA synchronous=OFF", "postgresql": "SET synchronous_commit TO off"}
    statement = setting.get(engine.dialect.name)
    if statement is None:
        return
    engine.dispose()  # the setting applies to connections made from now on

    def without_sync(connection: Any, record: Any) -> None:
        connection.execute(statement)
        connection.commit()  # PostgreSQL: a SET in a transaction rolled back would be undone with it

    event.listen(engine, "connect", without_sync)


def _sync_to_disk(url: str) -> None:
    """SQLite: the database file (and a write-ahead log still beside it) on disk, now that seeding is done."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return
    for path in (Path(parsed.database), Path(f"{parsed.database}-wal")):
        if path.exists():
            with path.open("rb") as file:
                os.fsync(file.fileno())
