"""Downloads a certificate bundle: bounded in time and size, following no redirects."""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from typing import Any

__all__ = ["FETCH_TIMEOUT_S", "MAX_CERT_BYTES", "is_transient", "urllib_fetch"]

MAX_CERT_BYTES = 64 * 1024
# Alexa waits 8 s for an answer; a cold certificate fetch may use at most this much of it.
FETCH_TIMEOUT_S = 5.0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuses redirects so the bytes fetched come from the URL that passed the URL rules."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        raise urllib.error.HTTPError(newurl, code, "redirect refused", headers, fp)


def urllib_fetch(
    url: str, *, timeout: float = FETCH_TIMEOUT_S, max_bytes: int = MAX_CERT_BYTES
) -> bytes:
    """Downloads a certificate bundle with a timeout and a size cap, following no redirects.

    A slow or huge response must not tie up a worker or memory on the request path. The
    socket timeout bounds each wait; the body is read in pieces against one deadline, so a
    response that trickles in never keeps a fetch alive much past `timeout`.
    """
    if not url.startswith("https://"):
        raise ValueError("only https URLs are fetched")
    deadline = time.monotonic() + timeout
    opener = urllib.request.build_opener(_NoRedirect())
    chunks: list[bytes] = []
    size = 0
    with opener.open(url, timeout=timeout) as response:
        while chunk := response.read1(max_bytes + 1 - size):
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                raise ValueError(f"certificate bundle larger than {max_bytes} bytes")
            if time.monotonic() > deadline:
                raise TimeoutError(f"certificate download took longer than {timeout} s")
    return b"".join(chunks)


def is_transient(error: BaseException) -> bool:
    """Whether a fetch error may be gone in a moment: network trouble or an S3 5xx.

    HTTP 4xx (and a refused redirect) mean the URL is wrong; an oversized or non-https
    download raises ValueError; neither gets better by asking again soon.
    """
    if isinstance(error, urllib.error.HTTPError):
        return error.code >= 500
    return isinstance(error, OSError | http.client.HTTPException)
