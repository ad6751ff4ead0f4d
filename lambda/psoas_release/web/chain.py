"""Whether a downloaded certificate bundle is Amazon's signing certificate, and its key.

Amazon's rules: the chain is valid now and leads to a trusted root (Amazon's, shipped in the
package, so nothing is downloaded to trust Amazon); the leaf names echo-api.amazon.com.
Amazon's own verifier also requires the leaf's key usage to include digitalSignature.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509 import verification as x509_verification

from psoas_release.web.errors import VerificationError

__all__ = [
    "ECHO_API_DOMAIN",
    "SigningCertificate",
    "load_amazon_roots",
    "signing_certificate",
    "trust_store",
]

ECHO_API_DOMAIN = "echo-api.amazon.com"


@dataclass(frozen=True)
class SigningCertificate:
    """What a validated bundle yields: the key that signs requests, and when to stop trusting it."""

    public_key: rsa.RSAPublicKey
    expires: datetime


def load_amazon_roots() -> list[x509.Certificate]:
    """The trust anchors shipped in the package, so nothing is downloaded to trust Amazon."""
    pem = resources.files(__package__ or "psoas_release.web").joinpath("amazon_roots.pem")
    return x509.load_pem_x509_certificates(pem.read_bytes())


def signing_certificate(
    pem: bytes, roots: x509_verification.Store, now: datetime
) -> SigningCertificate:
    """Validates a PEM bundle (leaf first, then intermediates) as Amazon's, or raises."""
    try:
        certs = x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise VerificationError("certificate bundle unparseable") from exc
    leaf, intermediates = certs[0], certs[1:]

    verifier = (
        x509_verification.PolicyBuilder()
        .store(roots)
        .time(now)
        .build_server_verifier(x509.DNSName(ECHO_API_DOMAIN))
    )
    try:
        chain = verifier.verify(leaf, intermediates)
    except x509_verification.VerificationError as exc:
        raise VerificationError("certificate chain invalid") from exc

    # The policy above also accepts wildcards; Amazon asks for the literal name.
    if ECHO_API_DOMAIN not in _dns_names(leaf):
        raise VerificationError("certificate SAN lacks echo-api.amazon.com")
    # The policy does not ask what the key is for; Amazon's verifier requires signing.
    if not _signs_digitally(leaf):
        raise VerificationError("certificate key usage lacks digitalSignature")
    public_key = leaf.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise VerificationError("certificate key is not RSA")
    return SigningCertificate(public_key, min(cert.not_valid_after_utc for cert in chain))


def trust_store(roots: Sequence[x509.Certificate]) -> x509_verification.Store:
    """The store `signing_certificate` validates against; at least one root is required."""
    if not roots:
        raise ValueError("at least one trusted root is required")
    return x509_verification.Store(list(roots))


def _dns_names(cert: x509.Certificate) -> set[str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return set()
    return {name.lower() for name in san.value.get_values_for_type(x509.DNSName)}


def _signs_digitally(cert: x509.Certificate) -> bool:
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    except x509.ExtensionNotFound:
        return False
    return usage.value.digital_signature
