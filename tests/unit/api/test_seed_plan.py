"""The made-up city of `mandaat db seed` (api/seed_plan.py): the same seed gives the same plan, and the plan
looks like a city's year: office hours, seasons, households, a dossier opened before its first request."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time

import pytest

from api.seed_plan import ITEMS, CityPlan, CitySize, plan_city, working_days
from envelopes.domain.ids import BRUSSELS

UNTIL = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)
SIZE = CitySize(caseworkers=4, dossiers=300, requests=6000, years=(2024, 2025, 2026), seed=3)


@pytest.fixture(scope="module")
def plan() -> CityPlan:
    return plan_city(SIZE, UNTIL)


def test_the_same_seed_gives_the_same_plan_and_another_seed_another(plan: CityPlan) -> None:
    assert plan_city(SIZE, UNTIL) == plan
    other = plan_city(CitySize(4, 300, 6000, (2024, 2025, 2026), seed=4), UNTIL)
    assert other.requests != plan.requests


def test_requests_are_asked_in_office_hours_of_working_days_before_now(plan: CityPlan) -> None:
    assert len(plan.requests) == 6000
    moments = [request.at for request in plan.requests]
    assert moments == sorted(moments)
    assert all(moment.weekday() < 5 for moment in moments)
    assert all(time(8, 30) <= moment.astimezone(BRUSSELS).time() < time(16, 30) for moment in moments)
    assert plan.start <= moments[0]
    assert moments[-1] < UNTIL
    assert max(moments).date() < date(2026, 12, 6), "not today: today is not over"
    assert all(request.day is None or request.day <= request.at.date() for request in plan.requests)


def test_each_item_keeps_its_season(plan: CityPlan) -> None:
    months = {item.name: Counter(r.at.month for r in plan.requests if r.item is item) for item in ITEMS}
    assert months["schoolreis"][7] == 0, "no school trips in July"
    assert sum(months["winterschoenen"][m] for m in (4, 5, 6, 7)) == 0, "no winter shoes in spring"
    assert months["winterschoenen"][11] > months["winterschoenen"][9]
    assert months["energiefactuur"][1] > 2 * months["energiefactuur"][6]
    assert months["vrijetijdsbijdrage"][7] > 2 * months["vrijetijdsbijdrage"][2]


def test_households_and_who_the_aid_is_for(plan: CityPlan) -> None:
    sizes = Counter(len(dossier.members) for dossier in plan.dossiers)
    assert set(sizes) == {1, 2, 3, 4, 5, 6}
    assert all(dossier.members[0].relation == "aanvrager" for dossier in plan.dossiers)
    for request in plan.requests:
        member = plan.dossiers[request.dossier].members[request.member]
        if request.item.beneficiary == "applicant":
            assert request.member == 0
        if request.item.for_children and member.relation != "aanvrager":
            assert member.relation == "kind"
    limits = Counter(r.cents > r.item.usual[1] for r in plan.requests)
    assert 0.03 < limits[True] / len(plan.requests) < 0.2, "some amounts pass a limit, most do not"


def test_every_dossier_is_opened_before_its_first_request_and_one_has_a_long_history(plan: CityPlan) -> None:
    first: dict[int, datetime] = {}
    for request in plan.requests:
        first.setdefault(request.dossier, request.at)
    assert all(plan.dossiers[number].opened_at < moment for number, moment in first.items())
    assert Counter(request.dossier for request in plan.requests)[0] == 20  # at least 20, else 1 in 400
    assert [d.reference for d in plan.dossiers[:2]] == ["STAD-3-000001", "STAD-3-000002"]
    assert {d.caseworker for d in plan.dossiers} == {0, 1, 2, 3}


def test_in_a_city_the_first_dossier_has_the_longest_history() -> None:
    city = plan_city(CitySize(caseworkers=10, dossiers=4000, requests=40_000, years=(2025, 2026)), UNTIL)
    per_dossier = Counter(request.dossier for request in city.requests)
    assert per_dossier[0] == 40_000 // 400
    assert per_dossier[0] > max(count for dossier, count in per_dossier.items() if dossier != 0)
    assert 5 < per_dossier.most_common(2)[1][1] < 100


def test_every_theme_gets_an_envelope_each_year() -> None:
    plan = plan_city(CitySize(1, 1, 0, (2025,)), UNTIL)
    assert set(plan.allocations) == {(item.theme, 2025) for item in ITEMS}
    assert all(cents >= 1_000_00 for cents in plan.allocations.values())


def test_working_days_leave_out_weekends_new_year_and_christmas() -> None:
    days = working_days((2025,), date(2026, 1, 1))
    assert date(2025, 1, 1) not in days
    assert date(2025, 12, 25) not in days
    assert date(2025, 12, 24) in days
    assert all(day.weekday() < 5 for day in days)
