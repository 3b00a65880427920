"""`mandaat db seed`: an installation the size of a city's, made through the use cases as its people would
make it over the years.

The plan (`api/seed_plan.py`) says who lives where and what is asked when; this module plays it in time order
on a simulated clock: the admin adds the users, finance opens each budget year's envelopes on 2 January and
tops up those that run low, caseworkers open dossiers and submit requests, the committee meets every Tuesday
and rules on what escalated (approves, approves another amount, refuses, or returns it with a question), and
caseworkers answer returned requests, withdraw some, and now and then cancel aid. Every act is its use case:
one transaction and one decision-log entry, dated by the simulated clock, which never passes the real now.

The users are the demo's (`api/demo.py`: one login per role, the same known password), two more committee
members and caseworkers `assistent.002`, `assistent.003`, …. The first dossier of a seed
(`STAD-<seed>-000001`, the demo caseworker's) gets a long history. The same seed makes the same acts with the
same outcomes (the ids are new each time).
"""

from __future__ import annotations

import heapq
import random
import re
import time as timer
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from api.auth.access import Client
from api.composition import Mandaat
from api.demo import ADMIN, CASEWORKER, DEMO_LOGINS, DEMO_PASSWORD, FINANCE
from api.seed_plan import ITEMS, CityPlan, PlannedRequest
from api.seed_summary import Progress, SeedSummary
from envelopes import services as use
from envelopes.domain.errors import Forbidden, InsufficientFunds
from envelopes.domain.ids import BRUSSELS
from envelopes.domain.users import Role
from envelopes.services import commands as cmd
from envelopes.services.answers import AidAnswer
from rules.money import Money

SEED_CASEWORKER = re.compile(r"^assistent\.[0-9]{3}$")
SEED_COMMITTEE = re.compile(r"^comite\.[0-9]+$")
COMMITTEE = ("comite", "comite.2", "comite.3")
MEETING = time(14, 0)  # every Tuesday
SECONDS_PER_RULING = 20
#: The committee's rulings on an escalation (cumulative odds): on a first escalation, on a rental deposit,
#: and on a request escalated again after it was returned and resubmitted.
RULING_NAMES = ("approve", "lower", "refuse", "return")
RULINGS = {
    "first": (0.58, 0.72, 0.86, 1.0),
    "housing": (0.72, 0.82, 0.92, 1.0),
    "again": (0.7, 0.8, 1.0, 1.0),
}
WITHDRAWN_BEFORE_MEETING = 0.03
RESUBMITTED_AFTER_RETURN = 0.8
CANCELLED = {"autonomous": 0.01, "committee": 0.005}
LOW = 0.15  # finance tops an envelope up when less than this share of its allocation is left
TOP_UP_PERCENT = 25  # by this share of its allocation, in whole hundreds of euros
TOP_UPS_TO_COVER = 8  # top-ups before a committee approval the envelope cannot cover is tried a last time
MOTIVATIONS = (
    "Het gezin heeft andere middelen die eerst moeten worden aangesproken.",
    "De kosten zijn niet aangetoond met een factuur of offerte.",
    "De hulpvraag valt buiten het kader hulpgelden.",
)
LOWER = "Toegekend tot het gebruikelijke bedrag; het meerdere blijft ten laste van het gezin."
QUESTIONS = ("Graag een kopie van de factuur.", "Welke andere tegemoetkomingen werden al aangevraagd?")
ANSWERS = (
    "Factuur toegevoegd aan het dossier.",
    "Geen andere tegemoetkoming mogelijk; bevestigd door de school.",
)
WITHDRAWALS = ("Het gezin vond een andere oplossing.", "Dubbele aanvraag.", "Hulp niet meer nodig.")
CANCELLATIONS = ("De factuur werd door een andere dienst betaald.", "Vergissing in het dossier.")
TOP_UP_REASON = "Bijkrediet, beslissing van de raad"


