"""`mandaat db seed`: a small city on SQLite and PostgreSQL, checked for what it made (users, dossiers,
envelopes, requests per status), that its log and ledger hold together, that the same seed makes the same
city, and that a database with a real user is refused without --yes.

The years are past years, so that the plan does not depend on the hour the test runs."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from api.cli import create_app
from api.composition import build
from api.settings import Settings
from envelopes import services as use
from envelopes.domain.ids import brussels_date
from envelopes.services import commands as cmd
from envelopes.services.common import utc_now
from rules.money import Money
from tests.integration.conftest import empty_database_url, postgres_server_url  # noqa: F401
from tests.support.served import FAST_HASHING_ENV

YEAR = brussels_date(utc_now()).year
YEARS = f"{YEAR - 2},{YEAR - 1}"
SIZE = ("--caseworkers", "3", "--dossiers", "30", "--requests", "400", "--years", YEARS)
THEMES = 6  # of the demo policy: an envelope each per year


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in FAST_HASHING_ENV.items():
        monkeypatch.setenv(name, value)


def mandaat(*args: str) -> Result:
    return CliRunner().invoke(create_app(), list(args))


def seeded(url: str, *options: str, size: tuple[str, ...] = SIZE) -> dict[str, Any]:
    result = mandaat("db", "seed", "--db", url, *size, *options, "--format", "json")
    assert result.exit_code == 0, result.output
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def test_seeding_makes_a_city_whose_log_and_ledger_hold_together(
    empty_database_url: str,  # noqa: F811 (the fixture imported above)
) -> None:
    summary = seeded(empty_database_url, "--seed", "7")

    app = build(Settings(database_url=empty_database_url))
    try:
        requests = app.views.aid_requests(caseworker_id=None, statuses=(), limit=10_000)
        envelopes = app.views.envelopes()
        dossiers = app.views.dossiers(caseworker_id=None, limit=10_000)
        accounts = app.views.accounts()
    finally:
        app.close()
    assert summary["requests"] == len(requests) == 400
    assert summary["statuses"] == dict(Counter(aid.status.value for aid in requests))
    assert {"approved", "refused", "withdrawn", "cancelled"} <= set(summary["statuses"]), "this seed"
    assert all(summary["rulings"][ruling] > 0 for ruling in ("approve", "lower", "refuse", "return"))
    assert summary["resubmitted"] > 0
    assert summary["top_ups"] > 0
    assert {aid.date.year for aid in requests} == {YEAR - 2, YEAR - 1}
    assert {aid.item for aid in requests} == {
        "energiefactuur", "apotheek", "kinderkleding", "winterschoenen", "vrijetijdsbijdrage", "schoolreis",
        "huurwaarborg",
    }  # fmt: skip
    assert len(dossiers) == summary["dossiers"] == 30
    assert sorted(d.reference for d in dossiers)[0] == summary["long_history"]["reference"] == "STAD-7-000001"
    assert sum(len(d.members) for d in dossiers) == summary["members"]
    assert {len(d.members) for d in dossiers} <= set(range(1, 7))
    assert {d.caseworker_id for d in dossiers} == {
        "maatschappelijk.assistent",
        "assistent.002",
        "assistent.003",
    }
    assert len(accounts) == summary["users_added"] == 6 + 2 + 2  # the demo's, 2 more committee, 2 caseworkers
    assert all(account.has_password for account in accounts)
    assert len(envelopes) == summary["envelopes_opened"] == THEMES * 2

    # The ledger: each envelope's commitments and holds are those of its requests; nothing is overspent.
    for envelope, balance in envelopes:
        mine = [aid for aid in requests if aid.envelope_id == envelope.id]
        committed = sum(aid.committed.cents for aid in mine)
        assert balance.committed == Money(committed), envelope.theme
        assert balance.held == Money(sum(aid.held.cents for aid in mine)), envelope.theme
        assert balance.available.cents >= 0
    assert sum(balance.adjusted.cents for _, balance in envelopes) == summary["topped_up_cents"]

    verified = mandaat("log", "verify", "--db", empty_database_url)
    assert verified.exit_code == 0, verified.output
    assert f"the log is whole: {summary['acts'] + 1} entries" in verified.stdout  # + the first policy version
    assert "OK: the ledger adds up" in verified.stdout
    replayed = mandaat("log", "replay", "--db", empty_database_url)
    assert replayed.exit_code == 0, replayed.output
    assert f"replayed {summary['approved_at_once'] + summary['escalated']} decisions" in replayed.stdout


def log_without_ids(url: str, folder: Path) -> list[dict[str, Any]]:
    """The exported log without what differs between two seedings of one seed: the ids and the hashes."""
    target = folder / f"log-{len(list(folder.iterdir()))}.jsonl"
    assert mandaat("log", "export", "--db", url, str(target)).exit_code == 0
    entries = []
    for line in target.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        for volatile in ("subjects", "hash", "previous_hash"):
            del entry[volatile]
        entry["balances"] = sorted(entry["balances"].values(), key=json.dumps)
        entry["details"].pop("ledger_entry", None)
        entries.append(entry)
    return entries


def test_the_same_seed_makes_the_same_city_and_another_seed_another(tmp_path: Path) -> None:
    urls = [f"sqlite:///{tmp_path / name}.db" for name in ("one", "two", "other")]
    summaries = [seeded(urls[0]), seeded(urls[1]), seeded(urls[2], "--seed", "2")]
    for summary in summaries:
        del summary["seconds"]

    assert summaries[0] == summaries[1]
    assert log_without_ids(urls[0], tmp_path) == log_without_ids(urls[1], tmp_path)
    assert summaries[2]["statuses"] != summaries[0]["statuses"]
    assert summaries[2]["long_history"]["reference"] == "STAD-2-000001"


def test_a_database_with_a_real_user_is_refused_without_yes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'real.db'}"
    assert mandaat("db", "upgrade", "--db", url).exit_code == 0
    app = build(Settings(database_url=url))
    try:
        use.bootstrap_admin(cmd.BootstrapAdmin("ada", "Ada Admin"), app.uow(), app.clock)
        head = use.log_head(app.uow())
    finally:
        app.close()

    refused = mandaat("db", "seed", "--db", url, *SIZE)
    assert refused.exit_code == 2
    assert "holds 1 user that seeding did not make (ada (admin))" in refused.stderr
    assert "--yes" in refused.stderr
    app = build(Settings(database_url=url))
    try:
        assert use.log_head(app.uow()) == head, "nothing was written"
        assert [account.user.id for account in app.views.accounts()] == ["ada"]
    finally:
        app.close()

    summary = seeded(url, "--yes")
    assert summary["requests"] == 400
    assert summary["users_added"] == 6 + 2 + 2  # added by ada, the database's admin
    again = mandaat("db", "seed", "--db", url, *SIZE, "--yes")
    assert again.exit_code == 2
    assert "seeded with --seed 1 already" in again.stderr


def test_a_database_seeding_made_is_seeded_again_with_another_seed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    small = ("--caseworkers", "3", "--dossiers", "5", "--requests", "40", "--years", YEARS)
    first = seeded(url, size=small)
    second = seeded(url, "--seed", "2", "--caseworkers", "4", size=small)

    assert first["users_added"] == 10
    assert second["users_added"] == 1  # assistent.004
    assert second["envelopes_opened"] == 0, "the envelopes of those years are there"
    assert mandaat("log", "verify", "--db", url).exit_code == 0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--years", f"{YEAR + 1}"), f"--years {YEAR + 1}: give years from 2000 to this year"),
        (("--years", "twenty"), "--years twenty: give years separated by commas"),
        (("--caseworkers", "0"), "--caseworkers 0: give a number from 1"),
        (("--format", "xml"), "--format xml: use text or json"),
    ],
)
def test_bad_options_are_refused_before_anything_is_made(
    tmp_path: Path, options: tuple[str, ...], message: str
) -> None:
    database = tmp_path / "mandaat.db"
    result = mandaat("db", "seed", "--db", f"sqlite:///{database}", *options)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not database.exists()
