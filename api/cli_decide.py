"""`mandaat decide`: evaluate requests offline against a policy folder; the facts come in the JSON.

One request: the decision as JSON on stdout. `--batch`: JSON Lines in, one JSON line out per request (for
replaying history); the policy is loaded once and the output goes through one buffered writer.
"""

from __future__ import annotations

import atexit
import gc
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Annotated

import typer
from pydantic_core import to_json

from api.cli_rules import POLICY_INVALID, Language, fail, load_policy_or_exit
from rules.decision import Decision
from rules.errors import EngineError
from rules.evaluation import evaluate
from rules.model import Policy
from rules.policies import DEMO_POLICY
from rules.request import DecisionRequest, RequestError, parse_request_json

BAD_INPUT = 2
#: A batch is written in blocks of about this many bytes: a block is joined and copied to the file while its
#: lines are still in the processor's cache. Blocks of 512 lines (1 MB of adversarial decisions) cost about
#: 3 µs more a decision, nearly all in the write itself (strace: 2.2 ms per 1 MB write, 83 µs per 64 KiB).
_FLUSH_BYTES = 1 << 16
_READ_BUFFER = 1 << 16

DECIDE_HELP = """Decide aid requests offline: a request as JSON in, the decision as JSON out.

FILE holds one request (a JSON object); '-' or nothing reads standard input. The decision (outcome, every
reason with its rule, text and legal basis, the matched rules, the parameter values used, the policy version)
goes to standard output. A malformed request prints nothing on standard output, names every bad field on
standard error (`amount: ...`) and exits 2.

With --batch, FILE holds JSON Lines: one request per line; blank lines are skipped. Standard output gets
exactly one line per request, in order: the decision, or for a malformed line an error object
{"line": 3, "errors": [{"field": "amount", "message": "..."}]} (a decision never has a "line" key). The same
error is written to standard error as `line 3: amount: ...`. The batch goes on after a malformed line; the
exit code is 2 at the end if any line was malformed, 0 otherwise.

Exit codes: 0 decided; 1 the policy is not valid or the rule engine failed (a batch stops there); 2 malformed
input, an unknown option or a missing file."""


def register_decide(app: typer.Typer) -> None:
    app.command("decide", help=DECIDE_HELP)(decide)


def decide(
    source: Annotated[
        str,
        typer.Argument(
            metavar="FILE|-",
            help="The request (JSON) or, with --batch, the requests (JSON Lines); '-' is standard input.",
            show_default=False,
        ),
    ] = "-",
    policy_folder: Annotated[
        Path | None,
        typer.Option(
            "--policy",
            "-p",
            metavar="DIR",
            help="The policy folder; the bundled demo policy when left out.",
            exists=True,
            file_okay=False,
            show_default=False,
        ),
    ] = None,
    lang: Annotated[Language, typer.Option("--lang", "-l", help="The language of the reason texts.")] = (
        Language.nl
    ),
    batch: Annotated[
        bool, typer.Option("--batch", help="Read JSON Lines; write one line per request.")
    ] = False,
) -> None:
    policy = load_policy_or_exit(policy_folder or DEMO_POLICY)
    _freeze_at_exit()
    sys.stdout.flush()
    out = sys.stdout.buffer
    if source == "-":
        failed = _run(policy, sys.stdin.buffer, out, lang.value, batch)
    else:
        try:
            stream = Path(source).open("rb", buffering=_READ_BUFFER)  # noqa: SIM115 (closed below)
        except OSError as error:
            raise typer.BadParameter(f"{source}: {error.strerror}", param_hint="FILE") from None
        with stream:
            failed = _run(policy, stream, out, lang.value, batch)
    if failed:
        raise typer.Exit(BAD_INPUT)


def _freeze_at_exit() -> None:
    """When the process ends, let it end without walking its objects. The interpreter's shutdown collections
    would go through every object of typer, pydantic and the rule engine, several times: about 20 ms, a tenth
    of a short batch. Nothing of this command needs a finaliser then (its output is flushed), so an exit hook
    freezes them (`gc.freeze`) and the system takes the memory back. An exit hook rather than a freeze now: a
    caller that runs the command in its own process (the tests) keeps its collector until its own exit."""
    atexit.unregister(gc.freeze)  # once, however often the command runs in one process
    atexit.register(gc.freeze)


def _run(policy: Policy, stream: IO[bytes], out: IO[bytes], lang: str, batch: bool) -> int:
    """Decide what `stream` holds; returns the number of malformed requests."""
    if batch:
        return _decide_lines(policy, stream, out, lang)
    request, problems = read_request(stream.read())
    if request is None:
        for where, what in problems:
            typer.echo(f"{where}: {what}", err=True)
        return 1
    decision = _evaluate(policy, request)
    if decision is None:
        fail("the rule engine failed: nothing was decided", POLICY_INVALID)
    out.write(json.dumps(decision.to_json(lang), ensure_ascii=False, indent=2).encode() + b"\n")
    out.flush()
    return 0


def _decide_lines(policy: Policy, lines: Iterable[bytes], out: IO[bytes], lang: str) -> int:
    """Decide line by line; returns the number of malformed lines. This loop runs once per request of a
    replay, so it calls the parser and the engine directly (see `read_request` and `_evaluate` for the same
    steps on a single request)."""
    failed = 0
    pending: list[bytes] = []
    waiting = 0  # the bytes in `pending`
    for number, line in enumerate(lines, start=1):
        if not line or line.isspace():  # blank: skipped (isspace: the ASCII whitespace that strip() removes)
            continue
        try:
            request = parse_request_json(line)
        except RequestError as error:
            failed += 1
            problems = error.problems
            sys.stderr.writelines(f"line {number}: {where}: {what}\n" for where, what in problems)
            errors = [{"field": where, "message": what} for where, what in problems]
            answer = to_json({"line": number, "errors": errors})
        else:
            try:
                decision = evaluate(policy, request)
            except EngineError as error:
                typer.echo(f"line {number}: {error}", err=True)
                _write(out, pending)
                out.flush()
                fail(f"line {number}: the rule engine failed: the batch stops here", POLICY_INVALID)
            answer = decision.to_json_bytes(lang)
        pending.append(answer)
        waiting += len(answer)
        if waiting >= _FLUSH_BYTES:
            _write(out, pending)
            waiting = 0
    _write(out, pending)
    out.flush()
    return failed


def _write(out: IO[bytes], pending: list[bytes]) -> None:
    if pending:
        pending.append(b"")  # the last line's newline
        out.write(b"\n".join(pending))
        pending.clear()


def _evaluate(policy: Policy, request: DecisionRequest) -> Decision | None:
    """The decision, or None (and the engine's message on stderr) when the engine failed."""
    try:
        return evaluate(policy, request)
    except EngineError as error:
        typer.echo(str(error), err=True)
        return None


def read_request(data: bytes) -> tuple[DecisionRequest | None, list[tuple[str, str]]]:
    """A request from JSON bytes, or None and the (field, message) problems."""
    if not data.strip():
        return None, [("request", "the input is empty: expected a JSON object")]
    try:
        return parse_request_json(data), []
    except RequestError as error:
        return None, list(error.problems)
