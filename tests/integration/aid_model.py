"""The state machine's model: what the budget and the aid requests should look like, in plain Python.

It knows the bundled demo policy well enough to predict every decision on the items the machine asks for
(the mandate ceiling of the policy version in force on the request's date, the per-request maxima, the
windowed counts and sums over the dossier's approved aid, delegation by age, cover and freeze), which act the
domain refuses and with which error, and the ledger effect of every act that is not refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from envelopes.domain import errors
from envelopes.domain.envelopes import Balance
from rules.money import Money

FIGURES = ("allocated", "adjusted", "transferred_in", "transferred_out", "committed", "held")
MINORS_ONLY = frozenset({("kleding", "winterschoenen"), ("kleding", "kinderkleding")})
ITEMS = (
    ("kleding", "winterschoenen"),
    ("kleding", "kinderkleding"),
    ("energie", "energiefactuur"),
    ("gezondheid", "apotheek"),
    ("huisvesting", "huurwaarborg"),  # never delegated
    ("kleding", "zonnebril"),  # no rule file names it
)
DELEGABLE = frozenset(ITEMS[:4])
FIRST_CEILING = 250_00  # the demo policy's mandaatplafond
OPEN = ("escalated", "returned")
Refusal = type[errors.DomainError] | None


class Clock:
    """Today at 10:00 UTC (11:00 in Brussels: the same calendar day); moved on by whole days."""

    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> datetime:
        return datetime(self.day.year, self.day.month, self.day.day, 10, 0, tzinfo=UTC)

    def advance(self, days: int) -> None:
        self.day += timedelta(days=days)


@dataclass
class EnvelopeModel:
    theme: str
    year: int
    frozen: bool = False
    figures: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIGURES, 0))

    @property
    def available(self) -> int:
        f = self.figures
        funded = f["allocated"] + f["adjusted"] + f["transferred_in"] - f["transferred_out"]
        return funded - f["committed"] - f["held"]

    def balance(self) -> Balance:
        return Balance(**{name: Money(cents) for name, cents in self.figures.items()})


@dataclass
class DossierModel:
    caseworker: str
    members: dict[str, date]  # opaque key -> birth date, in the order given


@dataclass
class RequestModel:
    dossier: str
    beneficiary: str
    envelope: str
    theme: str
    item: str
    amount: int
    day: date
    status: str = "escalated"
    held: int = 0
    approved: int | None = None
    decided_by: str | None = None  # set by any committee ruling (return too); cleared by a resubmission

    def state(self) -> tuple[str, int, int | None]:
        return self.status, self.held, self.approved


@dataclass(frozen=True)
class Keyed:
    """A submission made with an idempotency key: what a retry repeats, and the first answer."""

    command: Any  # the SubmitAidRequest
    answer: Any  # the AidAnswer


@dataclass
class Model:
    envelopes: dict[str, EnvelopeModel] = field(default_factory=dict)
    dossiers: dict[str, DossierModel] = field(default_factory=dict)
    references: set[str] = field(default_factory=set)
    requests: dict[str, RequestModel] = field(default_factory=dict)  # in the order they were made
    ceilings: dict[date, int] = field(default_factory=dict)  # policy versions: effective from -> ceiling
    keys: dict[tuple[str, str], Keyed] = field(default_factory=dict)
    log_entries: int = 0

    def envelope_for(self, theme: str, year: int) -> str | None:
        found = [eid for eid, e in self.envelopes.items() if (e.theme, e.year) == (theme, year)]
        return found[0] if found else None

    def ceiling_on(self, day: date) -> int:
        return self.ceilings[max(d for d in self.ceilings if d <= day)]

    # --- decisions -----------------------------------------------------------------------------------------

    def approves(self, request: RequestModel, available: int) -> bool:
        """The demo policy's decision on `request` (not yet approved), against the dossier's approved aid."""
        theme, item, amount, day = request.theme, request.item, request.amount, request.day
        if (theme, item) not in DELEGABLE:
            return False
        if self.envelopes[request.envelope].frozen or available < amount or amount > self.ceiling_on(day):
            return False
        born = self.dossiers[request.dossier].members[request.beneficiary]
        if (theme, item) in MINORS_ONLY and age_on(born, day) >= 18:
            return False

        def used(first: date, last: date, *, beneficiary: bool, count: bool) -> int:
            return sum(
                1 if count else (r.approved or 0)
                for r in self.requests.values()
                if r.status == "approved"
                and (r.dossier, r.theme, r.item) == (request.dossier, theme, item)
                and first <= r.day <= last
                and (not beneficiary or r.beneficiary == request.beneficiary)
            )

        year = (date(day.year, 1, 1), date(day.year, 12, 31))
        if item == "winterschoenen":
            most = 60_00 if day < date(2027, 1, 1) else 65_00
            return amount <= most and used(*winter_season(day), beneficiary=True, count=True) < 1
        if item == "kinderkleding":
            return used(*year, beneficiary=True, count=False) + amount <= 150_00
        if item == "energiefactuur":
            return used(*year, beneficiary=False, count=False) + amount <= 400_00
        return amount <= 100_00 and used(*year, beneficiary=False, count=False) + amount <= 300_00

    # --- which acts the domain refuses ---------------------------------------------------------------------

    def ruling_refused(self, request: RequestModel, member: str, ruling: str, amount: int, motivation: str
                       ) -> Refusal:  # fmt: skip
        if member == "fien":
            return errors.Forbidden
        if request.status != "escalated":
            return errors.InvalidTransition
        if ruling == "return":
            return None
        if not motivation and (ruling == "refuse" or amount != request.amount):
            return errors.InvalidInput
        envelope = self.envelopes[request.envelope]
        if ruling == "approve" and envelope.available + request.held - amount < 0:
            return errors.InsufficientFunds
        if ruling == "approve" and envelope.frozen and amount > request.held:
            return errors.EnvelopeFrozen
        return None

    def caseworker_refused(self, request: RequestModel, actor: str, allowed: tuple[str, ...]) -> Refusal:
        """Resubmit (allowed: returned) and withdraw (allowed: the open states)."""
        if actor not in ("carla", "kees"):
            return errors.Forbidden
        if self.dossiers[request.dossier].caseworker != actor:
            return errors.NotAssigned
        return None if request.status in allowed else errors.InvalidTransition

    def cancel_refused(self, request: RequestModel, actor: str) -> Refusal:
        if actor in ("carla", "kees"):
            if self.dossiers[request.dossier].caseworker != actor:
                return errors.NotAssigned
            if request.decided_by is not None:
                return errors.Forbidden
        return None if request.status == "approved" else errors.InvalidTransition

    # --- effects -------------------------------------------------------------------------------------------

    def take(self, request: RequestModel, approved: bool) -> None:
        """The engine's answer on the envelope: approve commits; escalate holds when the envelope covers."""
        envelope = self.envelopes[request.envelope]
        if approved:
            request.status, request.approved, request.held = "approved", request.amount, 0
            envelope.figures["committed"] += request.amount
            return
        request.status, request.approved = "escalated", None
        request.held = request.amount if not envelope.frozen and envelope.available >= request.amount else 0
        envelope.figures["held"] += request.held

    def rule(self, request: RequestModel, member: str, ruling: str, amount: int) -> None:
        request.decided_by = member
        if ruling == "return":
            request.status = "returned"  # the hold stays until it is resubmitted or withdrawn
            return
        self.release_hold(request)
        if ruling == "approve":
            self.envelopes[request.envelope].figures["committed"] += amount
            request.status, request.approved = "approved", amount
        else:
            request.status = "refused"

    def release_hold(self, request: RequestModel) -> None:
        self.envelopes[request.envelope].figures["held"] -= request.held
        request.held = 0

    def cancel(self, request: RequestModel) -> None:
        assert request.approved is not None
        self.envelopes[request.envelope].figures["committed"] -= request.approved
        request.status = "cancelled"


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def winter_season(day: date) -> tuple[date, date]:
    """The window of "per winter season" that holds `day` (April to September is a window of its own)."""
    if day.month >= 10:
        return date(day.year, 10, 1), date(day.year + 1, 3, 31)
    if day.month <= 3:
        return date(day.year - 1, 10, 1), date(day.year, 3, 31)
    return date(day.year, 4, 1), date(day.year, 9, 30)
