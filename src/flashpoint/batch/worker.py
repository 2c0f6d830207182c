"""What a batch worker process does for itself: tune its allocator, load its coder once, early.

Why this module exists (measured in bench/RESULTS.md, "where a worker's time went"):

- Dask's nanny starts every worker with ``MALLOC_TRIM_THRESHOLD_=65536``. Setting any malloc
  threshold turns off glibc's dynamic mmap threshold, so every allocation above 128 KiB (spaCy's
  and thinc's arrays) becomes an ``mmap``/``munmap`` pair with fresh page faults, and the heap is
  trimmed back to the system after nearly every free. That alone made the coding thread of a
  worker spend about 20 % more CPU per document than the same coder in a plain process.
  ``tune_allocator`` sets fixed thresholds at glibc's own dynamic ceiling instead; it works on any
  cluster, including one started by someone else, because it runs inside the worker.
- Loading spaCy and the gazetteer takes seconds. ``dask_setup`` (a Dask preload, run as the
  worker process starts) begins that load on a background thread, so it overlaps with the other
  workers starting, the client connecting and the driver planning; the first task waits on the
  same lock instead of loading a second copy.
"""

from __future__ import annotations

import ctypes
import logging
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flashpoint.pipeline import Coder

__all__ = ["DEFAULT_BATCH_SIZE", "dask_setup", "process_coder", "start_loading", "tune_allocator"]

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 32

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 1024 * 1024
"""glibc's ceiling for its dynamic mmap threshold on 64-bit (DEFAULT_MMAP_THRESHOLD_MAX)."""
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD
"""glibc keeps the trim threshold at twice the mmap threshold when it adjusts them itself."""

_coder: Coder | None = None
_lock = threading.Lock()
_tuned = False


def tune_allocator() -> bool:
    """Give glibc malloc the thresholds it would reach by itself (once per process; False if not glibc)."""
    global _tuned
    if _tuned:
        return True
    try:
        libc = ctypes.CDLL("libc.so.6")
        ok = bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(libc.mallopt(_M_TRIM_THRESHOLD,
                                                                                          TRIM_THRESHOLD))
    except (OSError, AttributeError):  # not glibc (macOS, musl, Windows): nothing to undo there
        return False
    _tuned = ok
    return ok


def process_coder(batch_size: int = DEFAULT_BATCH_SIZE) -> Coder:
    """This process's coder, its pipeline loaded (the first caller loads it; the others wait)."""
    global _coder
    with _lock:
        if _coder is None:
            from flashpoint.extract.registry import default_choice, load_classifier
            from flashpoint.pipeline import Coder

            # The same type classifier as `flashpoint code` without --model: a run gives the same events.
            coder = Coder(batch_size=batch_size, classifier=load_classifier(default_choice()))
            coder.nlp  # noqa: B018  (loads spaCy and the gazetteer once per process)
            _coder = coder
        _coder.batch_size = batch_size
        return _coder


def _load_quietly() -> None:
    try:
        process_coder()
    except Exception:  # the first task loads it again and reports the error where it is seen
        log.debug("preloading the coder failed", exc_info=True)


def start_loading() -> None:
    """Tune the allocator and begin loading the coder on a background thread; returns at once."""
    tune_allocator()
    if _coder is None and not _lock.locked():
        threading.Thread(target=_load_quietly, name="flashpoint-load-coder", daemon=True).start()


def dask_setup(worker: Any = None) -> None:
    """Dask preload hook (``--preload flashpoint.batch.worker``): runs as the worker process starts."""
    start_loading()
