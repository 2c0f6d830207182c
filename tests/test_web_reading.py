"""Database reads run one at a time per server process, in arrival order, and never wait behind
work on FastAPI's own thread pool (a posted document's job wait)."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from flashpoint import settings
from flashpoint.corpus.store import db, open_store
from flashpoint.web.errors import ApiError
from flashpoint.web.reading import READERS, reads


def test_reads_run_one_at_a_time_in_arrival_order() -> None:
    running, most, order = 0, 0, []
    lock = threading.Lock()

    @reads
    def read(n: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.01)
        order.append(n)
        with lock:
            running -= 1
        return n * 2

    async def main() -> list[int]:
        tasks = []
        for n in range(12):
            tasks.append(asyncio.create_task(read(n)))
            await asyncio.sleep(0)  # each call queues before the next is made
        return list(await asyncio.gather(*tasks))

    assert asyncio.run(main()) == [n * 2 for n in range(12)]
    assert most == READERS == 1
    assert order == list(range(12))


def test_a_read_does_not_wait_for_a_blocked_job_on_the_shared_pool() -> None:
    released = threading.Event()

    @reads
    def read() -> str:
        return "read"

    async def main() -> str:
        blocked = asyncio.create_task(run_in_threadpool(released.wait, 30))  # a job wait holding a pool thread
        await asyncio.sleep(0.05)
        try:
            return await asyncio.wait_for(read(), timeout=5)
        finally:
            released.set()
            await blocked

    assert asyncio.run(main()) == "read"


def test_each_event_loop_gets_its_own_readers() -> None:
    """Test clients and workers run their own loops: a reader made in one must not break another."""
    @reads
    def read() -> int:
        return 1

    assert asyncio.run(read()) == 1
    assert asyncio.run(read()) == 1


# --- a runaway read is stopped, not queued behind ------------------------------------------------

_SLOW = text("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 30000000) "
             "SELECT count(*) FROM c")
"""A statement that runs for seconds on any store (thirty million steps of a recursive count)."""


def test_a_deadline_stops_a_long_sqlite_statement_on_its_thread_only(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        started = time.monotonic()
        with db.deadline(0.05), store.engine.connect() as conn, pytest.raises(DBAPIError) as caught:
            conn.execute(_SLOW).scalar_one()
        assert db.interrupted(caught.value)
        assert time.monotonic() - started < 5
        with store.engine.connect() as conn:  # outside the block statements run to their end
            assert conn.execute(text("SELECT count(*) FROM events")).scalar_one() == 0
            assert conn.execute(text("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                                     "WHERE x < 300000) SELECT count(*) FROM c")).scalar_one() == 300000


def test_a_read_over_the_limit_answers_503_saying_what_to_narrow(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "API_READ_SECONDS", 0.05)
    with open_store(tmp_path / "s.db") as store:
        @reads
        def runaway() -> int:
            with store.engine.connect() as conn:
                return int(conn.execute(_SLOW).scalar_one())

        with pytest.raises(ApiError) as caught:
            asyncio.run(runaway())
    assert caught.value.status == 503 and caught.value.code == "too_slow"
    assert "narrow it" in caught.value.message and "\n" not in caught.value.message
