"""The trust anchors shipped with the package are Amazon's roots and nothing else."""

from __future__ import annotations

from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.x509.verification import Store

from psoas_release.web.chain import load_amazon_roots

EXPECTED = {"Amazon Root CA 1", "Amazon Root CA 2", "Amazon Root CA 3", "Amazon Root CA 4"}


def common_name(cert: x509.Certificate) -> str:
    (attribute,) = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(attribute.value)


def test_the_shipped_roots_are_exactly_amazons_four():
    roots = load_amazon_roots()
    assert sorted(common_name(cert) for cert in roots) == sorted(EXPECTED)


def test_every_shipped_root_is_a_self_signed_ca():
    for cert in load_amazon_roots():
        assert cert.subject == cert.issuer
        cert.verify_directly_issued_by(cert)  # raises if the self-signature is wrong
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints)
        assert constraints.value.ca
        assert constraints.critical


def test_the_shipped_roots_form_a_trust_store():
    Store(load_amazon_roots())
