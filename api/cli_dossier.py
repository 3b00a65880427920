"""`mandaat dossier ...`: a person's data (GDPR art. 15) and the retention of client dossiers.

`dossier export ID` writes everything Mandaat holds about one client dossier as JSON: what to hand a person
who asks for their data. Each export is a read of the dossier, written to the access log with its reason
(`--reason`). `dossier reads ID` lists who read a dossier, when and why (for the auditor, and for a person
who asks). `dossier pseudonymise` replaces the identifying data of dossiers closed before a date
(no open request, no logged act since) — see `envelopes/services/privacy.py` for what "closed" means and
what is kept. The decision log is left as it is and still verifies; each pseudonymisation adds its own entry.

At the command line the operator acts as the system (`system` in the logs), as for `db upgrade`: whoever runs
it holds the database. The export reads from one snapshot; the only thing it writes is its access-log entry,
before any data leaves (when the entry cannot be written, nothing is exported).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer

from api.auth.access import MAX_REASON, PURPOSES, Client, Purpose
from api.cli_db import DatabaseOption, opened, reading
from api.cli_rules import BAD_INPUT, fail, settings_for
from envelopes.domain.errors import DomainError, NotFound
from envelopes.domain.ids import brussels_date
from envelopes.services import log_head
from envelopes.services.policies import SYSTEM_ACTOR
from envelopes.services.privacy import closed_dossiers, export_dossier, pseudonymise_dossier

EXPORT_ROUTE = "mandaat dossier export"


def create_dossier_app() -> typer.Typer:
    app = typer.Typer(
        name="dossier",
        help="A person's data (GDPR art. 15) and the retention of client dossiers.",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    app.command("export")(export)
    app.command("reads")(reads)
    app.command("pseudonymise")(pseudonymise)
    return app


def export(
    dossier: Annotated[
        str,
        typer.Argument(
            metavar="ID", help="The dossier's id, or its case-file reference.", show_default=False
        ),
    ],
    target: Annotated[
        str,
        typer.Argument(metavar="FILE|-", help="Where to write; '-' is standard output.", show_default=False),
    ] = "-",
    reason: Annotated[
        str,
        typer.Option(
            "--reason",
            metavar="TEXT",
            help="Why the dossier is exported, for the access log (say why, not who: no names).",
        ),
    ] = PURPOSES[Purpose.DATA_EXPORT],
    db: DatabaseOption = None,
) -> None:
    """Write everything Mandaat holds about one client dossier as JSON (GDPR art. 15): the reference, the
    household members, the caseworker; every aid request with its amounts, status, the engine's outcome and
    reasons, and the committee's ruling and motivation; and every logged act about it (when, who, what, the
    facts a decision used). A FILE is written whole or not at all, readable by its owner only. The export is
    written to the access log first (the dossier's id, the reason), as every read of a dossier is.

    Exit 0 done; 2 bad input (no such dossier, no database, an empty or too long reason)."""
    reason = " ".join(reason.split())
    if not reason or len(reason) > MAX_REASON:
        fail(f"--reason: say in 1 to {MAX_REASON} characters why the dossier is exported", BAD_INPUT)
    with opened(settings_for(db)) as mandaat:
        try:
            data = export_dossier(dossier, reading(mandaat))
        except NotFound as error:
            fail(error.message, BAD_INPUT)
        client = Client(None, "CLI", EXPORT_ROUTE)
        mandaat.access.dossiers_read(
            client, SYSTEM_ACTOR, [data["dossier"]["id"]], Purpose.DATA_EXPORT, reason=reason
        )
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if target == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        _write_private(Path(target), text)
    where = "standard output" if target == "-" else target
    typer.echo(
        f"exported client dossier {data['dossier']['id']}: {len(data['dossier']['members'])} members, "
        f"{len(data['aid_requests'])} aid requests, {len(data['history'])} logged acts, to {where}. It holds "
        "personal data: hand it over securely and do not keep a copy.",
        err=True,
    )


def reads(
    dossier: Annotated[
        str,
        typer.Argument(
            metavar="ID", help="The dossier's id, or its case-file reference.", show_default=False
        ),
    ],
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000, help="At most this many.")] = 1000,
    db: DatabaseOption = None,
) -> None:
    """Who read one client dossier, newest first, from the access log: when, who, why (the purpose), and where
    (the page, the API call or the command). One line each, tab-separated; the log names the dossier by its
    id only, whatever was given here.

    Exit 0 done (also when nobody read it); 2 bad input (no such dossier, no database)."""
    with opened(settings_for(db)) as mandaat:
        found = mandaat.views.dossier(dossier) or mandaat.views.dossier_by_reference(dossier)
        if found is None:
            fail(f"there is no client dossier {dossier}", BAD_INPUT)
        events = mandaat.access.reads_of(found.id, limit=limit)
    for event in events:
        when = event.at.isoformat(timespec="seconds")
        typer.echo(f"{when}\t{event.user_id}\t{event.detail}\t{event.purpose}\t{event.method} {event.route}")
    typer.echo(f"{len(events)} reads of client dossier {found.id}", err=True)


def pseudonymise(
    closed_before: Annotated[
        str | None,
        typer.Option(
            "--closed-before",
            metavar="DATE",
            help="Dossiers whose last act was before this day (YYYY-MM-DD).",
            show_default=False,
        ),
    ] = None,
    older_than: Annotated[
        int | None,
        typer.Option(
            "--older-than",
            metavar="DAYS",
            min=0,
            help="Dossiers whose last act was more than DAYS days ago (the retention period).",
            show_default=False,
        ),
    ] = None,
    db: DatabaseOption = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="Confirm: this cannot be undone (but by restoring a backup).")
    ] = False,
) -> None:
    """Pseudonymise the client dossiers closed before a day: no open request (escalated or returned), and no
    act naming them in the decision log since. Their case-file references become random tokens, birth dates
    keep only the year, relations and the free texts of their aid requests are removed; amounts, items,
    dates, statuses and reasons stay. Each dossier is done in its own transaction, with a log entry; the log
    still verifies. Without --yes, says how many dossiers it would change and changes nothing.

    Exit 0 done (or nothing to do); 2 bad input, or --yes missing."""
    if (closed_before is None) == (older_than is None):
        fail("give exactly one of --closed-before DATE and --older-than DAYS", BAD_INPUT)
    with opened(settings_for(db)) as mandaat:
        today = brussels_date(mandaat.clock())
        cutoff = _cutoff(closed_before, older_than, today)
        scan = closed_dossiers(cutoff, reading(mandaat))
        found = len(scan.dossiers)
        if found and not yes:
            fail(
                f"{found} client dossiers were closed before {cutoff.isoformat()}: pseudonymising them "
                "replaces their references, birth dates (the year stays), relations and free texts for good; "
                "run it again with --yes if that is what you want",
                BAD_INPUT,
            )
        done, skipped = [], []
        for dossier_id in scan.dossiers:
            try:
                done.append(pseudonymise_dossier(dossier_id, scan, mandaat.uow(), mandaat.clock))
            except DomainError as error:
                skipped.append(f"{dossier_id}: {error.message}")
        head = log_head(reading(mandaat))
    requests = sum(result.aid_requests for result in done)
    typer.echo(
        f"pseudonymised {len(done)} client dossiers closed before {cutoff.isoformat()} "
        f"({requests} aid requests); the decision log is unchanged but for one entry per dossier"
    )
    for line in skipped:
        typer.echo(f"skipped {line}")
    typer.echo(f"head {head}")
    if done:
        typer.echo(f"Keep the new head outside the database: --checkpoint {head.sequence}:{head.hash}")


def _cutoff(closed_before: str | None, older_than: int | None, today: date) -> date:
    if older_than is not None:
        return today - timedelta(days=older_than)
    assert closed_before is not None
    try:
        cutoff = date.fromisoformat(closed_before)
    except ValueError:
        fail(f"--closed-before {closed_before!r} is not a date: write YYYY-MM-DD", BAD_INPUT)
    if cutoff > today:
        fail(f"--closed-before {cutoff.isoformat()} is after today ({today.isoformat()})", BAD_INPUT)
    return cutoff


def _write_private(target: Path, text: str) -> None:
    """Written next to `target` under a temporary name (mode 0600), then renamed: never half a file."""
    folder = target.parent
    if not folder.is_dir():
        fail(f"{target}: the folder {folder} does not exist", BAD_INPUT)
    try:
        handle, partial = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".partial")
    except OSError as error:
        fail(f"{target}: cannot write in {folder}: {error.strerror}", BAD_INPUT)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        Path(partial).replace(target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
