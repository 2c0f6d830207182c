"""The HTTP protocol ``flashpoint serve`` gives uvicorn: uvicorn's own, with TCP_NODELAY on every connection.

With ``--workers 2`` or more, uvicorn binds the listening socket itself (``socket.socket(family)``,
protocol number 0), and asyncio only turns Nagle's algorithm off on sockets whose protocol number
says TCP. Every response on a kept-alive connection then waited for the client's delayed ACK:
about 40 ms a request, so one client got 18 requests/s from two workers and 130 from one.
Setting the option per connection makes both modes answer alike.
"""

from __future__ import annotations

import asyncio
import socket

try:  # the protocol uvicorn's "auto" would pick
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _UvicornHttp
except ImportError:
    from uvicorn.protocols.http.h11_impl import H11Protocol as _UvicornHttp  # type: ignore[assignment]


class NoDelayHttp(_UvicornHttp):
    """uvicorn's HTTP/1.1 protocol; each connection's socket sends small responses at once."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        set_nodelay(transport)
        super().connection_made(transport)


def set_nodelay(transport: asyncio.BaseTransport) -> None:
    """TCP_NODELAY on a transport's TCP socket (other sockets, and failures, are left alone)."""
    sock = transport.get_extra_info("socket")
    if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:
        pass
