"""A private PKI shaped like Amazon's, a fixed clock and a fake fetch, so no test goes online.

The root, intermediate and leaves are generated once per session with `cryptography`; every
certificate follows the web-PKI profile that `cryptography`'s verifier enforces.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = datetime(2030, 6, 1, 12, 0, 0, tzinfo=UTC)
SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem"
DAY = timedelta(days=1)


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


@dataclass(frozen=True)
class Authority:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey


def _ca(common_name: str, key: rsa.RSAPrivateKey, issuer: Authority | None = None) -> Authority:
    signer_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(issuer.cert.subject if issuer else _name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - 365 * DAY)
        .not_valid_after(NOW + 3650 * DAY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key()), False
        )
    )
    return Authority(builder.sign(signer_key, hashes.SHA256()), key)


def _key_usage(*, digital_signature: bool) -> x509.KeyUsage:
    """What Amazon's signing certificate carries: digitalSignature and keyEncipherment."""
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=True,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


SIGNING_KEY_USAGE = _key_usage(digital_signature=True)


def _leaf(
    issuer: Authority,
    key: rsa.RSAPrivateKey,
    *,
    dns_names: tuple[str, ...] = ("echo-api.amazon.com",),
    not_before: datetime = NOW - 30 * DAY,
    not_after: datetime = NOW + 30 * DAY,
    key_usage: x509.KeyUsage | None = SIGNING_KEY_USAGE,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(dns_names[0]))
        .issuer_name(issuer.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(name) for name in dns_names]), False
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), False
        )
    )
    if key_usage is not None:
        builder = builder.add_extension(key_usage, critical=True)
    return builder.sign(issuer.key, hashes.SHA256())


def _pem(*certs: x509.Certificate) -> bytes:
    return b"".join(cert.public_bytes(serialization.Encoding.PEM) for cert in certs)


@dataclass(frozen=True)
class Pki:
    """Everything a test needs to play Amazon: trust anchors, bundles, and signing keys."""

    root: x509.Certificate
    leaf_key: rsa.RSAPrivateKey
    other_key: rsa.RSAPrivateKey
    leaf: x509.Certificate
    bundles: dict[str, bytes] = field(default_factory=dict)

    def sign(self, body: bytes, key: rsa.RSAPrivateKey | None = None) -> str:
        signature = (key or self.leaf_key).sign(body, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode("ascii")

    def headers(
        self, body: bytes, url: str = CERT_URL, key: rsa.RSAPrivateKey | None = None
    ) -> dict[str, str]:
        return {"SignatureCertChainUrl": url, "Signature-256": self.sign(body, key)}


def build_pki() -> Pki:
    """Generates a root, an intermediate and leaves of every kind the tests need."""
    root = _ca("Test Root CA", _key())
    intermediate = _ca("Test Intermediate CA", _key(), issuer=root)
    stranger_root = _ca("Stranger Root CA", _key())
    stranger_intermediate = _ca("Stranger Intermediate CA", _key(), issuer=stranger_root)
    leaf_key, other_key = _key(), _key()

    leaf = _leaf(intermediate, leaf_key)
    bundles = {
        "good": _pem(leaf, intermediate.cert),
        "expired": _pem(
            _leaf(intermediate, leaf_key, not_before=NOW - 60 * DAY, not_after=NOW - DAY),
            intermediate.cert,
        ),
        "not_yet_valid": _pem(
            _leaf(intermediate, leaf_key, not_before=NOW + DAY, not_after=NOW + 60 * DAY),
            intermediate.cert,
        ),
        "renewed": _pem(
            _leaf(intermediate, leaf_key, not_before=NOW, not_after=NOW + 365 * DAY),
            intermediate.cert,
        ),
        "wrong_san": _pem(
            _leaf(intermediate, leaf_key, dns_names=("example.com",)), intermediate.cert
        ),
        "wildcard_san": _pem(
            _leaf(intermediate, leaf_key, dns_names=("*.amazon.com",)), intermediate.cert
        ),
        "no_key_usage": _pem(_leaf(intermediate, leaf_key, key_usage=None), intermediate.cert),
        "no_digital_signature": _pem(
            _leaf(intermediate, leaf_key, key_usage=_key_usage(digital_signature=False)),
            intermediate.cert,
        ),
        "leaf_only": _pem(leaf),
        "untrusted": _pem(_leaf(stranger_intermediate, leaf_key), stranger_intermediate.cert),
        "malformed": b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n"
        b"-----END CERTIFICATE-----\n",
        "empty": b"",
    }
    return Pki(root.cert, leaf_key, other_key, leaf, bundles)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class FakeFetch:
    """Serves certificate bundles by URL, records every call, and fails on request."""

    def __init__(self, responses: dict[str, bytes | Exception] | None = None) -> None:
        self.responses: dict[str, bytes | Exception] = dict(responses or {})
        self.default: bytes | Exception = ConnectionError("no such URL")
        self.calls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.calls.append(url)
        result = self.responses.get(url, self.default)
        if isinstance(result, Exception):
            raise result
        return result
