"""Engines and write transactions for SQLite and PostgreSQL: the only place the two differ.

SQLite: WAL (readers never block the writer), a 30 s busy timeout, and write transactions opened
with ``BEGIN IMMEDIATE`` so that a writer takes the lock before reading what it will update (a
deferred transaction that reads, then writes, fails at once with "database is locked" when another
process wrote in between). PostgreSQL: a transaction-scoped advisory lock serialises writers, so two
ingest processes cannot both start an incident for one happening.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

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


def create(url_or_path: str | Path) -> Engine:
    """An engine for ``url_or_path``; raises StoreError with what to do when it cannot be made."""
    url = database_url(url_or_path)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"{url_or_path}: not a database path or URL ({exc}): give a file path or "
                         "postgresql://user@host/db", code="E501") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database)
    if parsed.get_backend_name() == "postgresql":
        try:
            return create_engine(url, pool_pre_ping=True)
        except ModuleNotFoundError:
            raise StoreError("PostgreSQL needs the psycopg driver: pip install 'psycopg[binary]'",
                             code="E502") from None
    raise StoreError(f"{url_or_path}: unsupported database {parsed.get_backend_name()!r}: "
                     "use a SQLite file path or a postgresql:// URL", code="E501")


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        parent = Path(database).parent
        if not parent.is_dir():
            raise StoreError(f"{database}: directory {parent} does not exist: create it or choose another --db",
                             code="E503")
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get("flashpoint_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    if database and database != ":memory:":
        _WRITER_LOCKS[engine] = WriterLock(Path(database + "-writer.lock"))
    return engine


class WriterLock:
    """An OS file lock that queues SQLite writers.

    SQLite's own busy handler polls with sleeps of up to 100 ms, so two busy writers hand the lock
    over slowly and unfairly; a blocking ``flock`` wakes the next writer as soon as the lock is
    free. SQLite's locks still guard the data; this only orders the writers. (A separate file,
    because closing any descriptor of the database file would drop SQLite's POSIX locks.)
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        try:
            import fcntl
        except ModuleNotFoundError:  # not POSIX: SQLite's busy timeout alone
            yield
            return
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
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


def dispose(engine: Engine) -> None:
    """Close the engine's connections and its writer lock file."""
    lock = _WRITER_LOCKS.pop(engine, None)
    if lock is not None:
        lock.close()
    engine.dispose()


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
                raise StoreError(f"cannot write to the database: {exc.orig}: check that no other program "
                                 "holds it open for writing", code="E504") from None
            log.info("database busy, retrying in %.2f s", delay)
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 2.0)
    raise AssertionError("unreachable")
