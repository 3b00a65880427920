"""`mandaat serve`: run the HTTP API and the web pages with uvicorn.

    mandaat serve [--db URL] [--policy DIR] [--host H] [--port P] [--workers N] [--demo]

Before serving, the database is migrated and given its first policy version exactly as `mandaat db upgrade`
does (same code, same messages); with `--demo`, an installation without users is filled with the demo
(api/demo.py). Then uvicorn runs the application factory `api.http.app:app_from_environment` in N worker
processes: each builds its own application, database pool and decision engine, and compiles the policy in
force at start (durable_rules is per process: DURABLE_RULES.md). The settings reach the workers as `MANDAAT_*`
environment variables; `--db` and `--policy` override theirs. uvicorn's own reading of X-Forwarded-* headers
is off: the application reads them, from `MANDAAT_TRUSTED_PROXIES` only (api/http/proxies.py).

Several workers are safe on PostgreSQL (row locks, READ COMMITTED, uniqueness in the database) and are allowed
on SQLite too: its writers are serialized by the database itself (every write transaction is `BEGIN
IMMEDIATE`, waiting up to the busy timeout for the lock), which is the same whether the rival connections are
threads of one worker or other workers. Only a database file on a network share is unsafe, with any number of
workers. On SQLite, more workers buy parallel reads and JSON work, not parallel writes.

Exit codes: 0 stopped (Ctrl+C or SIGTERM); 1 the policy folder is not valid; 2 bad input (a port out of
range, a database URL Mandaat cannot use or reach, a missing policy folder, an address already in use);
3 the application could not start (uvicorn's code; the reason is in its log).
"""

from __future__ import annotations

import ipaddress
import os
import socket
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli_db import DatabaseOption, checked_url, opened, shown, upgrade_database
from api.cli_rules import BAD_INPUT, fail, settings_for
from envelopes.domain.errors import DomainError

if TYPE_CHECKING:
    from uvicorn import Config

    from api.demo import DemoInstallation

APP_FACTORY = "api.http.app:app_from_environment"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
MAX_WORKERS = 64
GRACEFUL_SHUTDOWN_SECONDS = 10
STARTUP_FAILED = 3  # as uvicorn's own exit code when the application cannot start


