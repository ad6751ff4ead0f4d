"""Serves the web app with waitress, a production WSGI server in pure Python.

Flask's development server reads a request on a thread of its own, with no read timeout and no
limit on threads, and names itself and Python on every answer. Waitress reads requests on one
event loop and hands only complete ones to a fixed pool of threads; a connection that stops
sending mid-request is closed after `read_timeout` seconds without a byte, and never holds a
thread. No Server header is sent.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from psoas_release.web.endpoint import MAX_BODY_BYTES

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["serve"]

log = logging.getLogger(__name__)


def serve(app: Flask, *, host: str, port: int, threads: int, read_timeout: int) -> None:
    """Serves `app` on host:port until interrupted; port 0 takes a free one, which is logged.

    Bodies of the endpoint's cap or more are refused by waitress itself (413), so it never
    buffers more than the app would read.
    """
    from waitress.server import create_server

    server = create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        channel_timeout=read_timeout,
        cleanup_interval=1,  # look for silent connections every second, not every 30
        max_request_body_size=MAX_BODY_BYTES,
        ident=None,  # no Server header, and no server name in waitress's own error pages
    )
    server.print_listen("Serving on http://{}:{}")
    try:
        server.run()
    except KeyboardInterrupt:
        log.info("Stopped.")
    finally:
        server.close()
