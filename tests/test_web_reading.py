"""Database reads run one at a time per server process, in arrival order, and never wait behind
work on FastAPI's own thread pool (a posted document's job wait)."""

from __future__ import annotations

import asyncio
import threading
import time

from fastapi.concurrency import run_in_threadpool

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
