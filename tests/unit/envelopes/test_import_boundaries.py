"""What envelopes/ may import (see its README): the domain is plain Python; nothing imports the web layer."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[3] / "envelopes"
DOMAIN_MAY_IMPORT = ("envelopes.domain", "rules.money", "rules.decision", "rules.request")
NEVER = ("api", "fastapi", "starlette", "durable", "durable_rules_engine")
ONLY_IN_PERSISTENCE = ("sqlalchemy", "alembic", "psycopg")


def imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def under(name: str, roots: tuple[str, ...]) -> bool:
    return any(name == root or name.startswith(root + ".") for root in roots)


def sources(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def test_there_are_sources_to_check() -> None:
    assert len(sources(PACKAGE / "domain")) >= 8


@pytest.mark.parametrize("path", sources(PACKAGE / "domain"), ids=lambda p: p.name)
def test_the_domain_imports_the_standard_library_and_rules_value_types_only(path: Path) -> None:
    for name in imports(path):
        top = name.split(".")[0]
        assert top in sys.stdlib_module_names or under(name, DOMAIN_MAY_IMPORT), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", sources(PACKAGE), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_envelopes_never_imports_the_web_layer_or_the_rule_engine_runtime(path: Path) -> None:
    in_persistence = "persistence" in path.relative_to(PACKAGE).parts
    for name in imports(path):
        assert not under(name, NEVER), f"{path} imports {name}"
        assert in_persistence or not under(name, ONLY_IN_PERSISTENCE), f"{path} imports {name}"