def register_serve(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    db: DatabaseOption = None,
    policy_folder: Annotated[
        Path | None,
        typer.Option(
            "--policy",
            metavar="DIR",
            help="The policy folder installed as the first version of an empty database "
            "(default: MANDAAT_POLICY_DIR, else the bundled demo policy).",
            show_default=False,
        ),
    ] = None,
    host: Annotated[
        str,
        typer.Option("--host", metavar="H", help="The address to listen on; 0.0.0.0 for every interface."),
    ] = DEFAULT_HOST,
    port: Annotated[int, typer.Option("--port", metavar="P", min=1, max=65535, help="The TCP port.")] = (
        DEFAULT_PORT
    ),
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            metavar="N",
            min=1,
            max=MAX_WORKERS,
            help="Worker processes, each with its own database pool and compiled policy. Several are "
            "meant for PostgreSQL; on SQLite they are safe but writes still go one at a time.",
        ),
    ] = 1,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="On a database without users: add demo users for every role (known password), demo "
            "dossiers and envelopes for this year. Prints the demo logins.",
        ),
    ] = False,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log/--no-access-log",
            help="Print a line per HTTP request. Sign-ins and refusals are in Mandaat's own access log "
            "either way.",
        ),
    ] = False,
) -> None:
    """Serve the web pages and the JSON API under /api/v1 (documented at /docs): migrate the database
    first (as `db upgrade`), then run N uvicorn workers. Stop with Ctrl+C."""
    import uvicorn

    settings = settings_for(db)
    url = absolute_sqlite(checked_url(settings.database_url))
    folder = (policy_folder or settings.policy_dir).expanduser()
    if not folder.is_dir():
        given = "--policy" if policy_folder is not None else "MANDAAT_POLICY_DIR"
        fail(f"{given} {folder}: there is no such folder (a policy folder holds the rule files)", BAD_INPUT)
    check_can_listen(host, port)

    upgrade_database(db=url, policy_folder=folder)  # exits 1 (broken policy) or 2 (database) by itself
    installation = seed(url) if demo else None

    os.environ["MANDAAT_DATABASE_URL"] = url  # for the workers: each builds its own app from these
    os.environ["MANDAAT_POLICY_DIR"] = str(folder.resolve())
    for line in banner(url, host, port, workers, installation):
        typer.echo(line)
    config = uvicorn.Config(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        proxy_headers=False,  # X-Forwarded-*: from MANDAAT_TRUSTED_PROXIES only, in api/http/proxies.py
        server_header=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    with suppress(KeyboardInterrupt):
        if workers == 1:
            server = uvicorn.Server(config)
            server.run()  # asyncio makes the listening socket itself
            if not server.started:
                raise typer.Exit(STARTUP_FAILED)
        else:
            run_workers(config, host, port)


def run_workers(config: Config, host: str, port: int) -> None:
    """What `uvicorn.run` does for several workers, but with a listening socket made as a TCP socket
    (protocol IPPROTO_TCP): asyncio turns Nagle's algorithm off (TCP_NODELAY) only on connections accepted
    from such a socket, and uvicorn 0.54 makes its own with protocol 0, which adds ~40 ms (delayed ACK) to
    every keep-alive request (github.com/Kludex/uvicorn/issues/3149)."""
    from uvicorn.supervisors import Multiprocess

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
    except OSError as error:
        fail(f"cannot listen on {host}:{port}: {error.strerror}", BAD_INPUT)
    listening.set_inheritable(True)
    Multiprocess(config, sockets=[listening]).run()


def seed(url: str) -> DemoInstallation:
    from api.demo import seed_demo

    with opened(settings_for(url)) as mandaat:
        try:
            installation = seed_demo(mandaat)
        except DomainError as error:
            fail(
                f"the demo could not be added: {error.message}; what was added stays (each act is logged): "
                f"start again on a new database (another --db)",
                BAD_INPUT,
            )
    typer.echo(installation.summary())
    return installation


def banner(url: str, host: str, port: int, workers: int, installation: DemoInstallation | None) -> list[str]:
    """What the operator reads before the server starts: where to open it, and the demo logins."""
    from api.demo import CASEWORKER, DEMO_PASSWORD, login_table

    base = f"http://{browser_host(host)}:{port}"
    everywhere = " (op elke interface / on every interface)" if host in ("0.0.0.0", "::", "") else ""  # noqa: S104
    lines = [
        "",
        f"Mandaat draait op / is running at {base}/{everywhere}  (open in de browser / open in a browser)",
        f"  API en documentatie / API and docs: {base}/docs  (Authorize: gebruiker en wachtwoord / user and "
        "password)",
        f"  database: {shown(url)} · {workers} worker{'s' if workers != 1 else ''}",
    ]
    if installation is not None and installation.demo_users:
        lines += [
            "",
            "Demo-aanmeldingen / demo logins:",
            *login_table(DEMO_PASSWORD),
            "",
            f"Probeer / try: Authorize als / as {CASEWORKER.user_id}; GET /api/v1/dossiers "
            "(DEMO-0001 heeft een kind van 8 / has a child of 8);",
            '  POST /api/v1/aid-requests {"theme": "kleding", "item": "winterschoenen", '
            '"amount": "55.00", …} → approved',
        ]
        if not is_loopback(host):
            lines += [
                "",
                "LET OP / WARNING: de demo-wachtwoorden zijn publiek / the demo passwords are public: "
                f"{host} is reachable from other machines.",
            ]
    elif installation is not None:
        lines += ["", "Demo: de database had al gebruikers / the database already had users: sign in as one."]
    lines += ["", "Stoppen / stop: Ctrl+C", ""]
    return lines


def absolute_sqlite(url: str) -> str:
    """An SQLite URL with an absolute path, so that every worker and message names the same file."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return url
    resolved = parsed.set(database=str(Path(parsed.database).expanduser().resolve()))
    return resolved.render_as_string(hide_password=False)


def check_can_listen(host: str, port: int) -> None:
    """Exit 2 with a clear message when `host:port` cannot be listened on (before anything is changed)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        fail(f"--host {host}: not an address this machine can listen on ({error.strerror})", BAD_INPUT)
    family, kind, protocol, _, address = found[0]
    with socket.socket(family, kind, protocol) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            probe.bind(address)
        except OSError as error:
            fail(
                f"cannot listen on {host}:{port}: {error.strerror}; is another server using port {port}? "
                "Choose another with --port",
                BAD_INPUT,
            )


def browser_host(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 (a name for the browser, not an address to bind)
        return "localhost"
    return f"[{host}]" if ":" in host else host


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
