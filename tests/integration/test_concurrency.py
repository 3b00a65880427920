"""No overspend and one decision per request under concurrency, through the real use cases, on both databases.

Eight caseworker threads — two per caseworker, walking the same requests in the same order, so that every
idempotency key is tried at least twice and mostly by both threads at the same moment; each thread also
retries every fourth request itself once it has its answer — ask for energy bills against one energie
envelope whose budget is far smaller than the demand, while finance tops it up, reduces it and transfers in
and out of it until the caseworkers are done.
"""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from envelopes.domain.envelopes import Envelope
from envelopes.domain.errors import InsufficientFunds
from envelopes.domain.idempotency import IdempotencyRecord
from envelopes.persistence.unit_of_work import SqlUnitOfWork
from envelopes.services import adjust_envelope, submit_aid_request, transfer, verify_log
from envelopes.services.answers import AidAnswer
from envelopes.services.commands import AdjustEnvelope, SubmitAidRequest, TransferBetweenEnvelopes
from envelopes.services.common import utc_now
from envelopes.unit_of_work import IdempotencyKeyTaken
from rules.money import Money
from tests.integration.aid_world import FINANCE, count, ledger_figures, seed
from tests.integration.conftest import UowFactory

CASEWORKERS = ["an", "bert", "chris", "dina"]
THREADS_PER_CASEWORKER = 2
DOSSIERS_EACH = 20
REQUESTS_PER_DOSSIER = 2  # at most € 200,00 each: the household limit of € 400,00 a year is never the reason
ENERGIE_BUDGET = Money.parse("2500.00")
MIN_FINANCE_ROUNDS = 3  # and then on until the caseworkers are done


