"""Policy -> the compiled form that runs in durable_rules (filled in below)."""

from __future__ import annotations

from rules.model import Policy, SourceRef


def capacity_problems(policy: Policy) -> list[tuple[SourceRef, str]]:
    """Where the policy would reach durable_rules' hang or crash limits (DURABLE_RULES.md)."""
    return []
