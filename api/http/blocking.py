"""Blocking work (the database, the rule engine) off the event loop, in one trip to a thread.

FastAPI runs a plain `def` endpoint in Starlette's thread pool and then validates its answer in that pool
again, a second trip; every plain `def` dependency is a trip of its own. Each trip costs tens of
microseconds of CPU and two thread switches, which under load add up to a good part of a decision. So:

- an endpoint that blocks is written as a plain function and marked `@blocking`: FastAPI sees a coroutine
  function, the body runs in this process's pool of threads (one trip), and the answer is validated and
  serialized in the event loop;
- a dependency that blocks awaits `run_blocking(function, *args)`; one that only looks at memory is
  `async def` and runs in the event loop.

The pool is made on first use in each process (each worker of `mandaat serve` has its own), with as many
threads as Starlette's default (40): a request waiting for the SQLite writer's lock or a PostgreSQL row lock
holds one. The context (contextvars) of the request is carried into the thread, as Starlette does.
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

THREADS = 40
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = ThreadPoolExecutor(THREADS, thread_name_prefix="mandaat-blocking")
    return _pool


async def run_blocking(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """`function(*args, **kwargs)` in a thread of the pool, awaited from the event loop."""
    context = contextvars.copy_context()
    call = functools.partial(context.run, function, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_executor(), call)


def blocking(function: Callable[P, R]) -> Callable[P, Coroutine[Any, Any, R]]:
    """An endpoint whose body blocks, run in one trip to a thread. FastAPI reads the signature and the
    annotations of `function` itself (through `__wrapped__`)."""

    @functools.wraps(function)
    async def in_a_thread(*args: P.args, **kwargs: P.kwargs) -> R:
        return await run_blocking(function, *args, **kwargs)

    return in_a_thread
