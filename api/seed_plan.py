"""The made-up city `mandaat db seed` fills an installation with: households and the aid requests of a few
budget years, each with its moment, item, amount and beneficiary.

Pure and deterministic: the same `CitySize` (seed included) and `until` give the same plan on every
machine (one `random.Random`, nothing unordered iterated, no clock read). `api/seed.py` plays it through the
use cases.
What makes it look like a city's:

- households of 1 to 6: an applicant, often a partner, children of every age (some turn 18 during the years:
  their requests then escalate), now and then a grandparent; most without children are one person;
- requests on working days between 08:30 and 16:30 in Brussels, each item in its season: winter shoes in
  autumn and winter, school trips in the school year, leisure in summer, energy bills in winter;
- some dossiers far busier than others (a log-normal spread), and the first with a long history;
- amounts mostly within the demo policy's limits and sometimes past them (an item's maximum, the
  caseworker's € 250,00 mandate); a fifth of the requests back-dated by up to two weeks.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from envelopes.domain.dossiers import NewMember
from envelopes.domain.ids import BRUSSELS


@dataclass(frozen=True)
class CitySize:
    caseworkers: int
    dossiers: int
    requests: int
    years: tuple[int, ...]  # budget years, ascending
    seed: int = 1


@dataclass(frozen=True)
class Item:
    theme: str
    name: str
    share: float  # of all requests
    beneficiary: str  # CHILD, APPLICANT (the household's bill) or ANYONE in the household
    usual: tuple[int, int]  # cents, within the limits
    above: tuple[int, int]  # cents, past a limit or the mandate
    above_share: float

    @property
    def for_children(self) -> bool:
        return self.beneficiary == CHILD


CHILD, APPLICANT, ANYONE = "child", "applicant", "anyone"
ITEMS = (
    Item("energie", "energiefactuur", 0.24, APPLICANT, (45_00, 240_00), (255_00, 620_00), 0.08),
    Item("gezondheid", "apotheek", 0.20, ANYONE, (8_00, 95_00), (101_00, 220_00), 0.12),
    Item("kleding", "kinderkleding", 0.15, CHILD, (25_00, 110_00), (151_00, 190_00), 0.10),
    Item("kleding", "winterschoenen", 0.12, CHILD, (30_00, 60_00), (61_00, 85_00), 0.15),
    Item("vrije_tijd", "vrijetijdsbijdrage", 0.12, CHILD, (20_00, 95_00), (101_00, 160_00), 0.08),
    Item("onderwijs", "schoolreis", 0.11, CHILD, (15_00, 140_00), (151_00, 300_00), 0.08),
    Item("huisvesting", "huurwaarborg", 0.03, APPLICANT, (600_00, 2_500_00), (600_00, 2_500_00), 0.0),
)
#: How busy each month is for an item, January first.
SEASONS = {
    "energiefactuur": (5, 4, 3, 2, 1, 1, 1, 1, 1, 2, 3, 4),
    "apotheek": (3, 3, 2, 2, 1, 1, 1, 1, 2, 2, 3, 3),
    "kinderkleding": (1, 1, 2, 2, 1, 1, 1, 4, 4, 1, 1, 1),
    "winterschoenen": (3, 2, 1, 0, 0, 0, 0, 0.2, 1, 4, 5, 4),
    "vrijetijdsbijdrage": (1, 1, 1, 2, 3, 5, 5, 4, 4, 1, 1, 1),
    "schoolreis": (1, 2, 3, 3, 4, 4, 0, 0.3, 3, 3, 2, 1),
    "huurwaarborg": (1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1),
}
#: The caseworker's justifications (no names, no diagnoses).
NEEDS = {
    "energiefactuur": (
        "Achterstallige energiefactuur; afsluiting dreigt.",
        "Eindafrekening energie na verhuis.",
        "Voorschotfactuur gas en elektriciteit, winterperiode.",
    ),
    "apotheek": (
        "Voorgeschreven medicatie, niet terugbetaald.",
        "Apotheekkosten na ziekenhuisopname.",
        "Chronische medicatie voor de komende maanden.",
    ),
    "kinderkleding": (
        "Het kind is uit zijn kleren gegroeid.",
        "Kleding voor het nieuwe schooljaar.",
        "Regenjas en broeken; de oude zijn versleten.",
    ),
    "winterschoenen": (
        "Warme, waterdichte winterschoenen; de oude zijn stuk.",
        "Het kind heeft geen winterschoenen.",
        "Winterschoenen, een maat groter dan vorig jaar.",
    ),
    "vrijetijdsbijdrage": (
        "Inschrijving jeugdbeweging en kamp.",
        "Lidgeld sportclub voor het seizoen.",
        "Muziekschool, inschrijvingsgeld.",
    ),
    "schoolreis": (
        "Meerdaagse schoolreis; de school vraagt een voorschot.",
        "Bosklassen van de lagere school.",
        "Uitstap met de klas, betaling voor het einde van de maand.",
    ),
    "huurwaarborg": (
        "Huurwaarborg voor een aangepaste woning.",
        "Verhuis na een uithuiszetting; nieuwe huurwaarborg.",
        "Huurwaarborg voor een kleinere, betaalbare woning.",
    ),
}
HOUSEHOLD_ITEMS = tuple(item for item in ITEMS if not item.for_children)
ADULT_MISTAKE = 0.03  # a child's item asked for a household without children (it escalates: not delegated)
BACK_DATED = 0.20
WHOLE_EUROS = 0.6
LONG_HISTORY_SHARE = 400  # the first dossier gets one request in this many (at least LONG_HISTORY_MIN)
LONG_HISTORY_MIN = 20
BUSY_SPREAD = 0.6  # sigma of the log-normal spread of requests over the other dossiers
LONG_HISTORY_HOUSEHOLD = (
    ("aanvrager", 38),
    ("partner", 40),
    ("kind", 14),
    ("kind", 10),
    ("kind", 7),
    ("kind", 3),
)
OPENING = time(7, 0)  # when the budget year's envelopes are opened, on 2 January
MINORITY = 18


@dataclass(frozen=True, slots=True)
class PlannedDossier:
    reference: str
    caseworker: int  # index into the caseworkers
    members: tuple[NewMember, ...]
    opened_at: datetime


@dataclass(frozen=True, slots=True)
class PlannedRequest:
    dossier: int
    member: int  # index into the dossier's members
    item: Item
    cents: int
    at: datetime  # when it is asked (Brussels)
    day: date | None  # the date of the need when back-dated; None: the day it is asked
    justification: str
    key: str  # the Idempotency-Key, as the web form makes one


@dataclass(frozen=True)
class CityPlan:
    size: CitySize
    start: datetime  # the first moment: users and the first envelopes
    end: datetime  # nothing happens after it
    dossiers: list[PlannedDossier]
    requests: list[PlannedRequest]  # in the order they are asked
    allocations: dict[tuple[str, int], int]  # the council's allocation in cents per (theme, year)


def reference(seed: int, number: int) -> str:
    """The case-file reference of dossier `number` (0-based) of a seed."""
    return f"STAD-{seed}-{number + 1:06d}"


def plan_city(size: CitySize, until: datetime) -> CityPlan:
    """The plan for `size`, every moment before `until` (an aware moment: the real now)."""
    rng = random.Random(size.seed)  # noqa: S311 (made-up data, not secrets)
    first, last = size.years[0], size.years[-1]
    start = datetime.combine(date(first, 1, 2), OPENING, BRUSSELS)
    end = min(datetime.combine(date(last, 12, 31), time(23, 59), BRUSSELS), until.astimezone(BRUSSELS))
    days = working_days(size.years, end.date())
    if size.requests and not days:
        raise ValueError(f"the years {', '.join(map(str, size.years))} have no working day before today")
    households = [_long_history(start.date())] + [
        _household(rng, start.date()) for _ in range(size.dossiers - 1)
    ]
    asked = _requests(rng, size, households, days)
    firsts: dict[int, datetime] = {}
    for planned in asked:
        firsts.setdefault(planned.dossier, planned.at)
    dossiers = []
    for number, members in enumerate(households):
        opened = _opened(rng, firsts.get(number), start, days)
        dossiers.append(
            PlannedDossier(reference(size.seed, number), number % size.caseworkers, members, min(opened, end))
        )
    return CityPlan(size, start, end, dossiers, asked, _allocations(asked, size.years))


def _opened(
    rng: random.Random, first_request: datetime | None, start: datetime, days: list[date]
) -> datetime:
    """When a dossier is opened: in office hours of a working day up to four weeks before its first request;
    the caseload of the first weeks on the first morning."""
    if first_request is None:
        return _moment(rng, rng.choice(days)) if days else start + timedelta(minutes=30)
    day = first_request.date() - timedelta(days=rng.randint(1, 28))
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return _moment(rng, day) if day > start.date() else start + timedelta(minutes=30)


def working_days(years: tuple[int, ...], before: date) -> list[date]:
    """Monday to Friday of the years, before `before`, without New Year's Day and Christmas."""
    days = []
    for year in years:
        day = date(year, 1, 2)
        while day.year == year and day < before:
            if day.weekday() < 5 and (day.month, day.day) != (12, 25):
                days.append(day)
            day += timedelta(days=1)
    return days