class SimulatedClock:
    """The seed's clock: the moment of the act being played; it only moves forward."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def move_to(self, moment: datetime) -> None:
        self.now = max(moment, self.now + timedelta(microseconds=1))


@dataclass(frozen=True)
class Login:
    user_id: str
    name: str
    role: Role


def caseworker_ids(caseworkers: int) -> list[str]:
    return [CASEWORKER.user_id] + [f"assistent.{number:03d}" for number in range(2, caseworkers + 1)]


def roster(caseworkers: int) -> list[Login]:
    """The seed's users: the demo's, the other committee members, the other caseworkers."""
    logins = [Login(login.user_id, login.name, login.role) for login in DEMO_LOGINS]
    logins += [Login(user, f"Comitélid {user[-1]}", Role.COMMITTEE) for user in COMMITTEE[1:]]
    others = caseworker_ids(caseworkers)[1:]
    return logins + [Login(user, f"Assistent {user[-3:]}", Role.CASEWORKER) for user in others]


def made_by_seeding(user_id: str, role: Role) -> bool:
    """Whether a user is one that seeding (or the demo) makes: its id, with that role."""
    demo = {login.user_id: login.role for login in DEMO_LOGINS}
    if user_id in demo:
        return demo[user_id] is role
    if SEED_COMMITTEE.match(user_id):
        return role is Role.COMMITTEE
    return bool(SEED_CASEWORKER.match(user_id)) and role is Role.CASEWORKER


@dataclass(slots=True)
class _Tracked:
    planned: PlannedRequest
    cents: int = 0  # the amount asked, as last submitted
    request_id: str = ""
    status: str = ""
    envelope_id: str = ""
    escalated_at: datetime | None = None
    resubmitted: bool = False


class Seeding:
    """Plays a plan on `mandaat`, whose clock must be `clock`."""

    def __init__(
        self,
        mandaat: Mandaat,
        plan: CityPlan,
        clock: SimulatedClock,
        progress: Callable[[Progress], None] | None = None,
    ) -> None:
        self.mandaat, self.plan, self.clock, self.progress = mandaat, plan, clock, progress
        self.life = random.Random(plan.size.seed * 1_000_003 + 7)  # noqa: S311 (made-up data, not secrets)
        self.summary = SeedSummary(plan.size.seed, plan.size.years, rulings=dict.fromkeys(RULING_NAMES, 0))
        self.caseworkers = caseworker_ids(plan.size.caseworkers)
        self.dossiers: dict[int, tuple[str, tuple[str, ...]]] = {}  # per planned dossier: id, member keys
        self.waiting: dict[str, _Tracked] = {}  # escalated, by request id, oldest first
        self.allocation: dict[str, int] = {}  # cents, per envelope id
        self.envelopes: dict[tuple[str, int], str] = {}
        self.topping_up: set[str] = set()
        self._events: list[tuple[datetime, int, Callable[[], None]]] = []
        self._order = 0
        self._submitted = 0

    def run(self) -> SeedSummary:
        began = timer.monotonic()
        plan = self.plan
        self.clock.move_to(plan.start)
        self._users()
        for year in plan.size.years:
            opening = max(plan.start, datetime.combine(date(year, 1, 2), plan.start.timetz()))
            self._at(opening, partial(self._open_envelopes, year))
        for number, dossier in enumerate(plan.dossiers):
            self._at(dossier.opened_at, partial(self._open_dossier, number))
        tracked = [_Tracked(planned, planned.cents) for planned in plan.requests]
        for request in tracked:
            self._at(request.planned.at, partial(self._submit, request))
        tuesday = plan.start.date() + timedelta(days=(1 - plan.start.weekday()) % 7 or 7)
        self._at(datetime.combine(tuesday, MEETING, BRUSSELS), self._meeting)
        while self._events:
            moment, _, act = heapq.heappop(self._events)
            self.clock.move_to(moment)
            act()
        self._finish(tracked, timer.monotonic() - began)
        return self.summary

    # --- the acts -----------------------------------------------------------------------------------------

    def _users(self) -> None:
        mandaat = self.mandaat
        accounts = mandaat.views.accounts()
        existing = {account.user.id for account in accounts}
        admins = [a.user.id for a in accounts if a.user.role is Role.ADMIN and a.user.active]
        if not existing:
            use.bootstrap_admin(cmd.BootstrapAdmin(ADMIN.user_id, ADMIN.name), mandaat.uow(), self.clock)
            self._made_user(ADMIN.user_id)
            existing.add(ADMIN.user_id)
            admins.append(ADMIN.user_id)
        if not admins:
            raise Forbidden("the database has users but no active admin to add the seed's users")
        admin = ADMIN.user_id if ADMIN.user_id in admins else admins[0]
        for login in roster(self.plan.size.caseworkers):
            if login.user_id not in existing:
                command = cmd.AddUser(admin, login.user_id, login.name, login.role)
                use.add_user(command, mandaat.uow(), self.clock)
                self._made_user(login.user_id)
        self.envelopes = {
            (envelope.theme, envelope.year): envelope.id
            for envelope, _ in mandaat.views.envelopes()
            if envelope.team is None
        }

    def _made_user(self, user_id: str) -> None:
        self.summary.acts += 1
        self.summary.users_added += 1
        client = Client(address=None, method="CLI", route="mandaat db seed")
        self.mandaat.access.set_password(user_id, DEMO_PASSWORD, client)

    def _open_envelopes(self, year: int) -> None:
        for theme in dict.fromkeys(item.theme for item in ITEMS):
            cents = self.plan.allocations[(theme, year)]
            found = self.envelopes.get((theme, year))
            if found is None:
                command = cmd.OpenEnvelope(FINANCE.user_id, theme, year, Money(cents))
                found = self._act(use.open_envelope, command).envelope_id
                self.envelopes[(theme, year)] = found
                self.summary.envelopes_opened += 1
            self.allocation[found] = cents

    def _open_dossier(self, number: int) -> None:
        planned = self.plan.dossiers[number]
        command = cmd.CreateDossier(self.caseworkers[planned.caseworker], planned.reference, planned.members)
        answer = self._act(use.create_dossier, command)
        self.dossiers[number] = (answer.dossier_id, answer.member_keys)
        self.summary.dossiers += 1
        self.summary.members += len(planned.members)

    def _submit(self, request: _Tracked) -> None:
        planned = request.planned
        dossier_id, members = self.dossiers[planned.dossier]
        command = cmd.SubmitAidRequest(
            actor_id=self._caseworker_of(request),
            dossier_id=dossier_id,
            beneficiary_key=members[planned.member],
            theme=planned.item.theme,
            item=planned.item.name,
            amount=Money(planned.cents),
            justification=planned.justification,
            date=planned.day,
            idempotency_key=planned.key,
        )
        answer = self._decided(request, use.submit_aid_request, command)
        self._submitted += 1
        self.summary.requests += 1
        if answer.status == "approved" and self.life.random() < CANCELLED["autonomous"]:
            self._later(self.life.uniform(1, 20), lambda: self._cancel(request, self._caseworker_of(request)))
        if self.progress and self._submitted % max(1, len(self.plan.requests) // 200) == 0:
            self.progress(
                Progress(self._submitted, len(self.plan.requests), self.summary.acts, self._today())
            )

    def _decided(self, request: _Tracked, case: Callable[..., AidAnswer], command: Any) -> AidAnswer:
        answer: AidAnswer = case(command, self.mandaat.uow(), self.mandaat.decisions, self.clock)
        self.summary.acts += 1
        request.request_id, request.envelope_id = answer.request_id, answer.envelope_id
        request.status = answer.status
        self._watch(answer.envelope_id, answer.envelope_available.cents)
        if answer.status == "approved":
            self.summary.approved_at_once += 1
        else:
            self.summary.escalated += 1
            request.escalated_at = self.clock.now
            self.waiting[answer.request_id] = request
            if self.life.random() < WITHDRAWN_BEFORE_MEETING:
                self._later(self.life.uniform(0.5, 3), lambda: self._withdraw(request))
        return answer

    def _meeting(self) -> None:
        """The committee rules on every escalation that waited since the day before, oldest first."""
        met = self.clock.now
        ready = met - timedelta(days=1)
        agenda = [request for request in self.waiting.values() if (request.escalated_at or met) < ready]
        for number, request in enumerate(agenda):
            self.clock.move_to(met + timedelta(seconds=SECONDS_PER_RULING * number))
            self._rule(request, COMMITTEE[number % len(COMMITTEE)])
        self._at(met + timedelta(days=7), self._meeting)

    def _rule(self, request: _Tracked, member: str) -> None:
        kind = (
            "again"
            if request.resubmitted
            else "housing"
            if request.planned.item.theme == "huisvesting"
            else "first"
        )
        draw = self.life.random()
        ruling = next(name for name, bound in zip(RULING_NAMES, RULINGS[kind], strict=True) if draw < bound)
        if ruling == "approve":
            command = cmd.CommitteeDecision(member, request.request_id, cmd.Ruling.APPROVE)
        elif ruling == "lower":
            lower = Money(max(100, request.cents * self.life.randint(50, 90) // 10_000 * 100))
            command = cmd.CommitteeDecision(member, request.request_id, cmd.Ruling.APPROVE, lower, LOWER)
        elif ruling == "refuse":
            motivation = self.life.choice(MOTIVATIONS)
            command = cmd.CommitteeDecision(
                member, request.request_id, cmd.Ruling.REFUSE, motivation=motivation
            )
        else:
            question = self.life.choice(QUESTIONS)
            command = cmd.CommitteeDecision(member, request.request_id, cmd.Ruling.RETURN, question=question)
        for _ in range(TOP_UPS_TO_COVER):
            try:
                answer = self._act(use.committee_decide, command)
                break
            except InsufficientFunds:  # nothing was held and the envelope ran dry: finance tops it up first
                self._top_up(request.envelope_id)
        else:
            answer = self._act(use.committee_decide, command)
        self.summary.rulings[ruling] += 1
        del self.waiting[request.request_id]
        request.status = answer.status
        self._watch(answer.envelope_id, answer.envelope_available.cents)
        if ruling == "return":
            if self.life.random() < RESUBMITTED_AFTER_RETURN:
                self._later(self.life.uniform(2, 10), lambda: self._resubmit(request))
            else:
                self._later(self.life.uniform(2, 10), lambda: self._withdraw(request))
        elif answer.status == "approved" and self.life.random() < CANCELLED["committee"]:
            other = COMMITTEE[(COMMITTEE.index(member) + 1) % len(COMMITTEE)]
            self._later(self.life.uniform(7, 30), lambda: self._cancel(request, other))

    def _resubmit(self, request: _Tracked) -> None:
        if request.status != "returned":
            return  # withdrawn meanwhile
        if self.life.random() < 0.4:
            request.cents = max(100, request.cents * self.life.randint(70, 99) // 100)
        command = cmd.ResubmitAidRequest(
            self._caseworker_of(request), request.request_id, self.life.choice(ANSWERS), Money(request.cents)
        )
        request.resubmitted = True
        self._decided(request, use.resubmit_aid_request, command)
        self.summary.resubmitted += 1

    def _withdraw(self, request: _Tracked) -> None:
        if request.status not in ("escalated", "returned"):
            return  # the committee ruled first
        command = cmd.WithdrawAidRequest(
            self._caseworker_of(request), request.request_id, self.life.choice(WITHDRAWALS)
        )
        answer = self._act(use.withdraw_aid_request, command)
        self.waiting.pop(request.request_id, None)
        request.status = answer.status
        self.summary.withdrawn += 1

    def _cancel(self, request: _Tracked, actor: str) -> None:
        if request.status != "approved":
            return
        command = cmd.CancelAid(actor, request.request_id, self.life.choice(CANCELLATIONS))
        request.status = self._act(use.cancel_aid, command).status
        self.summary.cancelled += 1

    def _watch(self, envelope_id: str, available: int) -> None:
        """Finance tops up an envelope that runs low, the next working day."""
        allocation = self.allocation.get(envelope_id, 0)
        if available < allocation * LOW and envelope_id not in self.topping_up:
            self.topping_up.add(envelope_id)
            self._later(1, lambda: self._top_up(envelope_id))

    def _top_up(self, envelope_id: str) -> None:
        cents = max(100_00, self.allocation[envelope_id] * TOP_UP_PERCENT // 100 // 100_00 * 100_00)
        command = cmd.AdjustEnvelope(FINANCE.user_id, envelope_id, Money(cents), TOP_UP_REASON)
        self._act(use.adjust_envelope, command)
        self.topping_up.discard(envelope_id)
        self.summary.top_ups += 1
        self.summary.topped_up_cents += cents

    # --- the machinery ------------------------------------------------------------------------------------

    def _act(self, case: Callable[..., Any], command: Any) -> Any:
        answer = case(command, self.mandaat.uow(), self.clock)
        self.summary.acts += 1
        return answer

    def _at(self, moment: datetime, act: Callable[[], None]) -> None:
        if moment <= self.plan.end:
            self._order += 1
            heapq.heappush(self._events, (moment, self._order, act))

    def _later(self, days: float, act: Callable[[], None]) -> None:
        """`act` after `days`, in office hours of a working day."""
        moment = (self.clock.now + timedelta(days=days)).astimezone(BRUSSELS)
        while moment.weekday() >= 5:
            moment += timedelta(days=1)
        hour = min(max(moment.time(), time(8, 30)), time(16, 30))
        self._at(datetime.combine(moment.date(), hour, BRUSSELS), act)

    def _caseworker_of(self, request: _Tracked) -> str:
        return self.caseworkers[self.plan.dossiers[request.planned.dossier].caseworker]

    def _today(self) -> date:
        return self.clock.now.astimezone(BRUSSELS).date()

    def _finish(self, tracked: list[_Tracked], seconds: float) -> None:
        statuses: dict[str, int] = {}
        for request in tracked:
            if request.status:
                statuses[request.status] = statuses.get(request.status, 0) + 1
        longest = [request for request in tracked if request.planned.dossier == 0]
        self.summary.statuses = dict(sorted(statuses.items()))
        self.summary.seconds = seconds
        self.summary.long_history = {
            "reference": self.plan.dossiers[0].reference if self.plan.dossiers else None,
            "caseworker": self.caseworkers[0],
            "requests": len(longest),
            "approved": sum(request.status == "approved" for request in longest),
        }
