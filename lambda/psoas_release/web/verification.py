"""Checks that a request to a self-hosted endpoint really comes from Alexa.

Lambda endpoints are verified by AWS; a web endpoint must do it itself or Amazon rejects the
skill at certification. The SDK's own verifier (ask-sdk-webservice-support) depends on
oscrypto, which cannot load OpenSSL >= 3.0.10, so this package does the same checks on
`cryptography` alone, in the order Amazon documents them: the certificate URL (`cert_url`),
the certificate chain (`chain`, fetched and cached by `signing_keys`), the body signature, the
timestamp, the application id.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from psoas_release.alexa.skill_id import answers
from psoas_release.core.values import nested
from psoas_release.web.cert_url import canonical_cert_url
from psoas_release.web.chain import load_amazon_roots
from psoas_release.web.download import fetch_certificate
from psoas_release.web.errors import VerificationError
from psoas_release.web.signing_keys import Clock, Fetch, FetchLimits, SigningKeys

__all__ = ["CERT_URL_HEADER", "SIGNATURE_HEADER", "MissingSkillId", "RequestVerifier"]

log = logging.getLogger(__name__)

CERT_URL_HEADER = "SignatureCertChainUrl"
SIGNATURE_HEADER = "Signature-256"

TIMESTAMP_TOLERANCE = timedelta(seconds=150)
SKILL_EVENT_TOLERANCE = timedelta(seconds=3600)
# The skill events Alexa may deliver up to an hour late, by exact name: the list in Amazon's
# ask-sdk-webservice-support verifier, plus ProactiveSubscriptionChanged (a skill event of
# ask-sdk-model). A prefix match would give any made-up `AlexaSkillEvent.*` type the hour.
SKILL_EVENTS = frozenset(
    {
        "AlexaSkillEvent.SkillEnabled",
        "AlexaSkillEvent.SkillDisabled",
        "AlexaSkillEvent.SkillPermissionAccepted",
        "AlexaSkillEvent.SkillPermissionChanged",
        "AlexaSkillEvent.SkillAccountLinked",
        "AlexaSkillEvent.ProactiveSubscriptionChanged",
    }
)


class MissingSkillId(ValueError):
    """No skill id to check requests against, and any skill was not explicitly allowed."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class RequestVerifier:
    """Runs Amazon's checks on one request: `verify(headers, body)` returns or raises.

    Signing keys are fetched, validated and cached by URL within `limits`, as `SigningKeys`
    describes. `skill_id` is required: requests carrying another application id are refused.
    Only `allow_any_skill=True` lifts that, for trying things out; never in production, where
    it lets any skill's requests through. `fetch`, `clock` and `roots` are injectable so tests
    run offline with their own PKI and time. The verifier is safe to share between threads.
    """

    def __init__(
        self,
        *,
        skill_id: str | None = None,
        allow_any_skill: bool = False,
        roots: Sequence[x509.Certificate] | None = None,
        fetch: Fetch | None = None,
        clock: Clock = _utc_now,
        limits: FetchLimits | None = None,
    ) -> None:
        if not skill_id and not allow_any_skill:
            raise MissingSkillId(
                "a skill id is required to check the application id (set SKILL_ID); "
                "allowing any skill is for trying things out only"
            )
        if not skill_id:
            log.warning(
                "No skill id configured (allow_any_skill): the application id is not checked. "
                "For trying things out only."
            )
        self.skill_id = skill_id or None
        self._clock = clock
        self._keys = SigningKeys(
            roots=list(roots) if roots is not None else load_amazon_roots(),
            fetch=fetch if fetch is not None else fetch_certificate,
            clock=self._now,
            limits=limits if limits is not None else FetchLimits(),
        )

    def cache_sizes(self) -> dict[str, int]:
        """How many entries each cache holds now, for diagnostics and resource tests."""
        return self._keys.cache_sizes()

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        """Raises `VerificationError` unless the request passes every check, in Amazon's order.

        `headers` may be any mapping; names are matched case-insensitively. `body` must be
        the exact bytes received, since the signature covers them.
        """
        lowered = {name.lower(): value for name, value in headers.items()}
        cert_url = lowered.get(CERT_URL_HEADER.lower(), "").strip()
        signature_b64 = lowered.get(SIGNATURE_HEADER.lower(), "").strip()
        if not cert_url:
            raise VerificationError("missing SignatureCertChainUrl header")
        if not signature_b64:
            # The SHA-1 `Signature` header is deliberately never used as a fallback.
            raise VerificationError("missing Signature-256 header")

        now = self._now()
        public_key = self._keys.key_for(canonical_cert_url(cert_url), now)
        _check_signature(public_key, signature_b64, body)
        envelope = _parse_envelope(body)
        _check_timestamp(envelope, now)
        self._check_application_id(envelope)

    def _now(self) -> datetime:
        now = self._clock()
        return now if now.tzinfo is not None else now.replace(tzinfo=UTC)

    def _check_application_id(self, envelope: Mapping[str, Any]) -> None:
        if not answers(self.skill_id, envelope):
            raise VerificationError("application id mismatch")


def _check_signature(public_key: rsa.RSAPublicKey, signature_b64: str, body: bytes) -> None:
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise VerificationError("signature not base64") from exc
    try:
        public_key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise VerificationError("signature mismatch") from exc


def _parse_envelope(body: bytes) -> Mapping[str, Any]:
    try:
        envelope = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # deep nesting recurses
        raise VerificationError("body is not JSON") from exc
    if not isinstance(envelope, dict):
        raise VerificationError("body is not a JSON object")
    return envelope


def _check_timestamp(envelope: Mapping[str, Any], now: datetime) -> None:
    """Replayed requests are refused: the signed timestamp must be close to now, both ways."""
    raw = nested(envelope, "request", "timestamp")
    if not isinstance(raw, str):
        raise VerificationError("request timestamp missing")
    try:
        stamp = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise VerificationError("request timestamp unparseable") from exc
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    request_type = nested(envelope, "request", "type")
    is_skill_event = isinstance(request_type, str) and request_type in SKILL_EVENTS
    tolerance = SKILL_EVENT_TOLERANCE if is_skill_event else TIMESTAMP_TOLERANCE
    if abs(now - stamp) > tolerance:
        raise VerificationError("request timestamp outside tolerance")
