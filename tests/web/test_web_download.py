"""The certificate download against a real HTTPS server on loopback: one deadline from connect
to the last byte, a size cap, no redirects."""

from __future__ import annotations

import ssl
import time

import pytest

from psoas_release.web.download import HTTPStatusError, fetch_certificate, is_transient
from tests.web.tls_server import tls_server

HEAD_OK = b"HTTP/1.1 200 OK\r\nContent-Type: application/x-pem-file\r\n"


def answer(head: bytes, body: bytes = b"") -> bytes:
    return head + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body


def trickle(tls: ssl.SSLSocket, data: bytes, *, every_s: float = 0.02) -> None:
    """Sends one byte at a time, each well inside any socket timeout, until the client hangs
    up (then the send fails) or `data` runs out."""
    for byte in data:
        tls.sendall(bytes([byte]))
        time.sleep(every_s)


def test_a_bundle_is_downloaded(tmp_path, monkeypatch):
    with tls_server(lambda tls: tls.sendall(answer(HEAD_OK, b"pem bytes")), tmp_path,
                    monkeypatch) as server:
        assert fetch_certificate(server.url(), timeout=5) == b"pem bytes"


def test_headers_sent_slowly_are_cut_off_at_the_deadline(tmp_path, monkeypatch):
    # The status line, then a header that never ends: every read gets a byte within 20 ms,
    # so only a deadline over the whole download, headers included, stops it.
    endless_header = HEAD_OK + b"X-Slow: " + b"a" * 250

    with (
        tls_server(lambda tls: trickle(tls, endless_header), tmp_path, monkeypatch) as server,
        pytest.raises(TimeoutError),
    ):
        fetch_certificate(server.url(), timeout=0.3)
    assert isinstance(server.error, OSError), "the server was still sending when cut off"


def test_a_body_sent_slowly_is_cut_off_at_the_deadline(tmp_path, monkeypatch):
    def respond(tls: ssl.SSLSocket) -> None:
        tls.sendall(HEAD_OK + b"Content-Length: 250\r\n\r\n")
        trickle(tls, b"x" * 250)

    with tls_server(respond, tmp_path, monkeypatch) as server, pytest.raises(TimeoutError):
        fetch_certificate(server.url(), timeout=0.3)
    assert isinstance(server.error, OSError), "the server was still sending when cut off"


def test_more_than_the_size_cap_is_refused(tmp_path, monkeypatch):
    with tls_server(lambda tls: tls.sendall(answer(HEAD_OK, b"x" * 101)), tmp_path,
                    monkeypatch) as server, pytest.raises(ValueError, match="larger than 100"):
        fetch_certificate(server.url(), max_bytes=100)


@pytest.mark.parametrize(("status", "transient"), [(301, False), (403, False), (503, True)])
def test_a_status_other_than_200_is_an_error_and_no_redirect_is_followed(
    tmp_path, monkeypatch, status, transient
):
    head = f"HTTP/1.1 {status} Status\r\nLocation: https://elsewhere.example/x.pem\r\n".encode()
    with (
        tls_server(lambda tls: tls.sendall(answer(head)), tmp_path, monkeypatch) as server,
        pytest.raises(HTTPStatusError) as caught,
    ):
        fetch_certificate(server.url())
    assert caught.value.status == status
    assert is_transient(caught.value) is transient


def test_a_server_the_trust_store_does_not_know_is_refused(tmp_path, monkeypatch):
    with tls_server(lambda tls: tls.sendall(answer(HEAD_OK, b"pem")), tmp_path,
                    monkeypatch) as server:
        monkeypatch.delenv("SSL_CERT_FILE")
        with pytest.raises(ssl.SSLCertVerificationError):
            fetch_certificate(server.url())


def test_only_https_is_spoken():
    with pytest.raises(ValueError, match="https"):
        fetch_certificate("http://s3.amazonaws.com/echo.api/echo-api-cert.pem")
