"""A one-connection HTTPS server on loopback, scripted by the test, trusted through
SSL_CERT_FILE: the certificate download meets a real TLS socket, and nothing goes online."""

from __future__ import annotations

import datetime
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from ipaddress import IPv4Address
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

__all__ = ["Respond", "TlsServer", "tls_server"]

Respond = Callable[[ssl.SSLSocket], None]


@dataclass
class TlsServer:
    """Where the server listens, and what it saw."""

    port: int
    finished: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None

    def url(self, path: str = "/echo.api/echo-api-cert.pem") -> str:
        return f"https://localhost:{self.port}{path}"


def _credentials(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a certificate for localhost signed by it, as PEM files in `folder`."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Loopback Test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(IPv4Address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


@contextmanager
def tls_server(
    respond: Respond, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TlsServer]:
    """Serves one HTTPS connection on localhost: reads the request head, then `respond` writes
    whatever it likes. The client trusts the server through SSL_CERT_FILE, for the block."""
    ca, cert, key = _credentials(folder)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10)  # a test whose client never connects still ends
    server = TlsServer(listener.getsockname()[1])

    def serve() -> None:
        try:
            connection, _ = listener.accept()
            with context.wrap_socket(connection, server_side=True) as tls:
                head = b""
                while b"\r\n\r\n" not in head and (chunk := tls.recv(4096)):
                    head += chunk
                respond(tls)
        except OSError as error:  # the client gave up: what some tests expect
            server.error = error
        finally:
            server.finished.set()

    thread = threading.Thread(target=serve, name="test-tls-server")
    thread.start()
    try:
        yield server
    finally:
        listener.close()
        thread.join(15)
