"""The fence around durable_rules: registration, firing every rule, an empty session, threads."""

from __future__ import annotations

import threading
import uuid

import pytest

from rules import engine
from rules.errors import EngineError

RULES = {
    "big": {"all": [{"m": {"$gt": {"amt": {"$m": "limit"}}}}]},
    "frozen": {"all": [{"m": {"frozen": 1}}]},
    engine.CATCH_ALL: {"all": [{"m": {"$ex": {"amt": 1}}}]},
}


def _name() -> str:
    return f"test_{uuid.uuid4().hex[:12]}"


def test_fire_returns_every_matching_rule_and_leaves_the_session_empty() -> None:
    name = _name()
    engine.register(name, RULES)
    assert sorted(engine.fire(name, {"amt": 10, "limit": 5, "frozen": 1})) == ["big", "frozen"]
    assert engine.fire(name, {"amt": 1, "limit": 5, "frozen": 0}) == []
    # The same fact again: it was retracted, so it is not a duplicate and fires again.
    for _ in range(100):
        assert sorted(engine.fire(name, {"amt": 10, "limit": 5, "frozen": 1})) == ["big", "frozen"]


def test_registering_the_same_definition_twice_is_harmless_but_another_is_refused() -> None:
    name = _name()
    engine.register(name, RULES)
    engine.register(name, dict(RULES))
    with pytest.raises(EngineError, match="already registered"):
        engine.register(name, {**RULES, "extra": {"all": [{"m": {"x": 1}}]}})


def test_a_ruleset_without_catch_all_is_refused() -> None:
    with pytest.raises(EngineError, match="catch-all"):
        engine.register(_name(), {"big": RULES["big"]})


def test_an_incomplete_evaluation_raises_instead_of_deciding() -> None:
    name = _name()
    engine.register(name, RULES)
    with pytest.raises(EngineError, match="did not complete"):
        engine.fire(name, {"limit": 5})  # no `amt`: the catch-all cannot fire


def test_unknown_ruleset_is_an_engine_error() -> None:
    with pytest.raises(EngineError, match="not registered"):
        engine.fire("never_registered", {"amt": 1})


def test_eight_threads_share_the_engine_safely() -> None:
    """Without the lock the C core segfaults (DURABLE_RULES.md); with it, every answer holds."""
    name = _name()
    engine.register(name, RULES)
    errors: list[str] = []

    def work(seed: int) -> None:
        for i in range(2_000):
            amount = (seed * 7 + i) % 20
            expected = ["big"] if amount > 10 else []
            got = engine.fire(name, {"amt": amount, "limit": 10, "frozen": 0})
            if got != expected:
                errors.append(f"{amount}: {got}")

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_a_child_forked_while_the_lock_is_held_can_still_evaluate() -> None:
    """Workers are forked; a lock held by another thread at fork time must not deadlock the child."""
    import os

    name = _name()
    engine.register(name, RULES)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with engine._lock:
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(5)
    pid = os.fork()
    if pid == 0:  # the child: the holder thread does not exist here
        try:
            os._exit(0 if engine.fire(name, {"amt": 10, "limit": 5, "frozen": 0}) == ["big"] else 1)
        except BaseException:
            os._exit(2)
    release.set()
    holder.join()
    for _ in range(100):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        threading.Event().wait(0.05)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        pytest.fail("the forked child deadlocked on the engine lock")
    assert os.waitstatus_to_exitcode(status) == 0
