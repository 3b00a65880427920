"""The compiled form: conditions become shapes with constants lifted out; limits become slots; the compiler
refuses what would hang or crash durable_rules."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rules.compiler import MAX_LIMITS_PER_ITEM, MAX_SHAPES, compile_policy
from rules.errors import PolicyError
from rules.loader import load_policy
from rules.policies import DEMO_POLICY
from tests.support.generate import GENERAL

ROOT = Path(__file__).resolve().parents[3]


def _policy(folder: Path, items: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "algemeen.yaml").write_text(GENERAL, encoding="utf-8")
    (folder / "t.yaml").write_text(
        textwrap.dedent(
            """\
            theme: t
            title: {nl: T}
            basis: "Raad"
            items:
            """
        )
        + items,
        encoding="utf-8",
    )
    return folder


def test_conditions_that_differ_only_in_numbers_share_one_shape(tmp_path: Path) -> None:
    folder = _policy(
        tmp_path / "p",
        "  a: {title: {nl: A}, delegated_when: beneficiary.age < 18}\n"
        "  b: {title: {nl: B}, delegated_when: beneficiary.age < leeftijd}\n"
        "  c: {title: {nl: C}, delegated_when: beneficiary.age >= 3}\n"
        "  d: {title: {nl: D}, delegated_when: not (beneficiary.age >= 12)}\n",
    )
    compiled = compile_policy(load_policy(folder))
    shapes = {key[1]: item.shape for key, item in compiled.items.items()}
    assert shapes["a"] == shapes["b"] == shapes["d"]  # `not (x >= 12)` is `x < 12`
    assert shapes["c"] != shapes["a"]
    assert [type(c).__name__ for c in compiled.items[("t", "b")].constants] == ["ParamRef"]


def test_not_is_pushed_down_to_the_comparisons(tmp_path: Path) -> None:
    folder = _policy(
        tmp_path / "p",
        "  a: {title: {nl: A}, delegated_when: "
        "'not (beneficiary.age < 18 and beneficiary.relation == \"kind\")'}\n",
    )
    compiled = compile_policy(load_policy(folder))
    shape = compiled.items[("t", "a")].shape
    assert compiled.rules[f"d{shape}_ok"] == {
        "all": [
            {
                "m": {
                    "$and": [
                        {"shape": shape},
                        {"$or": [{"$gte": {"age": {"$m": "k0"}}}, {"$neq": {"rel": {"$m": "k1"}}}]},
                    ]
                }
            }
        ]
    }


def test_the_ruleset_stays_small_for_the_demo_policy() -> None:
    compiled = compile_policy(load_policy(DEMO_POLICY))
    # 5 general rules, 2 limit slots, 3 shapes (age < k0, always, never) with 4 rules, and the catch-all.
    assert len(compiled.rules) == 5 + 2 + 4 + 1
    assert compiled.limit_slots == 2


def test_too_many_limits_on_one_item_are_refused_with_the_item_named(tmp_path: Path) -> None:
    limits = "".join(
        f'      - sum per household per rolling {n} days <= "100.00"\n'
        for n in range(1, MAX_LIMITS_PER_ITEM + 2)
    )
    folder = _policy(
        tmp_path / "p", f"  a:\n    title: {{nl: A}}\n    delegated_when: always\n    limits:\n{limits}"
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(folder)
    assert any("item a has 17 limits; at most 16" in str(e) for e in caught.value.errors)
    assert caught.value.errors[0].path == "t.yaml"


def _many_shapes(count: int) -> str:
    """`count` differently built conditions: three comparisons whose operators spell `n` in base 6."""
    ops = ("<", "<=", ">", ">=", "==", "!=")
    facts = ("household.size", "beneficiary.age", "household.children")
    lines = []
    for n in range(count):
        digits = (n // 36 % 6, n // 6 % 6, n % 6)
        condition = " and ".join(
            f"{fact} {ops[d]} {i + 1}" for i, (fact, d) in enumerate(zip(facts, digits, strict=True))
        )
        lines.append(f"  i{n}: {{title: {{nl: I}}, delegated_when: '{condition}'}}\n")
    return "".join(lines)


def test_more_shapes_than_the_engine_supports_are_refused_never_hang(tmp_path: Path) -> None:
    folder = _policy(tmp_path / "p", _many_shapes(MAX_SHAPES + 10))
    with pytest.raises(PolicyError, match="differently built delegation conditions"):
        load_policy(folder)


def test_a_policy_at_the_shape_limit_compiles_and_evaluates(tmp_path: Path) -> None:
    """Run in a child process with a time limit: durable_rules hangs rather than raising past its limits."""
    folder = _policy(tmp_path / "p", _many_shapes(MAX_SHAPES))
    script = textwrap.dedent(
        f"""
        from rules.loader import load_policy
        from rules.evaluation import evaluate
        from rules.request import parse_request
        policy = load_policy({str(folder)!r})
        request = parse_request({{"date": "2026-11-23", "theme": "t", "item": "i{MAX_SHAPES - 1}",
            "amount": "10.00", "beneficiary": {{"id": "a", "birth_date": "2010-01-01"}},
            "household": {{"id": "h", "members": [{{"id": "a", "birth_date": "2010-01-01"}},
                {{"id": "b", "birth_date": "1980-01-01"}}, {{"id": "c", "birth_date": "1981-01-01"}}]}},
            "envelope": {{"available": "100.00"}}}})
        from tests.support.oracle import oracle
        for n in range({MAX_SHAPES}):
            asked = request._replace(item=f"i{{n}}")
            assert evaluate(policy, asked).outcome.value == oracle(policy, asked)[0], n
        print("agreed")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "agreed"
