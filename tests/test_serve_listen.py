"""`flashpoint serve --workers N` gives each worker its own listening socket on the shared port, so
the kernel spreads connections over the workers instead of the first one awake taking them all.

Real sockets on 127.0.0.1: what is tested is the kernel behaviour serve relies on, and serve's
refusal of a port that is taken.
"""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from flashpoint.web import listen

pytestmark = pytest.mark.skipif(not listen.spreads_connections(), reason="needs Linux's SO_REUSEPORT")


def _accept_all(listeners: list[socket.socket], expected: int) -> list[int]:
    """Connections each listener accepts until ``expected`` are in (or a second passes quietly)."""
    counts = [0] * len(listeners)
    accepted: list[socket.socket] = []
    while sum(counts) < expected:
        ready, _, _ = select.select(listeners, [], [], 1.0)
        if not ready:
            break
        for sock in ready:
            conn, _ = sock.accept()
            accepted.append(conn)
            counts[listeners.index(sock)] += 1
    for conn in accepted:
        conn.close()
    return counts


def test_connections_are_spread_over_the_workers_and_none_wait_on_the_held_port() -> None:
    held = listen.claim_port("127.0.0.1", 0)
    port = held.getsockname()[1]
    workers = [listen.worker_socket("127.0.0.1", port) for _ in range(2)]
    for sock in workers:
        sock.listen(512)
    clients = []
    try:
        for _ in range(200):
            clients.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        counts = _accept_all(workers, 200)
    finally:
        for sock in (*clients, *workers, held):
            sock.close()
    assert sum(counts) == 200, f"connections left unaccepted (held by the claim?): {counts}"
    assert min(counts) >= 50, f"connections not spread over the workers: {counts}"


def test_a_port_another_program_listens_on_is_refused() -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        with pytest.raises(OSError):
            listen.claim_port("127.0.0.1", other.getsockname()[1])


def test_a_second_server_cannot_join_the_port_of_a_running_one() -> None:
    held = listen.claim_port("127.0.0.1", 0)
    worker = listen.worker_socket("127.0.0.1", held.getsockname()[1])
    worker.listen()
    try:
        with pytest.raises(OSError):
            listen.claim_port("127.0.0.1", held.getsockname()[1])
    finally:
        worker.close()
        held.close()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_on_a_taken_port_says_so_in_one_line_before_claiming_to_serve(tmp_path: Path, workers: str) -> None:
    from flashpoint.corpus.store import open_store

    db = tmp_path / "empty.db"
    open_store(db).close()
    src = str(Path(__file__).parents[1] / "src")
    code = "import sys; from flashpoint.cli.main import main; main(sys.argv[1:])"
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        done = subprocess.run([sys.executable, "-c", code, "serve", "--db", str(db), "--port", str(port),
                               "--workers", workers], capture_output=True, text=True, timeout=120,
                              env={**os.environ, "PYTHONPATH": src, "FLASHPOINT_TOKEN": ""})
    assert done.returncode == 2, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert f"cannot listen on 127.0.0.1:{port}" in last and "--port" in last, done.stderr
    assert "serving" not in done.stderr, done.stderr
