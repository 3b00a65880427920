"""The decision as JSON bytes (what `mandaat decide --batch` writes) is exactly `to_json` encoded."""

from __future__ import annotations

import json
import random
from datetime import date
from types import MappingProxyType

import pytest
from pydantic_core import to_json

from rules.decision import Decision, Facts, Outcome, Reason
from rules.evaluation import evaluate
from rules.loader import load_policy
from rules.model import Policy
from rules.money import format_cents, format_eur, money_texts
from rules.policies import DEMO_POLICY
from rules.request import parse_request
from tests.support.generate import everyday_request, random_request, write_policy

LANGS = ("nl", "en", "fr")  # any language other than "en" shows the Dutch text


@pytest.fixture(scope="module")
def policies(tmp_path_factory: pytest.TempPathFactory) -> list[Policy]:
    generated = write_policy(tmp_path_factory.mktemp("generated"), items=40, seed=5, themes=4)
    return [load_policy(DEMO_POLICY), load_policy(generated)]


def test_bytes_are_to_json_encoded_for_generated_requests(policies: list[Policy]) -> None:
    for index, policy in enumerate(policies):
        rng = random.Random(50 + index)
        items = [(item.theme, item.key) for item in policy.items()]
        for make in (random_request, everyday_request):
            for _ in range(300):
                decision = evaluate(policy, parse_request(make(rng, items)))
                for lang in LANGS:
                    assert decision.to_json_bytes(lang) == to_json(decision.to_json(lang))


def test_bytes_escape_texts_like_to_json() -> None:
    awkward = 'quote " backslash \\ tab \t newline \n nul \x00 \x1f del \x7f é € 𝄞 </script>'
    reasons = (
        Reason("a.b.c", awkward, awkward[::-1], 'art. "1"', {"amount": "1.00", awkward: awkward}),
        Reason("general.envelope_frozen", "nl", "en", "basis", MappingProxyType({"max": "2.00"})),
    )
    facts = Facts(
        date(2026, 11, 23), awkward, "item\u2028", 4550, 2, 17, awkward, 3, 1, "laag", -120, True, 2500,
        MappingProxyType({"z.limit": 3, "a.limit": 1500}),
    )  # fmt: skip
    decision = Decision(
        Outcome.ESCALATE, reasons, ("a.b.c",), ("x", awkward), MappingProxyType({awkward: "1"}), "v", facts
    )
    for lang in LANGS:
        encoded = decision.to_json_bytes(lang)
        assert encoded == to_json(decision.to_json(lang))
        assert json.loads(encoded) == decision.to_json(lang)


@pytest.mark.parametrize("cents", [0, 5, 99, 100, 123450, 100_000_000, -5, -123450])
def test_money_texts_are_the_edge_and_both_languages(cents: int) -> None:
    assert money_texts(cents) == (format_cents(cents), format_eur(cents, "nl"), format_eur(cents, "en"))
    assert money_texts(cents) is money_texts(cents)  # kept
