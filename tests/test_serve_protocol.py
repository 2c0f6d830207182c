"""`flashpoint serve --workers N` answers a kept-alive connection without Nagle's delay.

uvicorn binds the shared socket of several workers with protocol number 0, so asyncio leaves
Nagle's algorithm on for every accepted connection (about 40 ms per response with a client's
delayed ACK). The protocol serve uses turns TCP_NODELAY on per connection: checked here on real
sockets made the way uvicorn makes them.
"""

from __future__ import annotations

import asyncio
import socket

from flashpoint.web.protocol import set_nodelay


def _nodelay(sock: socket.socket) -> int:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


async def _accepted_transport_nodelay(fix: bool) -> tuple[int, int]:
    listener = socket.socket(family=socket.AF_INET)  # as uvicorn binds for several workers: proto 0
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    client = socket.create_connection(listener.getsockname())
    conn, _ = listener.accept()
    loop = asyncio.get_running_loop()
    transport, _ = await loop.connect_accepted_socket(asyncio.Protocol, sock=conn)
    before = _nodelay(conn)
    if fix:
        set_nodelay(transport)
    after = _nodelay(conn)
    transport.close()
    client.close()
    listener.close()
    return before, after


def test_asyncio_leaves_nagle_on_for_sockets_bound_as_uvicorn_binds_them() -> None:
    before, after = asyncio.run(_accepted_transport_nodelay(fix=False))
    assert before == after == 0  # the cause: without the protocol's fix, responses wait for ACKs


def test_the_serve_protocol_turns_nagle_off_per_connection() -> None:
    before, after = asyncio.run(_accepted_transport_nodelay(fix=True))
    assert before == 0 and after != 0

