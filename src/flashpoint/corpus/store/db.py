"""Engines and write transactions for SQLite and PostgreSQL: the only place the two differ.

SQLite: WAL (readers never block the writer), a 30 s busy timeout, and write transactions opened
with ``BEGIN IMMEDIATE`` so that a writer takes the lock before reading what it will update (a
deferred transaction that reads, then writes, fails at once with "database is locked" when another
process wrote in between). PostgreSQL: a transaction-scoped advisory lock serialises writers, so two
ingest processes cannot both start an incident for one happening.

Read-only media (a read-only mount, a directory the user cannot write): reading needs no lock file,
and a connection that cannot open the file for writing falls back to a read-only one (``mode=ro``,
then ``immutable=1`` when SQLite cannot create its ``-shm`` file there). A write then fails with one
line that names the path. ``FileAccess`` is the one seam to the file system, so tests can stand in
read-only media even when they run as root (who ignores permission bits).
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import sqlite3
import sys
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from flashpoint import errors
from flashpoint.errors import StoreError

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 30_000
WRITE_RETRIES = 8
_PG_WRITE_LOCK = 0x666C6173  # "flas": one advisory lock key for flashpoint's writers


def database_url(url_or_path: str | Path) -> str:
    """A SQLAlchemy URL for a path or a URL (``postgresql://`` gets the psycopg 3 driver)."""
    value = str(url_or_path)
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    for plain in ("postgresql://", "postgres://"):
        if value.startswith(plain):
            return "postgresql+psycopg://" + value[len(plain):]
    return value


class FileAccess:
    """How a SQLite store reaches the file system: opening the database and its writer lock file.

    The default opens real files; a test replaces it to stand in read-only media."""

    def connect(self, uri: str) -> sqlite3.Connection:
        """A connection to a ``file:`` URI (SQLite opens lazily: errors may come at the first statement)."""
        return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)

    def open_lock(self, path: Path) -> int:
        """A descriptor on the writer lock file, created if missing."""
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)


DEFAULT_FILES = FileAccess()

_READ_ONLY_ERRORS = ("unable to open database file", "readonly database", "read-only", "disk i/o error")


def create(url_or_path: str | Path, *, files: FileAccess | None = None) -> Engine:
    """An engine for ``url_or_path``; raises StoreError with what to do when it cannot be made."""
    url = database_url(url_or_path)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"{url_or_path}: not a database path or URL ({exc}): give a file path or "
                         "postgresql://user@host/db", code=errors.E_BAD_DATABASE) from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database, files or DEFAULT_FILES)
    if parsed.get_backend_name() == "postgresql":
        try:
            return create_engine(url, pool_pre_ping=True)
        except ModuleNotFoundError:
            raise StoreError("PostgreSQL needs the psycopg driver: pip install 'psycopg[binary]'",
                             code=errors.E_NO_DATABASE_DRIVER) from None
    raise StoreError(f"{url_or_path}: unsupported database {parsed.get_backend_name()!r}: "
                     "use a SQLite file path or a postgresql:// URL", code=errors.E_BAD_DATABASE)


