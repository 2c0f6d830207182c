"""Coding on several cores: documents in, results out in input order, memory bounded.

spaCy's own ``n_process`` parallelises the parse only; flashpoint's stages after it (places,
attribution, typing, resolution) take about as long again, so the whole ``Coder`` runs in each
worker process. Workers are spawned (not forked: the parent may hold SQLite connections and
threads), each loads its own pipeline once, and documents travel in small chunks. At most
``2 × workers`` chunks are in flight, so a corpus of any size is streamed, not held.

A small input is coded in this process: starting a worker costs a few seconds (loading spaCy and
the gazetteer), more than coding a handful of documents.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import chain, islice

from flashpoint.model import CodedDocument, Document, Failure

__all__ = ["available_cores", "code_in_parallel"]

Item = Document | Failure
Result = CodedDocument | Failure

CHUNK = 16
"""Documents sent to a worker at a time: enough to keep nlp.pipe's batches full."""

SMALL = 2 * CHUNK
"""Inputs up to this many documents are coded in this process (no worker start-up to pay)."""


def available_cores() -> int:
    """The cores this process may run on (the affinity mask, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def code_in_parallel(items: Iterable[Item], *, workers: int, model: str | None = None) -> Iterator[Result]:
    """Code ``items`` on ``workers`` processes; one result per input, in input order.

    Failures in the input pass through in place; a document that breaks in a worker becomes a
    Failure there (the Coder's own rule), so one bad document never stops the others.
    """
    from flashpoint.pipeline import code_documents

    stream = iter(items)
    head = list(islice(stream, SMALL + 1))
    if workers <= 1 or len(head) <= SMALL:
        yield from code_documents(chain(head, stream), model=model)
        return
    if model and model != "rules":
        # A bad model name must fail here, once, in one line, not in every worker.
        from flashpoint.extract.registry import resolve_model_path

        resolve_model_path(model)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker,
                             initargs=(model,)) as pool:
        pending: deque[Future[list[Result]]] = deque()
        for chunk in _chunks(chain(head, stream), CHUNK):
            pending.append(pool.submit(_code_chunk, chunk))
            while len(pending) >= 2 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _chunks(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    stream = iter(items)
    while chunk := list(islice(stream, size)):
        yield chunk


_worker_model: str | None = None


def _start_worker(model: str | None) -> None:
    """In a worker: remember the model and load the pipeline once, before the first chunk."""
    global _worker_model
    _worker_model = model
    from flashpoint.pipeline import default_coder

    default_coder().nlp  # noqa: B018 - loads spaCy and the gazetteer now, not inside the first chunk


def _code_chunk(chunk: list[Item]) -> list[Result]:
    from flashpoint.pipeline import code_documents

    return list(code_documents(chunk, model=_worker_model))
