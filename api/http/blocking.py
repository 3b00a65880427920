"""Blocking work (the database, the rule engine) off the event loop, in one trip to a thread.

FastAPI runs a plain `def` endpoint in Starlette's thread pool and then validates its answer in that pool
again, a second trip; every plain `def` dependency is a trip of its own. Each trip costs tens of
microseconds of CPU and two thread switches, which under load add up to a good part of a decision. So:

- an endpoint that blocks is written as a plain function and marked `@blocking`: FastAPI sees a coroutine
  function, the body runs in this process's pool of threads (one trip), and the answer is validated and
  serialized in the event loop;
- an endpoint that may take seconds (verifying the whole log, compiling a policy) is marked `@long_running`
  instead: it runs in a pool of its own, so it never keeps a decision waiting for a thread;
- a dependency that blocks awaits `run_blocking(function, *args)`; one that only looks at memory is
  `async def` and runs in the event loop.

The pools are made on first use in each process (each worker of `mandaat serve` has its own). The decisions'
pool is small on purpose (`MANDAAT_THREADS`, 2 by default): with the interpreter's lock, more threads than
one at work and one waiting for the database only take turns at it — measured with 8 clients at one
envelope, 2 threads gave the most decisions per second and the lowest p99 on SQLite and on PostgreSQL, 40
(Starlette's default) the fewest. The request's context (contextvars) is carried into the thread, as
Starlette does.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

DEFAULT_THREADS = 2
LONG_RUNNING_THREADS = 4
_pools: dict[str, ThreadPoolExecutor] = {}
_sizes = {"blocking": DEFAULT_THREADS, "long-running": LONG_RUNNING_THREADS}
_lock = threading.Lock()


def configure(threads: int) -> None:
    """The number of threads of the decisions' pool (from the settings, before the first request)."""
    with _lock:
        if _sizes["blocking"] == threads:
            return
        _sizes["blocking"] = threads
        pool = _pools.pop("blocking", None)
    if pool is not None:
        pool.shutdown(wait=False)  # its running calls finish; new ones go to a pool of the new size


def _executor(lane: str) -> ThreadPoolExecutor:
    pool = _pools.get(lane)
    if pool is None:
        with _lock:
            pool = _pools.get(lane)
            if pool is None:
                pool = _pools[lane] = ThreadPoolExecutor(_sizes[lane], thread_name_prefix=f"mandaat-{lane}")
    return pool


async def run_blocking(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """`function(*args, **kwargs)` in a thread of the decisions' pool, awaited from the event loop."""
    return await _run("blocking", function, *args, **kwargs)


async def _run(lane: str, function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    context = contextvars.copy_context()
    call = functools.partial(context.run, function, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_executor(lane), call)


def blocking(function: Callable[P, R]) -> Callable[P, Coroutine[Any, Any, R]]:
    """An endpoint whose body blocks, run in one trip to a thread. FastAPI reads the signature and the
    annotations of `function` itself (through `__wrapped__`)."""
    return _in_a_thread("blocking", function)


def long_running(function: Callable[P, R]) -> Callable[P, Coroutine[Any, Any, R]]:
    """The same, in the pool for calls that may take seconds."""
    return _in_a_thread("long-running", function)


def _in_a_thread(lane: str, function: Callable[P, R]) -> Callable[P, Coroutine[Any, Any, R]]:
    @functools.wraps(function)
    async def in_a_thread(*args: P.args, **kwargs: P.kwargs) -> R:
        return await _run(lane, function, *args, **kwargs)

    return in_a_thread