def _sqlite_engine(url: str, database: str | None, files: FileAccess) -> Engine:
    if not database or database == ":memory:":
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", lambda conn, _record: _configure(conn, writable=True))
    else:
        parent = Path(database).parent
        if not parent.is_dir():
            raise StoreError(f"{database}: directory {parent} does not exist: create it or choose another --db",
                             code=errors.E_NO_DATABASE_DIRECTORY)
        engine = create_engine(url, creator=lambda: _connect(database, files))

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get("flashpoint_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    if database and database != ":memory:":
        _WRITER_LOCKS[engine] = WriterLock(Path(database + "-writer.lock"), database, files)
    return engine


MMAP_BYTES = 1 << 30 if sys.maxsize > 2**32 else 0
"""SQLite reads the database through a memory map of up to this size instead of copying each page
into its own cache: a page of 100 events spread over a 100,000-event store costs half the CPU
(2.0 → 1.0–1.2 ms to write their JSON; issue 18). The map shares the OS page cache, so it adds no
memory of its own; 0 on 32-bit systems, where address space is short."""


PROGRESS_STEPS = 1_000_000
"""SQLite calls ``_past_deadline`` every this many steps of its virtual machine (a few milliseconds
apart). Each call takes the GIL back for a moment, so they are kept rare: a deadline is seconds."""

_deadline = threading.local()


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """SQLite statements this thread runs within the block stop after ``seconds`` in all (they raise
    an OperationalError that ``interrupted`` recognises), so one runaway read cannot hold a server
    worker. Other threads and PostgreSQL are not affected."""
    outer = getattr(_deadline, "at", None)
    _deadline.at = time.monotonic() + seconds
    try:
        yield
    finally:
        _deadline.at = outer


def _past_deadline() -> int:
    at = getattr(_deadline, "at", None)
    return 1 if at is not None and time.monotonic() > at else 0


def interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` is a SQLite statement stopped by ``deadline``."""
    orig = getattr(exc, "orig", exc)
    return isinstance(orig, sqlite3.OperationalError) and "interrupted" in str(orig)


def _configure(conn: sqlite3.Connection, *, writable: bool) -> None:
    conn.isolation_level = None  # we issue BEGIN ourselves (``_on_begin``)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if writable:
        conn.execute("PRAGMA journal_mode = WAL")  # writes the header and creates -wal/-shm files
        conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
    conn.set_progress_handler(_past_deadline, PROGRESS_STEPS)


def _connect(database: str, files: FileAccess) -> sqlite3.Connection:
    """A connection for reading and writing; on read-only media one for reading only.

    ``mode=ro`` reads a database whose ``-shm`` file exists or can be made; ``immutable=1`` reads
    one on media where it can be neither (SQLite then takes no locks: nothing can write there)."""
    path = quote(str(Path(database)))
    first: sqlite3.OperationalError | None = None
    for query, writable in (("", True), ("?mode=ro", False), ("?mode=ro&immutable=1", False)):
        try:
            conn = files.connect(f"file:{path}{query}")
        except sqlite3.OperationalError as exc:
            if not any(m in str(exc).lower() for m in _READ_ONLY_ERRORS):
                raise
            first = first or exc
            continue
        try:
            _configure(conn, writable=writable)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # makes SQLite open the file now
            if not writable:
                log.info("%s is on read-only media: opened for reading only", database)
            return conn
        except sqlite3.OperationalError as exc:
            conn.close()
            if not any(m in str(exc).lower() for m in _READ_ONLY_ERRORS):
                raise
            first = first or exc
    assert first is not None
    raise first


class WriterLock:
    """An OS file lock that queues SQLite writers.

    SQLite's own busy handler polls with sleeps of up to 100 ms, so two busy writers hand the lock
    over slowly and unfairly; a blocking ``flock`` wakes the next writer as soon as the lock is
    free. SQLite's locks still guard the data; this only orders the writers. (A separate file,
    because closing any descriptor of the database file would drop SQLite's POSIX locks.)
    """

    def __init__(self, path: Path, database: str | None = None, files: FileAccess | None = None) -> None:
        self.path = path
        self.database = database or str(path)
        self.files = files or DEFAULT_FILES
        self._fd: int | None = None

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        try:
            import fcntl
        except ModuleNotFoundError:  # not POSIX: SQLite's busy timeout alone
            yield
            return
        if self._fd is None:
            try:
                self._fd = self.files.open_lock(self.path)
            except OSError as exc:  # a read-only directory or mount: reading never gets here
                raise StoreError(_read_only_message(self.database, f"cannot create {self.path}: "
                                                    f"{exc.strerror or exc}"), code=errors.E_DATABASE_READ_ONLY) from None
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


_WRITER_LOCKS: weakref.WeakKeyDictionary[Engine, WriterLock] = weakref.WeakKeyDictionary()


def check_writable(engine: Engine) -> None:
    """Raise the one-line StoreError a write would raise when the store's lock file cannot be made
    (read-only media), before a caller spends minutes coding what it could not store."""
    lock = _WRITER_LOCKS.get(engine)
    if lock is not None:
        with lock.held():
            pass


def dispose(engine: Engine) -> None:
    """Close the engine's connections and its writer lock file."""
    lock = _WRITER_LOCKS.pop(engine, None)
    if lock is not None:
        lock.close()
    engine.dispose()


def _read_only_message(database: str, why: str) -> str:
    return (f"cannot write to {database} ({why}): it is on read-only media or in a directory you cannot write; "
            "reading it works, to write copy it somewhere writable or choose another --db")


def _write_error(engine: Engine, exc: OperationalError) -> StoreError:
    """One line for a write that failed, naming the database and what to do about it."""
    where = engine.url.database if engine.dialect.name == "sqlite" else engine.url.render_as_string(hide_password=True)
    message = str(exc.orig)
    lowered = message.lower()
    if "full" in lowered or getattr(exc.orig, "sqlite_errorcode", None) == 13:
        folder = Path(str(where)).parent if engine.dialect.name == "sqlite" else "the database server"
        return StoreError(f"cannot write to {where}: the disk holding {folder} is full ({message}): free space "
                          "there, or move the database with --db", code=errors.E_DISK_FULL)
    if any(m in lowered for m in _READ_ONLY_ERRORS) or "read only" in lowered:
        return StoreError(_read_only_message(str(where), message), code=errors.E_DATABASE_READ_ONLY)
    return StoreError(f"cannot write to {where}: {message}: check that no other program holds it open for writing",
                      code=errors.E_DATABASE_WRITE)


def _is_locked(exc: DBAPIError) -> bool:
    message = str(exc.orig).lower()
    return "database is locked" in message or "database is busy" in message or "deadlock" in message


@contextlib.contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One write transaction holding the store's write lock. Not retried: see ``retry_writes``."""
    lock = _WRITER_LOCKS.get(engine)
    with lock.held() if lock else contextlib.nullcontext(), engine.connect() as conn:
        conn = conn.execution_options(flashpoint_write=True)
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_WRITE_LOCK})
            yield conn


def retry_writes(engine: Engine, work: Any, *args: Any) -> Any:
    """Run ``work(conn, *args)`` in a write transaction, retrying with back-off while the file is locked."""
    delay = 0.05
    for attempt in range(WRITE_RETRIES):
        try:
            with write_transaction(engine) as conn:
                return work(conn, *args)
        except OperationalError as exc:
            if not _is_locked(exc) or attempt == WRITE_RETRIES - 1:
                raise _write_error(engine, exc) from None
            log.info("database busy, retrying in %.2f s", delay)
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 2.0)
    raise AssertionError("unreachable")
