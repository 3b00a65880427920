"""`mandaat users add|list|disable|set-role|set-password` on a fresh SQLite database, through the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from api.auth.access import Client
from api.cli import create_app
from api.composition import build
from api.settings import Settings
from envelopes.persistence.migrate import upgrade

PASSWORD = "een lang en goed wachtwoord"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    for name, value in {"MEMORY_KIB": "64", "TIME_COST": "1", "PARALLELISM": "1"}.items():
        monkeypatch.setenv(f"MANDAAT_ARGON2_{name}", value)
    monkeypatch.delenv("MANDAAT_ADMIN", raising=False)
    url = f"sqlite:///{tmp_path / 'mandaat.db'}"
    upgrade(url)
    return url


def users(db: str, *args: str, password: str | None = PASSWORD, prompt: str | None = None) -> Result:
    stdin = prompt if prompt is not None else (None if password is None else password + "\n")
    return CliRunner().invoke(create_app(), ["users", *args, "--db", db], input=stdin)


def add(db: str, name: str, role: str, *extra: str, password: str = PASSWORD) -> Result:
    return users(db, "add", name, "--role", role, "--password-stdin", *extra, password=password)


def signs_in(db: str, name: str, password: str = PASSWORD) -> bool:
    mandaat = build(Settings(database_url=db))
    try:
        mandaat.access.sign_in(name, password, Client(None, "TEST", "test"))
        return True
    except Exception:
        return False
    finally:
        mandaat.close()


def log_actions(db: str) -> list[tuple[str, str]]:
    mandaat = build(Settings(database_url=db))
    try:
        with mandaat.uow() as uow:
            return [(entry.action, entry.actor_id) for entry in uow.log.entries()]
    finally:
        mandaat.close()


def test_the_first_user_is_an_admin_added_by_the_operator_alone(db: str) -> None:
    refused = add(db, "anna", "caseworker")
    first = add(db, "boss", "admin")

    assert refused.exit_code == 2
    assert "the first user of an installation is an admin" in refused.output
    assert first.exit_code == 0, first.output
    assert first.output == "added boss (admin)\n"
    assert PASSWORD not in first.output
    assert signs_in(db, "boss")
    assert log_actions(db) == [("user.added", "boss")]


def test_later_users_are_added_by_a_named_admin(db: str) -> None:
    add(db, "boss", "admin")

    nameless = add(db, "anna", "caseworker")
    added = add(db, "anna", "caseworker", "--as", "boss", "--team", "noord", "--mandate-ceiling", "150.00")
    again = add(db, "anna", "caseworker", "--as", "boss")
    by_a_caseworker = add(db, "bram", "caseworker", "--as", "anna")

    assert nameless.exit_code == 2
    assert "--as ADMIN" in nameless.output
    assert added.exit_code == 0, added.output
    assert again.exit_code == 2
    assert "there is already a user anna" in again.output
    assert by_a_caseworker.exit_code == 2
    assert "may not manage users" in by_a_caseworker.output
    assert signs_in(db, "anna")
    assert log_actions(db) == [("user.added", "boss"), ("user.added", "boss")]


@pytest.mark.parametrize("weak", ["", "kort", "aaaaaaaaaaaaaaaaa", "wachtwoord123", "ikbenanna-2026!"])
def test_a_weak_or_empty_password_is_refused_and_nothing_is_added(db: str, weak: str) -> None:
    add(db, "boss", "admin")

    result = add(db, "anna", "caseworker", "--as", "boss", password=weak)

    assert result.exit_code == 2
    assert "password" in result.output
    assert "anna" not in users(db, "list").output


def test_without_stdin_the_password_is_asked_twice_and_not_shown(db: str) -> None:
    result = users(db, "add", "boss", "--role", "admin", prompt=f"{PASSWORD}\n{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert result.output.count("Password") == 1
    assert "Repeat for confirmation" in result.output
    assert signs_in(db, "boss")


def test_users_are_listed_disabled_and_given_another_role(db: str) -> None:
    add(db, "boss", "admin")
    add(db, "anna", "caseworker", "--as", "boss", "--team", "noord")

    assert users(db, "set-role", "anna", "committee", "--as", "boss").output == "anna is now committee\n"
    assert users(db, "disable", "anna", "--as", "boss").output == "disabled anna\n"
    twice = users(db, "disable", "anna", "--as", "boss")
    own = users(db, "disable", "boss", "--as", "boss")
    listing = users(db, "list")

    assert twice.exit_code == 2
    assert "already disabled" in twice.output
    assert own.exit_code == 2
    assert listing.exit_code == 0
    assert listing.output.splitlines() == [
        "NAME  ROLE       STATUS    TEAM   PASSWORD",
        "anna  committee  disabled  noord  set",
        "boss  admin      active    -      set",
    ]
    assert not signs_in(db, "anna")
    assert [action for action, _ in log_actions(db)] == [
        "user.added",
        "user.added",
        "user.role_changed",
        "user.disabled",
    ]


def test_a_new_password_replaces_the_old_one(db: str) -> None:
    add(db, "boss", "admin")

    result = users(db, "set-password", "boss", "--password-stdin", password="een ander lang wachtwoord")
    unknown = users(db, "set-password", "nobody", "--password-stdin")

    assert result.exit_code == 0
    assert result.output == "password set for boss\n"
    assert not signs_in(db, "boss")
    assert signs_in(db, "boss", "een ander lang wachtwoord")
    assert unknown.exit_code == 2
    assert "there is no user nobody" in unknown.output


def test_a_missing_database_is_bad_input(tmp_path: Path) -> None:
    result = users(f"sqlite:///{tmp_path / 'nothing.db'}", "list")

    assert result.exit_code == 2
    assert "no database file" in result.output