def _requests(
    rng: random.Random, size: CitySize, households: list[tuple[NewMember, ...]], days: list[date]
) -> list[PlannedRequest]:
    if not size.requests:
        return []
    long = (
        size.requests
        if size.dossiers == 1
        else min(size.requests, max(LONG_HISTORY_MIN, size.requests // LONG_HISTORY_SHARE))
    )
    others = list(range(1, size.dossiers))
    weights = _cumulative([rng.lognormvariate(0, BUSY_SPREAD) for _ in others])
    chosen = [0] * long + (rng.choices(others, cum_weights=weights, k=size.requests - long) if others else [])
    seasons = {item.name: _cumulative([SEASONS[item.name][day.month - 1] for day in days]) for item in ITEMS}
    middle = days[len(days) // 2]
    children = [any(_age(member.birth_date, middle) < MINORITY for member in h) for h in households]
    planned = []
    for dossier in chosen:
        members = households[dossier]
        item = _item(rng, children[dossier])
        day = days[bisect.bisect_left(seasons[item.name], rng.random() * seasons[item.name][-1])]
        at = _moment(rng, day)
        planned.append(
            PlannedRequest(
                dossier=dossier,
                member=_beneficiary(rng, item, members, day),
                item=item,
                cents=_amount(rng, item),
                at=at,
                day=_back_dated(rng, day, size.years[0]),
                justification=rng.choice(NEEDS[item.name]),
                key=f"{rng.getrandbits(128):032x}",
            )
        )
    planned.sort(key=lambda request: request.at)  # stable: the same moment keeps the drawing order
    return planned


def _item(rng: random.Random, children: bool) -> Item:
    choices = ITEMS if children or rng.random() < ADULT_MISTAKE else HOUSEHOLD_ITEMS
    return rng.choices(choices, weights=[item.share for item in choices])[0]


def _beneficiary(rng: random.Random, item: Item, members: tuple[NewMember, ...], day: date) -> int:
    if item.beneficiary == ANYONE:
        return rng.randrange(len(members))
    if item.beneficiary == APPLICANT:
        return 0
    minors = [n for n, member in enumerate(members) if _age(member.birth_date, day) < MINORITY]
    return rng.choice(minors) if minors else 0


def _amount(rng: random.Random, item: Item) -> int:
    low, high = item.above if rng.random() < item.above_share else item.usual
    cents = rng.randint(low, high)
    return max(100, cents - cents % 100) if rng.random() < WHOLE_EUROS else max(5, cents - cents % 5)


def _back_dated(rng: random.Random, day: date, first_year: int) -> date | None:
    if rng.random() >= BACK_DATED:
        return None
    return max(date(first_year, 1, 1), day - timedelta(days=rng.randint(1, 14)))


def _moment(rng: random.Random, day: date) -> datetime:
    """A moment of office hours on `day`, to the second, in Brussels."""
    return datetime.combine(day, time(8, 30), BRUSSELS) + timedelta(seconds=rng.randrange(8 * 3600))


def _household(rng: random.Random, on: date) -> tuple[NewMember, ...]:
    size = rng.choices((1, 2, 3, 4, 5, 6), weights=(30, 20, 18, 15, 10, 7))[0]
    if size == 1:
        return (_member(rng, on, "aanvrager", rng.choice((rng.randint(19, 64), rng.randint(65, 88)))),)
    parent = rng.randint(21, 52)
    members = [_member(rng, on, "aanvrager", parent)]
    if rng.random() < 0.5:
        members.append(_member(rng, on, "partner", max(19, parent + rng.randint(-5, 5))))
    if len(members) < size and size >= 4 and rng.random() < 0.08:
        members.append(_member(rng, on, "grootouder", rng.randint(62, 88)))
    while len(members) < size:
        age = rng.randint(0, min(17, parent - 17)) if rng.random() < 0.9 else rng.randint(18, 23)
        members.append(_member(rng, on, "kind", age))
    return tuple(members)


def _long_history(on: date) -> tuple[NewMember, ...]:
    return tuple(NewMember(_born(on, age, 100), relation) for relation, age in LONG_HISTORY_HOUSEHOLD)


def _member(rng: random.Random, on: date, relation: str, age: int) -> NewMember:
    return NewMember(_born(on, age, rng.randrange(365)), relation)


def _born(on: date, age: int, days_before: int) -> date:
    """Someone who is `age` on `on`, born `days_before` days before that birthday."""
    birthday = date(on.year - age, on.month, min(on.day, 28))
    return birthday - timedelta(days=days_before)


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _allocations(requests: list[PlannedRequest], years: tuple[int, ...]) -> dict[tuple[str, int], int]:
    """Per theme and year, three quarters of what will be asked, in whole thousands of euros (at least one
    thousand): the committee refuses some, and finance tops up what runs low in the autumn."""
    asked = {(item.theme, year): 0 for year in years for item in ITEMS}
    for request in requests:
        key = (request.item.theme, (request.day or request.at.date()).year)
        asked[key] = asked.get(key, 0) + request.cents
    return {key: max(1, (cents * 3 // 4) // 1_000_00) * 1_000_00 for key, cents in sorted(asked.items())}


def _cumulative(weights: list[float]) -> list[float]:
    total, running = 0.0, []
    for weight in weights:
        total += weight
        running.append(total)
    return running
