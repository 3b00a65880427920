"""A policy's size limits (rules/sizes.py): too many files, a file or all files too large, too many entries.
Each is refused with the limit named, as soon as it is known: the rest is not read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rules.errors import LoadError, PolicyError
from rules.loader import load_policy
from rules.sizes import DEFAULT_LIMITS, SizeLimits, entries_of, kib
from rules.source import MAX_FILE_BYTES, parse_yaml
from tests.support.generate import plain_theme

REPO = Path(__file__).resolve().parents[3]
DEMO = REPO / "rules" / "policies" / "demo"
MINIMAL = REPO / "tests" / "fixtures" / "minimal_policy"
MINIMAL_ENTRIES = 6  # algemeen: a parameter and its value; kleding: a parameter, its value, an item, a limit


def errors_of(folder: Path, limits: SizeLimits) -> tuple[LoadError, ...]:
    with pytest.raises(PolicyError) as raised:
        load_policy(folder, limits)
    return raised.value.errors


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    return Path(shutil.copytree(MINIMAL, tmp_path / "policy"))


def test_the_entries_counted_are_what_the_loader_builds() -> None:
    policy = load_policy(DEMO)
    built = (
        len(policy.items())
        + sum(len(item.limits) for item in policy.items())
        + len(policy.parameters)
        + sum(len(parameter.values) for parameter in policy.parameters.values())
    )
    counted = 0
    for path in DEMO.glob("*.yaml"):
        tree, errors = parse_yaml(path.read_bytes(), path.name)
        assert tree is not None
        assert errors == []
        counted += len(list(entries_of(tree)))
    assert counted == built
    assert load_policy(DEMO, SizeLimits(entries=built)).version == policy.version
    [error] = errors_of(DEMO, SizeLimits(entries=built - 1))
    assert f"more than {built - 1} entries" in error.message


def test_the_defaults_leave_room_for_a_real_policy() -> None:
    assert load_policy(DEMO, DEFAULT_LIMITS).version == load_policy(DEMO, None).version


def test_too_many_files_are_refused_before_any_is_read(minimal: Path) -> None:
    (minimal / "kapot.yaml").write_text("theme: [\n")  # would be a syntax error, were it read
    [error] = errors_of(minimal, SizeLimits(files=2))
    assert (error.path, error.line, error.column) == (str(minimal), 0, 0)
    assert error.message == "the policy has 3 rule files; a policy has at most 2"


def test_a_file_over_its_limit_is_refused_and_not_read_past_it(minimal: Path) -> None:
    (minimal / "groot.yaml").write_text("# " + "x" * 2000 + "\n")
    [error] = errors_of(minimal, SizeLimits(file_bytes=1024))
    assert (error.path, error.line, error.column) == ("groot.yaml", 1, 1)
    assert error.message == "the file is larger than 1 KiB, the most a rule file may hold"


def test_files_over_their_limit_together_are_refused(minimal: Path) -> None:
    size = sum(path.stat().st_size for path in minimal.glob("*.yaml"))
    (minimal / "later.yaml").write_text("theme: [\n")  # past the limit: never parsed
    [error] = errors_of(minimal, SizeLimits(total_bytes=size - 1))
    assert (error.path, error.line, error.column) == (str(minimal), 0, 0)
    assert error.message == (
        f"the rule files are larger than {kib(size - 1)} together, the most a policy may hold "
        "(from kleding.yaml on)"
    )


def test_too_many_entries_are_refused_where_the_first_one_too_many_is_written(minimal: Path) -> None:
    (minimal / "meer.yaml").write_text(plain_theme("meer", 10))
    (minimal / "zzz.yaml").write_text("theme: [\n")  # after the file that went over: never parsed
    limit = MINIMAL_ENTRIES + 2 * 4 + 1  # the 5th item's limit is one too many
    [error] = errors_of(minimal, SizeLimits(entries=limit))
    assert (error.path, error.line, error.column) == ("meer.yaml", 4 + 4 * 5 + 5, 9)
    assert error.message == (
        f"the policy has more than {limit} entries (items, their limits, parameters and their dated values "
        "together), the most a policy may hold"
    )


def test_a_stored_version_loads_without_the_limits(minimal: Path) -> None:
    (minimal / "meer.yaml").write_text(plain_theme("meer", 10))
    assert len(load_policy(minimal, None).items()) == 11


def test_limits_cannot_exceed_the_formats_own_bound() -> None:
    with pytest.raises(ValueError, match="at most 1024 KiB"):
        SizeLimits(file_bytes=MAX_FILE_BYTES + 1)
    with pytest.raises(ValueError, match="at least 1"):
        SizeLimits(entries=0)
