"""Dependency direction: api → envelopes → rules. Checked on the source, so a stray import fails the build."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _imports(package: str) -> list[tuple[str, str]]:
    """(file, imported top-level module or dotted name) for every import in a package."""
    found: list[tuple[str, str]] = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(str(path.relative_to(ROOT)), alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((str(path.relative_to(ROOT)), node.module))
    return found


def _offenders(package: str, forbidden: tuple[str, ...], under: str = "") -> list[str]:
    return [
        f"{file} imports {name}"
        for file, name in _imports(package)
        if file.startswith(under or package) and name.split(".")[0] in forbidden
    ]


def test_rules_imports_neither_envelopes_nor_api() -> None:
    assert _offenders("rules", ("envelopes", "api")) == []


def test_envelopes_does_not_import_api() -> None:
    assert _offenders("envelopes", ("api",)) == []


def test_the_domain_imports_no_framework() -> None:
    assert (
        _offenders(
            "envelopes",
            ("sqlalchemy", "fastapi", "durable", "durable_rules_engine", "alembic"),
            under="envelopes/domain",
        )
        == []
    )


@pytest.mark.parametrize("package", ["rules", "envelopes", "api"])
def test_only_the_engine_module_imports_durable_rules(package: str) -> None:
    users = [
        file for file, name in _imports(package) if name.split(".")[0] in ("durable", "durable_rules_engine")
    ]
    assert users == (["rules/engine.py"] if package == "rules" else [])


def test_the_check_sees_imports() -> None:
    """Guard against a vacuous pass: the scan does find rules' own imports."""
    assert ("rules/engine.py", "durable_rules_engine") in _imports("rules")
