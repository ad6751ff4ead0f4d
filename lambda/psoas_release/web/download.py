"""Downloads a certificate bundle within one deadline, from the TLS handshake to the last byte.

Socket timeouts alone do not bound a download: each read gets the full timeout again, so a
server that sends its headers or body a byte at a time keeps a fetch (and its fetch slot) for
as long as it likes. Here a timer shuts the connection down at the deadline, whatever phase
the download is in. Connecting gets the whole timeout per address tried; name resolution is
left to the system resolver's own timeouts.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from types import TracebackType
from urllib.parse import urlsplit

__all__ = ["FETCH_TIMEOUT_S", "MAX_CERT_BYTES", "HTTPStatusError", "fetch_certificate",
           "is_transient"]

MAX_CERT_BYTES = 64 * 1024
# Alexa waits 8 s for an answer; a cold certificate fetch may use at most this much of it.
FETCH_TIMEOUT_S = 5.0


class HTTPStatusError(Exception):
    """The server answered with a status other than 200; redirects are never followed, so the
    bytes trusted come from the URL that passed Amazon's URL rules."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP status {status}")
        self.status = status


def is_transient(error: BaseException) -> bool:
    """Whether a fetch error may be gone in a moment: network trouble, a timeout or an S3 5xx.

    Another status (a 4xx, a redirect) means the URL is wrong; an oversized or non-https
    download raises ValueError; neither gets better by asking again soon.
    """
    if isinstance(error, HTTPStatusError):
        return error.status >= 500
    return isinstance(error, OSError | http.client.HTTPException)


def fetch_certificate(
    url: str, *, timeout: float = FETCH_TIMEOUT_S, max_bytes: int = MAX_CERT_BYTES
) -> bytes:
    """GETs `url` over HTTPS (the system's trust store) and returns the body, or raises:
    TimeoutError past `timeout` seconds in all, ValueError past `max_bytes`, HTTPStatusError
    for a status other than 200, another OSError for network trouble."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError("only https URLs are fetched")
    deadline = time.monotonic() + timeout
    host, port = parts.hostname, parts.port or 443
    with socket.create_connection((host, port), timeout=timeout) as raw, _Cutoff(
        raw, deadline - time.monotonic()
    ) as cutoff:
        try:
            body = _get(raw, host, port, parts.path or "/", max_bytes)
        except (OSError, http.client.HTTPException) as error:
            if cutoff.fired:
                raise _timed_out(timeout) from error
            raise
        if cutoff.fired:  # a connection cut mid-response can also read as a clean, early end
            raise _timed_out(timeout)
    if len(body) > max_bytes:
        raise ValueError(f"certificate bundle larger than {max_bytes} bytes")
    return body


def _get(raw: socket.socket, host: str, port: int, path: str, max_bytes: int) -> bytes:
    """One GET on the connected socket; reads at most one byte past `max_bytes`."""
    with ssl.create_default_context().wrap_socket(raw, server_hostname=host) as tls:
        connection = http.client.HTTPSConnection(host, port)
        connection.sock = tls  # already connected, so the deadline covers the handshake
        try:
            connection.request("GET", path)
            with connection.getresponse() as response:
                if response.status != 200:
                    raise HTTPStatusError(response.status)
                return response.read(max_bytes + 1)
        finally:
            connection.close()


def _timed_out(timeout: float) -> TimeoutError:
    return TimeoutError(f"certificate download took longer than {timeout} s")


class _Cutoff:
    """Shuts a connection down when the deadline passes, which ends any read blocked on it.

    It keeps its own duplicate of the socket: wrapping the socket in TLS detaches the
    original, and shutting down the duplicate shuts down the one connection they share.
    """

    def __init__(self, sock: socket.socket, seconds: float) -> None:
        self._sock = sock.dup()
        self._timer = threading.Timer(max(0.0, seconds), self._fire)
        self._lock = threading.Lock()
        self._closed = False
        self.fired = False

    def __enter__(self) -> _Cutoff:
        self._timer.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._timer.cancel()
        with self._lock:
            self._closed = True
            self._sock.close()

    def _fire(self) -> None:
        with self._lock:
            if self._closed:
                return
            self.fired = True
            with contextlib.suppress(OSError):  # the connection is already gone
                self._sock.shutdown(socket.SHUT_RDWR)
