"""Differential tests: durable_rules, a plain-Python interpreter of the same compiled rules, and an oracle
that reads the policy model directly must agree on every outcome and every reason, over 10,000+ requests."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from rules.engine import CATCH_ALL, fire
from rules.evaluation import build_fact, compiled, derive_facts, evaluate, explain
from rules.loader import load_policy
from rules.model import Policy
from rules.policies import DEMO_POLICY
from rules.request import parse_request
from tests.support.generate import random_request, write_policy
from tests.support.oracle import oracle
from tests.support.reference import fired as reference_fired

REQUESTS_PER_POLICY = 2_000


@pytest.fixture(scope="module")
def policies(tmp_path_factory: pytest.TempPathFactory) -> list[Policy]:
    loaded = [load_policy(DEMO_POLICY)]
    for seed in (1, 2, 3, 4):
        folder = write_policy(tmp_path_factory.mktemp(f"generated{seed}"), items=40, seed=seed, themes=4)
        loaded.append(load_policy(folder))
    return loaded


def _items(policy: Policy) -> list[tuple[str, str]]:
    return [(item.theme, item.key) for item in policy.items()]


def test_engine_reference_and_oracle_agree_on_every_request(policies: list[Policy]) -> None:
    outcomes = {"approve": 0, "escalate": 0}
    reasons_seen: set[str] = set()
    total = 0
    for index, policy in enumerate(policies):
        rng = random.Random(1000 + index)
        items = _items(policy)
        compiled_policy = compiled(policy)
        for _ in range(REQUESTS_PER_POLICY):
            request = parse_request(random_request(rng, items))
            decision = evaluate(policy, request)

            facts = derive_facts(policy, request)
            item = compiled_policy.items.get((facts.theme, facts.item))
            given = build_fact(compiled_policy, item, facts)
            by_engine = set(fire(compiled_policy.ruleset_name, given.fact))
            by_reference = reference_fired(compiled_policy.rules, given.fact) - {CATCH_ALL}
            assert by_engine == by_reference, (request, given.fact)
            replayed = explain(compiled_policy, item, facts, by_reference, given)
            assert replayed == decision

            outcome, reason_ids = oracle(policy, request)
            assert decision.outcome.value == outcome, (request, decision.reasons)
            assert {reason.rule for reason in decision.reasons} == reason_ids, request
            assert len(decision.reasons) == len(reason_ids)
            outcomes[outcome] += 1
            reasons_seen |= reason_ids
            total += 1
    assert total >= 10_000
    # The generated requests must exercise both outcomes and every kind of reason, or the test proves little.
    assert outcomes["approve"] > total * 0.05, outcomes
    assert outcomes["escalate"] > total * 0.05, outcomes
    general = {r for r in reasons_seen if r.startswith("general.")}
    assert general == {
        "general.unknown_item",
        "general.parameter_missing",
        "general.envelope_frozen",
        "general.envelope_cover",
        "general.mandate_ceiling",
    }
    kinds = {r.rsplit(".", 1)[1].split("_per_")[0] for r in reasons_seen if not r.startswith("general.")}
    assert {"delegation", "amount", "count", "sum", "count_of_theme", "sum_of_theme"} <= kinds, kinds


def test_replaying_the_logged_facts_gives_the_same_decision(policies: list[Policy]) -> None:
    from rules.decision import Facts
    from rules.evaluation import decide

    rng = random.Random(7)
    for policy in policies:
        for _ in range(200):
            decision = evaluate(policy, parse_request(random_request(rng, _items(policy))))
            replayed = decide(policy, Facts.from_json(decision.facts.to_json()))
            assert replayed == decision


def test_generated_policy_files_are_written_where_asked(tmp_path: Path) -> None:
    folder = write_policy(tmp_path / "p", items=12, seed=5, themes=3)
    assert sorted(p.name for p in folder.glob("*.yaml")) == ["algemeen.yaml", "t0.yaml", "t1.yaml", "t2.yaml"]
    assert len(load_policy(folder).items()) == 12
