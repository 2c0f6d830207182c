"""How ``flashpoint serve --workers N`` shares its port between worker processes: one listening
socket per worker, bound with SO_REUSEPORT, so the kernel spreads connections evenly.

uvicorn binds one socket and hands it to every worker. When many clients connect at once, the
worker that wakes first accepts every waiting connection in one go (asyncio and libuv both accept
in a loop), and kept-alive connections stay where they landed: 50 clients split 34 / 16 over two
workers in a measured run, so one worker queued twice the requests of the other while it idled
(issue 18). With a socket per worker, Linux hashes each new connection to one of the listening
sockets: 25 / 25 in the same test.

Where the platform has no SO_REUSEPORT load balancing (not Linux), serve falls back to uvicorn's
shared socket.
"""

from __future__ import annotations

import socket
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import uvicorn


def spreads_connections() -> bool:
    """Whether the kernel balances connections over sockets sharing a port (Linux's SO_REUSEPORT)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def check_port(host: str, port: int) -> None:
    """Raise OSError when ``host:port`` cannot be bound (another program has it, with or without
    SO_REUSEPORT): a plain bind, released at once."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def claim_port(host: str, port: int) -> socket.socket:
    """A socket that holds ``host:port`` for the workers: bound with SO_REUSEPORT but never listening,
    so it takes no connections itself. Raises OSError when another program has the port: the port
    is first bound plainly, which fails if any socket holds it (with or without SO_REUSEPORT), so a
    second server on the same port is refused instead of silently sharing its traffic."""
    check_port(host, port)
    held = socket.socket(_family(host), socket.SOCK_STREAM)
    held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        held.bind((host, port))
    except OSError:
        held.close()
        raise
    return held


def worker_socket(host: str, port: int) -> socket.socket:
    """This worker's own listening socket on the shared port."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


@dataclass
class OwnSocketWorker:
    """What each worker process runs: uvicorn's server on a socket of its own. Pickled into the
    worker (uvicorn's supervisor starts workers with ``spawn``), so it holds only the config."""

    config: uvicorn.Config

    def __call__(self, sockets: list[socket.socket] | None = None) -> None:
        import uvicorn

        uvicorn.Server(self.config).run(sockets=[worker_socket(self.config.host, self.config.port)])


def run_workers(config: uvicorn.Config, held: socket.socket) -> None:
    """Serve with ``config.workers`` processes, each listening on its own SO_REUSEPORT socket, under
    uvicorn's supervisor (it restarts a worker that dies and stops all on SIGINT/SIGTERM); ``held``
    (from ``claim_port``) keeps the port until they stop."""
    from uvicorn.supervisors import Multiprocess

    try:
        Multiprocess(config, target=OwnSocketWorker(config), sockets=[]).run()
    except KeyboardInterrupt:
        pass
    finally:
        held.close()
