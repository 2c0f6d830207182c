"""Coding posted documents in the background: a queue, one coder process, a deadline per job.

``POST /api/documents`` answers at once with a job; ``GET /api/jobs/{id}`` says how it stands
(``queued`` → ``running`` → ``done`` or ``failed``). Coding runs in a child process, not a thread,
so a job over its deadline (or a server asked to stop) is ended by killing that process: no report,
however long, keeps a core busy after its time is up or holds the server up on SIGTERM. The child
loads the pipeline once and codes job after job; the parent stores the result.

Job states are small JSON files in one directory, so every worker of ``serve --workers N`` can
answer for a job another worker took.
"""

from __future__ import annotations

import json
import logging
import multiprocessing as mp
import os
import queue
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from flashpoint import errors
from flashpoint.model import Document, Failure

log = logging.getLogger(__name__)

__all__ = ["Jobs", "DEFAULT_TIMEOUT_S"]

DEFAULT_TIMEOUT_S = 120.0
"""Longest a posted document may take to code (a long article takes a few seconds)."""
MAX_QUEUED = 32


def _coder_main(conn: Connection) -> None:
    """The child: code each document it receives, send back the result, until told to stop."""
    from flashpoint.pipeline import code_documents

    while True:
        try:
            doc = conn.recv()
        except EOFError:
            return
        if doc is None:
            return
        try:
            result: Any = next(iter(code_documents([doc])))
        except Exception as exc:  # reported to the job, the child lives on
            result = Failure(source=doc.source or "api", code=errors.E_JOB_FAILED, reason=f"coding failed: {exc}")
        conn.send(result)


@dataclass
class _Coder:
    """One child process and its pipe; started on first use, killed when a job overruns."""

    process: Any = None
    conn: Connection | None = None

    def start(self) -> None:
        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe()
        self.process = ctx.Process(target=_coder_main, args=(child,), name="flashpoint-coder", daemon=True)
        self.process.start()
        child.close()
        self.conn = parent

    def code(self, doc: Document, timeout: float, stopping: threading.Event) -> Any:
        """The coded document or Failure; raises TimeoutError past ``timeout`` (the child is killed)."""
        if stopping.is_set():
            raise TimeoutError("stopped")
        if self.process is None or not self.process.is_alive():
            self.start()
        assert self.conn is not None
        self.conn.send(doc)
        deadline = time.monotonic() + timeout
        while not self.conn.poll(0.2):
            if stopping.is_set() or time.monotonic() > deadline or not self.process.is_alive():
                self.kill()
                raise TimeoutError("stopped" if stopping.is_set() else "deadline")
        return self.conn.recv()

    def kill(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.kill()
            self.process.join(5)
        self.process, self.conn = None, None


@dataclass
class Jobs:
    """The job queue of one app: ``submit`` a document, ``status`` by id, ``close`` on shutdown."""

    store: Any
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="flashpoint-jobs-")))
    timeout_s: float = DEFAULT_TIMEOUT_S

    def __post_init__(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._queue: queue.Queue[tuple[str, Document] | None] = queue.Queue(MAX_QUEUED)
        self._stopping = threading.Event()
        self._coder = _Coder()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.generation = 0
        """Counts documents stored through this queue (answers cached before one are stale)."""

    # --- the API side ---------------------------------------------------------------------------

    def submit(self, doc: Document, warnings: list[str]) -> dict[str, Any]:
        """Queue ``doc``; returns the job's first state. Raises queue.Full when too many wait."""
        job_id = secrets.token_hex(8)
        state = {"id": job_id, "status": "queued", "document_id": doc.id, "warnings": warnings,
                 "submitted_at": time.time(), "timeout_s": self.timeout_s}
        self._write(state)
        self._queue.put_nowait((job_id, doc))
        self._ensure_thread()
        return state

    def status(self, job_id: str) -> dict[str, Any] | None:
        if not job_id.isalnum():
            return None
        try:
            return json.loads((self.directory / f"{job_id}.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]
        except (OSError, ValueError):
            return None

    def wait(self, job_id: str, seconds: float) -> dict[str, Any] | None:
        """The job's state once finished, or as it stands after ``seconds``."""
        deadline = time.monotonic() + seconds
        state = self.status(job_id)
        while state and state["status"] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.05)
            state = self.status(job_id)
        return state

    def close(self) -> None:
        """Stop now: kill a running job's coder, fail the queued ones."""
        self._stopping.set()
        self._coder.kill()
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                self._finish(item[0], "failed", error={"code": "shutdown", "message": "the server stopped "
                                                       "before this document was coded: post it again"})
        if self._thread is not None:
            try:
                self._queue.put_nowait(None)
            except queue.Full:
                pass
            self._thread.join(5)
        self._coder.kill()  # again: a coder the worker thread was starting as we stopped

    # --- the worker side ----------------------------------------------------------------------------

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="flashpoint-jobs", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while not self._stopping.is_set():
            item = self._queue.get()
            if item is None:
                return
            job_id, doc = item
            self._update(job_id, status="running", started_at=time.time())
            try:
                self._one(job_id, doc)
            except Exception as exc:  # one job's failure never stops the queue
                log.exception("job %s failed", job_id)
                self._finish(job_id, "failed", error={"code": "internal_error", "message": str(exc)})

    def _one(self, job_id: str, doc: Document) -> None:
        try:
            coded = self._coder.code(doc, self.timeout_s, self._stopping)
        except TimeoutError as exc:
            if str(exc) == "stopped":
                self._finish(job_id, "failed", error={"code": "shutdown", "message": "the server stopped while "
                                                      "coding this document: post it again"})
            else:
                self._finish(job_id, "failed", error={"code": "timeout", "message": (
                    f"coding took longer than {self.timeout_s:g} s and was stopped: split the report into "
                    "shorter documents")})
            return
        if isinstance(coded, Failure):
            self.store.add_failure(coded)
            self._finish(job_id, "failed", error={"code": coded.code, "message": coded.reason})
            return
        added = self.store.add(coded)
        self.generation += 1
        self._finish(job_id, "done", result={
            "added": added.added, "document_id": doc.id, "events": added.events,
            "incidents": list(added.incidents), "event_ids": [e.id for e in coded.events]})

    def _finish(self, job_id: str, status: str, **extra: Any) -> None:
        self._update(job_id, status=status, finished_at=time.time(), **extra)

    def _update(self, job_id: str, **changes: Any) -> None:
        state = self.status(job_id) or {"id": job_id}
        state.update(changes)
        self._write(state)

    def _write(self, state: dict[str, Any]) -> None:
        path = self.directory / f"{state['id']}.json"
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(state), encoding="utf-8")
        tmp.replace(path)  # atomic: a reader never sees half a file
