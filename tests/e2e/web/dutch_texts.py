"""Every Dutch text the pages can show, found in the templates and the code, for the test that each has its
English (api/web/english.py)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from api.web import (
    catalogue,
    i18n,
    messages,
    pages,
    routes_auth,
    routes_committee,
    routes_finance,
    routes_finance_acts,
    routes_requests,
)

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE_TEXT = re.compile(r"""_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")


def in_templates() -> Iterator[tuple[str, str]]:
    for path in sorted((ROOT / "api" / "templates").rglob("*.html")):
        for match in TEMPLATE_TEXT.finditer(path.read_text("utf-8")):
            yield (
                str(path.relative_to(ROOT)),
                match.group(1) if match.group(1) is not None else match.group(2),
            )


def in_code() -> Iterator[tuple[str, str]]:
    """Texts given to `words(…)`, to `fields.fail(name, …)`, and as `missing=…`."""
    for path in sorted((ROOT / "api" / "web").glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            position = {"words": 0, "fail": 1}.get(name)
            if position is not None and len(node.args) > position:
                yield from _literal(where, node.args[position])
            for keyword in node.keywords:
                if keyword.arg == "missing":
                    yield from _literal(where, keyword.value)


def in_tables() -> Iterator[tuple[str, str]]:
    tables = {
        "STATUS": i18n.STATUS.values(),
        "ROLES": i18n.ROLES.values(),
        "ACTIONS": i18n.ACTIONS.values(),
        "KINDS": i18n.KINDS.values(),
        "RELEASES": i18n.RELEASES.values(),
        "OUTCOMES": i18n.OUTCOMES.values(),
        "RELATIONS": [*catalogue.RELATIONS.values(), "gezinslid"],
        "NAVIGATION": [label for items in pages.NAVIGATION.values() for _, label in items],
        "ENDED": routes_auth.ENDED.values(),
        "BY_FIELD": messages.BY_FIELD.values(),
        "BY_CODE": messages.BY_CODE.values(),
        "MEMBERS": messages.MEMBERS.values(),
        "LABELS": routes_requests.LABELS.values(),
        "DONE": routes_committee.DONE.values(),
        "ACTS": [text for pair in routes_finance_acts.ACTS.values() for text in pair],
        "MONTHS": routes_finance.MONTHS_NL,
    }
    for name, texts in tables.items():
        for text in texts:
            yield name, text


def every_text() -> dict[str, str]:
    """Dutch text -> where it was found."""
    found: dict[str, str] = {}
    for where, text in [*in_templates(), *in_code(), *in_tables()]:
        found.setdefault(text, where)
    return found


def _literal(where: str, node: ast.expr) -> Iterator[tuple[str, str]]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield where, node.value
    elif isinstance(node, ast.IfExp):
        yield from _literal(where, node.body)
        yield from _literal(where, node.orelse)
