"""Raw HTTP over a loopback socket, for what the Flask test client cannot show: how a real
server parses what a client really sends (broken chunks, half-sent bodies, banners)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import make_server

__all__ = ["exchange", "status_of", "werkzeug_server"]


@contextmanager
def werkzeug_server(app: Any) -> Iterator[int]:
    """Serves `app` on Werkzeug's threaded server at a free loopback port, for the block."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.01}, name="test-werkzeug-server"
    )
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(10)


def exchange(port: int, raw: bytes, *, half_close: bool = False, timeout: float = 10) -> bytes:
    """Sends `raw` and returns everything the server answers until it closes.

    `half_close` ends the client's side right after sending, as a client that hangs up in the
    middle of its body does.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as client:
        client.sendall(raw)
        if half_close:
            client.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := client.recv(65536):
            answer += chunk
    return answer


def status_of(answer: bytes) -> int:
    """The status code of a raw HTTP answer."""
    return int(answer.split(b" ", 2)[1])