def test_many_caseworkers_and_finance_at_once_never_overspend_nor_decide_twice(
    new_uow: UowFactory, engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    world = seed(
        new_uow,
        caseworkers=CASEWORKERS,
        dossiers_each=DOSSIERS_EACH,
        energie=ENERGIE_BUDGET,
        kleding=Money.parse("5000.00"),
    )
    randomness = random.Random(20261123)
    asks: dict[str, list[tuple[str, SubmitAidRequest]]] = defaultdict(list)
    for number, household in enumerate(world.households):
        for second in range(REQUESTS_PER_DOSSIER):
            key = f"{household.caseworker}-{number}-{second}"
            amount = Money(randomness.randrange(60_00, 200_01, 5))
            asks[household.caseworker].append((key, world.energy_bill(household, amount, key)))
    demand = sum((cmd.amount for same in asks.values() for _, cmd in same), Money(0))
    answers: dict[str, list[AidAnswer]] = defaultdict(list)
    collecting = threading.Lock()
    log_entries_before = count(engine, "log_entries")
    submitting_done = threading.Event()
    races: list[str] = []  # keys whose try found the key taken by a concurrent first try

    def new_counted_uow() -> SqlUnitOfWork:
        return KeyRacesCounted(session_factory, races)

    def caseworker(mine: list[tuple[str, SubmitAidRequest]]) -> int:
        tries = 0
        for index, (key, cmd) in enumerate(mine):
            for _ in range(2 if index % 4 == 0 else 1):
                answer = submit_aid_request(cmd, new_counted_uow(), world.engine, utc_now)
                tries += 1
                with collecting:
                    answers[key].append(answer)
        return tries

    def finance() -> dict[str, int]:
        def adjust(cents: int, reason: str) -> None:
            adjust_envelope(AdjustEnvelope(FINANCE, world.energie, Money(cents), reason), new_uow(), utc_now)

        def move(source: str, target: str, cents: int) -> None:
            cmd = TransferBetweenEnvelopes(FINANCE, source, target, Money(cents), "herverdeling")
            transfer(cmd, new_uow(), utc_now)

        outcomes = {"done": 0, "refused": 0}
        for round_number in range(1000):
            if round_number >= MIN_FINANCE_ROUNDS and submitting_done.is_set():
                break
            acts: list[Callable[[], None]] = [
                lambda: adjust(50_00, "bijstorting"),
                lambda: move(world.kleding, world.energie, 100_00),
                lambda: move(world.energie, world.kleding, 80_00),
                lambda: adjust(-40_00, "besparing"),
            ]
            for act in acts:
                try:
                    act()
                    outcomes["done"] += 1
                except InsufficientFunds:
                    outcomes["refused"] += 1  # a reduction or transfer out that the envelope cannot bear
                time.sleep(0.01)
        return outcomes

    started = time.monotonic()
    with ThreadPoolExecutor(len(CASEWORKERS) * THREADS_PER_CASEWORKER + 1) as pool:
        money_moves = pool.submit(finance)
        submitters = [
            pool.submit(caseworker, mine) for mine in asks.values() for turn in range(THREADS_PER_CASEWORKER)
        ]
        try:
            tries = sum(future.result(timeout=120) for future in submitters)
        finally:
            submitting_done.set()
        finance_outcomes = money_moves.result(timeout=120)
    duration = time.monotonic() - started

    # One request, one decision: every key decided once; every try got the first answer.
    keys = {key for same in asks.values() for key, _ in same}
    assert set(answers) == keys
    assert count(engine, "aid_requests") == len(keys)
    assert count(engine, "idempotency_records") == len(keys)
    for key, given in answers.items():
        assert all(
            replace(answer, replayed=False) == replace(given[0], replayed=False) for answer in given
        ), key
        assert [answer.replayed for answer in given].count(False) == 1, key
    first = [next(a for a in given if not a.replayed) for given in answers.values()]
    assert len({answer.request_id for answer in first}) == len(keys)

    # No overspend: summed from the ledger entries by plain SQL, apart from the repositories.
    figures = ledger_figures(engine, world.energie)
    approved = [answer for answer in first if answer.status == "approved"]
    approved_sum = sum(answer.amount.cents for answer in approved)
    assert figures.available >= 0
    assert figures.lowest_running_available >= 0
    assert figures.committed + figures.held <= figures.funded
    assert figures.committed == approved_sum
    assert figures.held == 0  # an envelope that cannot cover a request holds nothing for it
    assert ledger_figures(engine, world.kleding).lowest_running_available >= 0
    assert 0 < len(approved) < len(keys)  # the budget ran out: the test did test something

    # The log: one entry per decision and per finance act, and the chain is whole.
    expected_entries = log_entries_before + len(keys) + finance_outcomes["done"]
    assert count(engine, "log_entries") == expected_entries
    verification = verify_log(new_uow())
    assert verification.ok, verification.problem
    assert verification.checked == expected_entries

    print(
        f"\n[{engine.dialect.name}] {len(submitters)} caseworker threads and finance: "
        f"{len(keys)} requests ({tries} tries: {tries - len(keys)} retries of a key, {len(races)} of them "
        "racing the first try), "
        f"demand {demand.display()}; approved {len(approved)} for {Money(approved_sum).display()} "
        f"of a budget of {Money(figures.funded).display()} "
        f"(opened with {ENERGIE_BUDGET.display()}; finance: {finance_outcomes['done']} acts, "
        f"{finance_outcomes['refused']} refused); available {Money(figures.available).display()}; "
        f"escalated {len(keys) - len(approved)}; {duration:.2f} s"
    )


class KeyRacesCounted(SqlUnitOfWork):
    """Notes each idempotency key found taken by a concurrent first try (the use case then replays it)."""

    def __init__(self, session_factory: sessionmaker[Session], races: list[str]) -> None:
        super().__init__(session_factory)
        self._races = races

    def __enter__(self) -> Self:
        entered = super().__enter__()
        store = self.idempotency.add

        def counted(record: IdempotencyRecord) -> None:
            try:
                store(record)
            except IdempotencyKeyTaken:
                self._races.append(record.key)  # list.append is atomic
                raise

        self.idempotency.add = counted  # type: ignore[method-assign]
        return entered


class EnvelopeLockHeldAWhile(SqlUnitOfWork):
    """Holds an envelope's lock 0.3 s after taking it, so that a rival transaction is sure to be waiting."""

    def __enter__(self) -> Self:
        entered = super().__enter__()
        take_lock = self.envelopes.get_for_update
        find_and_lock = self.envelopes.find_for_update

        def slowly(envelope_id: str) -> Envelope | None:
            found = take_lock(envelope_id)
            time.sleep(0.3)
            return found

        def find_slowly(theme: str, year: int, team: str | None) -> Envelope | None:
            found = find_and_lock(theme, year, team)
            time.sleep(0.3)
            return found

        self.envelopes.get_for_update = slowly  # type: ignore[method-assign]
        self.envelopes.find_for_update = find_slowly  # type: ignore[method-assign]
        return entered


def test_two_submits_on_the_last_euros_one_gets_the_commitment(
    new_uow: UowFactory, engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    world = seed(
        new_uow, caseworkers=["an", "bert"], dossiers_each=1, energie=Money(100_00), kleding=Money(0)
    )
    start = threading.Barrier(2, timeout=10)

    def submit(index: int) -> tuple[AidAnswer, float]:
        cmd = world.energy_bill(world.households[index], Money(60_00), key=f"last-{index}")
        start.wait()
        began = time.monotonic()
        answer = submit_aid_request(cmd, EnvelopeLockHeldAWhile(session_factory), world.engine, utc_now)
        return answer, time.monotonic() - began

    with ThreadPoolExecutor(2) as pool:
        results = [future.result(timeout=30) for future in [pool.submit(submit, 0), pool.submit(submit, 1)]]
    (winner, _), (loser, waited) = sorted(results, key=lambda result: result[1])
    assert winner.status == "approved"
    assert winner.envelope_available == Money(40_00)
    assert loser.status == "escalated"  # the envelope cannot cover it any more: the committee decides
    assert loser.held == Money(0)
    assert [reason.rule for reason in loser.reasons] == ["general.envelope_cover"]
    assert loser.envelope_available == Money(40_00)
    assert waited >= 0.5  # it waited for the winner's lock (0.3 s) and then held its own
    figures = ledger_figures(engine, world.energie)
    assert (figures.committed, figures.held, figures.available) == (60_00, 0, 40_00)
