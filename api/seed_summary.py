"""What `mandaat db seed` reports: its progress while it runs, and what it made."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from api.demo import DEMO_LOGINS, DEMO_PASSWORD
from rules.money import Money


@dataclass(frozen=True)
class Progress:
    requests: int  # submitted so far
    total: int
    acts: int
    day: date  # the simulated day


@dataclass
class SeedSummary:
    """What seeding made; `to_json()` for scripts (the benchmark reads the long-history dossier from it)."""

    seed: int
    years: tuple[int, ...]
    users_added: int = 0
    dossiers: int = 0
    members: int = 0
    envelopes_opened: int = 0
    requests: int = 0
    statuses: dict[str, int] = field(default_factory=dict)  # each request as it ended up
    approved_at_once: int = 0  # by the rules, on submission or resubmission
    escalated: int = 0  # submissions and resubmissions the rules left to the committee
    rulings: dict[str, int] = field(default_factory=dict)  # the committee's: approve, lower, refuse, return
    resubmitted: int = 0
    withdrawn: int = 0
    cancelled: int = 0
    top_ups: int = 0
    topped_up_cents: int = 0
    acts: int = 0  # use cases run: each wrote one decision-log entry
    seconds: float = 0.0
    long_history: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        logins = {login.role.value: login.user_id for login in DEMO_LOGINS}
        return {**asdict(self), "years": list(self.years), "logins": logins, "password": DEMO_PASSWORD}

    def lines(self) -> list[str]:
        statuses = ", ".join(f"{count} {status}" for status, count in sorted(self.statuses.items()))
        rate = self.acts / self.seconds if self.seconds else 0.0
        history = self.long_history
        return [
            f"seeded (seed {self.seed}, {', '.join(map(str, self.years))}) in {self.seconds:.1f} s: "
            f"{self.acts} acts, {rate:.0f}/s, each its use case and one decision-log entry",
            f"  users added: {self.users_added} (password {DEMO_PASSWORD!r}; `mandaat serve --demo` lists "
            "the logins)",
            f"  dossiers: {self.dossiers} with {self.members} household members; envelopes opened: "
            f"{self.envelopes_opened}; top-ups: {self.top_ups} ({Money(self.topped_up_cents).display()})",
            f"  requests: {self.requests} ({statuses})",
            f"  decided at once: {self.approved_at_once} approved, {self.escalated} escalated; committee: "
            + ", ".join(f"{count} {ruling}" for ruling, count in self.rulings.items()),
            f"  resubmitted {self.resubmitted}, withdrawn {self.withdrawn}, cancelled {self.cancelled}",
            f"  long history: dossier {history.get('reference')} of {history.get('caseworker')}, "
            f"{history.get('requests')} requests, {history.get('approved')} approved",
        ]
