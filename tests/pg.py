"""A real PostgreSQL 15 server for the tests, started once in a temporary directory.

initdb + pg_ctl from /usr/lib/postgresql/15/bin or PATH; the server listens only on a unix socket
in its own temp dir (on a free port number, which names the socket). As root, the server runs as
the ``postgres`` (or ``nobody``) user, because PostgreSQL refuses to run as root. Without the
binaries the tests are skipped on a developer's machine but FAIL in CI (CI=true), where .ci/run
installs them: a PostgreSQL test that silently never runs is worse than none.
"""

from __future__ import annotations

import atexit
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

PG_DIRS = ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin")
_server: Server | None = None
_counter = itertools.count(1)


def _binaries() -> tuple[str, str] | None:
    for d in PG_DIRS:
        initdb, pg_ctl = Path(d, "initdb"), Path(d, "pg_ctl")
        if initdb.exists() and pg_ctl.exists():
            return str(initdb), str(pg_ctl)
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    return (initdb, pg_ctl) if initdb and pg_ctl else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, initdb: str, pg_ctl: str) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="fp-pg-"))   # short: a unix socket path is limited to ~100 bytes
        self.data = self.root / "data"
        self.port = _free_port()
        self.pg_ctl = pg_ctl
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            user = "postgres" if _has_user("postgres") else "nobody"
            pw = pwd.getpwnam(user)
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
            self.prefix = ["runuser", "-u", user, "--"]
        self._run([initdb, "-D", str(self.data), "-A", "trust", "-U", "fp", "-E", "UTF8", "--no-sync"])
        self._run([pg_ctl, "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-t", "60", "start", "-o",
                   f"-k {self.root} -p {self.port} -c listen_addresses='' -c fsync=off"])

    def _run(self, cmd: list[str]) -> None:
        done = subprocess.run(self.prefix + cmd, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = (self.root / "log").read_text() if (self.root / "log").exists() else ""
            raise RuntimeError(f"{' '.join(cmd[:2])} failed: {done.stderr.strip()} {log[-2000:]}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://fp@/{database}?host={self.root}&port={self.port}"

    def new_database(self) -> str:
        """A fresh empty database; returns its URL."""
        import psycopg

        name = f"t{os.getpid()}_{next(_counter)}"
        with psycopg.connect(host=str(self.root), port=self.port, user="fp", dbname="postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(self.prefix + [self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def server() -> Server:
    """The test server (started on first use, stopped when the test process exits)."""
    global _server
    if _server is None:
        found = _binaries()
        if found is None:
            message = ("PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/15/bin or PATH: "
                       "install them (apt-get install postgresql-15; .ci/run does this)")
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(message, pytrace=False)
            pytest.skip(message)
        _server = Server(*found)
        atexit.register(_server.stop)
    return _server


def database_url() -> str:
    """A fresh database on the test server."""
    return server().new_database()
