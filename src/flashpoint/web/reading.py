"""Reads of the database run one at a time in each server process, first come, first served.

FastAPI runs a plain ``def`` handler in a pool of 40 threads. Under load (50 clients over two
workers) that puts some 25 requests at once in each process, all taking turns on the GIL every few
milliseconds: each request then waits on all the others, a long one (a text search) is slowed by
the number waiting, and switching threads costs CPU of its own. Measured with ``bench/bench_api.py``
(issue 18; 2 workers, 50 clients, 100,000 events): 5.9–6.5 ms of server CPU per request with the
pool against 3.5–4.8 with one reader, and about twice the requests per second.

So the handlers that read the database are marked ``@reads``: they still run off the event loop
(which keeps accepting and answering cached requests), but through one thread per process, in
arrival order. Everything else — posting a document, waiting for its job, streamed downloads —
keeps FastAPI's pool, so a slow job never holds up a read.
"""

from __future__ import annotations

import asyncio
import functools
import weakref
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

import anyio
import anyio.to_thread

READERS = 1
"""Database reads that run at once in one server process (``serve --workers`` gives processes)."""

P = ParamSpec("P")
T = TypeVar("T")

_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = weakref.WeakKeyDictionary()


def _limiter() -> anyio.CapacityLimiter:
    """This event loop's readers (a limiter belongs to the loop it was made in; tests run several)."""
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = anyio.CapacityLimiter(READERS)
    return limiter


def reads(handler: Callable[P, T]) -> Callable[P, Awaitable[T]]:
    """``handler`` (a plain function that reads the database) as a coroutine that runs it in this
    process's reader thread. FastAPI sees the handler's own parameters (``functools.wraps``)."""
    @functools.wraps(handler)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        return await anyio.to_thread.run_sync(functools.partial(handler, *args, **kwargs), limiter=_limiter())

    return run
