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
keeps FastAPI's pool, so a slow job never holds up a read. A read that runs past
``settings.API_READ_SECONDS`` is stopped and answered 503 with what to narrow, so one runaway
request never holds up the queue behind it.
"""

from __future__ import annotations

import asyncio
import functools
import weakref
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

import anyio
import anyio.to_thread
from sqlalchemy.exc import DBAPIError

from flashpoint import settings
from flashpoint.corpus.store import db
from flashpoint.web.errors import ApiError

READERS = 1
"""Database reads that run at once in one server process (``serve --workers`` gives processes) when
the database is SQLite: its queries are this process's own CPU work, so a second reader only
takes turns with the first."""

OVERLAPPING_READERS = 4
"""The same for a database server (PostgreSQL): there the query runs in the server's processes and
this one mostly waits for it, so a few reads may overlap. (Not measured under load here.)"""

P = ParamSpec("P")
T = TypeVar("T")

_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, anyio.CapacityLimiter]] = (
    weakref.WeakKeyDictionary())


def readers_for(dialect: str) -> int:
    """How many reads may run at once in one process, for a database of this SQLAlchemy dialect."""
    return READERS if dialect == "sqlite" else OVERLAPPING_READERS


def _limiter(tokens: int) -> anyio.CapacityLimiter:
    """This event loop's readers (a limiter belongs to the loop it was made in; tests run several)."""
    mine = _limiters.setdefault(asyncio.get_running_loop(), {})
    if tokens not in mine:
        mine[tokens] = anyio.CapacityLimiter(tokens)
    return mine[tokens]


def reads(handler: Callable[P, T]) -> Callable[P, Awaitable[T]]:
    """``handler`` (a plain function that reads the database) as a coroutine that runs it in this
    process's reader thread. FastAPI sees the handler's own parameters (``functools.wraps``).
    The number of readers comes from the app (``app.state.readers``) when the handler takes the
    request, else ``READERS``."""
    @functools.wraps(handler)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        request = kwargs.get("request")
        tokens = getattr(getattr(getattr(request, "app", None), "state", None), "readers", READERS)
        return await anyio.to_thread.run_sync(functools.partial(_bounded, handler, *args, **kwargs),
                                              limiter=_limiter(tokens))

    return run


def _bounded(handler: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``handler`` with its SQLite reads stopped after ``settings.API_READ_SECONDS``: the reader is
    shared, so a runaway request answers 503 instead of holding up every request queued behind it."""
    try:
        with db.deadline(settings.API_READ_SECONDS):
            return handler(*args, **kwargs)
    except DBAPIError as exc:
        if not db.interrupted(exc):
            raise
        raise ApiError(503, "too_slow", f"this request read the database for over {settings.API_READ_SECONDS:g} s "
                       "and was stopped: narrow it (dates, a country, a type, a longer search text) or follow "
                       "the `next` link instead of a deep offset") from None
