"""Mandaat's rule language and decision engine: readable rule files in, approve-or-escalate decisions out.

    policy = load_policy(folder)                 # Policy, or PolicyError with every path:line:column error
    decision = evaluate(policy, parse_request(data))

This package imports nothing from `envelopes` or `api`.
"""

from rules.decision import Decision, Facts, Outcome, Reason
from rules.errors import EngineError, LoadError, PolicyError
from rules.evaluation import decide, derive_facts, evaluate
from rules.loader import load_policy
from rules.model import Policy
from rules.money import Money
from rules.request import DecisionRequest, RequestError, parse_request

__all__ = [
    "Decision",
    "DecisionRequest",
    "EngineError",
    "Facts",
    "LoadError",
    "Money",
    "Outcome",
    "Policy",
    "PolicyError",
    "Reason",
    "RequestError",
    "decide",
    "derive_facts",
    "evaluate",
    "load_policy",
    "parse_request",
]
