"""Checks that a request to a self-hosted endpoint really comes from Alexa.

Lambda endpoints are verified by AWS; a web endpoint must do it itself or Amazon rejects the
skill at certification. The SDK's own verifier (ask-sdk-webservice-support) depends on
oscrypto, which cannot load OpenSSL >= 3.0.10, so this module does the same checks on
`cryptography` alone, in the order Amazon documents them: the certificate URL, the
certificate chain, the body signature, the timestamp, the application id.
"""

from __future__ import annotations

import base64
import binascii
import http.client
import json
import logging
import re
import threading
import time
import urllib.error
import urllib.request
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509 import verification as x509_verification

__all__ = [
    "CERT_URL_HEADER",
    "SIGNATURE_HEADER",
    "Clock",
    "Fetch",
    "RequestVerifier",
    "VerificationError",
    "canonical_cert_url",
    "load_amazon_roots",
    "urllib_fetch",
]

log = logging.getLogger(__name__)

CERT_URL_HEADER = "SignatureCertChainUrl"
SIGNATURE_HEADER = "Signature-256"
ECHO_API_DOMAIN = "echo-api.amazon.com"
CERT_HOST = "s3.amazonaws.com"
# What the path must be once dot segments are removed: one file name straight under echo.api,
# no longer than Amazon could need (theirs are about 20 characters), since it becomes a fetch
# and a cache key.
_CERT_PATH = re.compile(r"/echo\.api/[A-Za-z0-9._-]{1,100}")
# Refused before parsing, so a header of many kilobytes costs no work on dot segments.
MAX_CERT_URL_CHARS = 256

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

MAX_CERT_BYTES = 64 * 1024
# Alexa waits 8 s for an answer; a cold certificate fetch may use at most this much of it.
FETCH_TIMEOUT_S = 5.0
MAX_CONCURRENT_FETCHES = 4
# How long a failure is remembered: a definite one (the bytes or the URL are wrong) for the
# long TTL, a transient one (timeout, network error, HTTP 5xx) only for a moment, so one S3
# hiccup does not refuse every Alexa request for half a minute.
FAILURE_TTL = timedelta(seconds=30)
TRANSIENT_FAILURE_TTL = timedelta(seconds=2)
_SHARED_FETCH_GRACE_S = 0.5

Clock = Callable[[], datetime]
Fetch = Callable[[str], bytes]


class VerificationError(Exception):
    """A request failed one of Amazon's checks; the endpoint must answer HTTP 400.

    `reason` is short and meant for the server log, not for the client.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _utc_now() -> datetime:
    return datetime.now(UTC)


def load_amazon_roots() -> list[x509.Certificate]:
    """The trust anchors shipped in the package, so nothing is downloaded to trust Amazon."""
    pem = resources.files(__package__ or "psoas_release.web").joinpath("amazon_roots.pem")
    return x509.load_pem_x509_certificates(pem.read_bytes())


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


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, so `/echo.api/../x` is judged by where it really points."""
    output: list[str] = []
    rest = path
    while rest:
        if rest.startswith("../"):
            rest = rest[3:]
        elif rest.startswith(("./", "/./")):
            rest = rest[2:]
        elif rest == "/.":
            rest = "/"
        elif rest.startswith("/../"):
            rest = rest[3:]
            if output:
                output.pop()
        elif rest == "/..":
            rest = "/"
            if output:
                output.pop()
        elif rest in (".", ".."):
            rest = ""
        else:
            start = 1 if rest.startswith("/") else 0
            end = rest.find("/", start)
            if end == -1:
                end = len(rest)
            output.append(rest[:end])
            rest = rest[end:]
    return "".join(output)


def canonical_cert_url(url: str) -> str:
    """Applies Amazon's rules for `SignatureCertChainUrl` and returns the URL to fetch.

    Amazon's rules: scheme https, host s3.amazonaws.com (any case), port 443 if given, and a
    path that starts with `/echo.api/` (exact case) once dot segments are removed. The
    returned URL is the normalised one, so what is fetched is exactly what was checked.

    Stricter than Amazon's wording, because the result is also the cache key and this runs
    before the signature check: a URL over 256 characters, a query, a fragment or any
    percent-escape is refused, and the path must come down to one file name (letters, digits,
    `.`, `_`, `-`; at most 100) under `/echo.api/`.
    Otherwise S3, which ignores queries and decodes escapes, would serve the real certificate
    under endlessly many keys, and unsigned requests could each cost a fetch and push the
    real certificate out of the cache. Amazon's own URLs have none of these.
    """
    text = url.strip()
    if len(text) > MAX_CERT_URL_CHARS:
        raise VerificationError("certificate URL too long")
    if "?" in text or "#" in text:
        raise VerificationError("certificate URL has a query or fragment")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise VerificationError("certificate URL unparseable") from exc
    if parts.scheme.lower() != "https":
        raise VerificationError("certificate URL not https")
    if parts.username is not None or parts.password is not None:
        raise VerificationError("certificate URL has user info")
    if (parts.hostname or "").lower() != CERT_HOST:
        raise VerificationError("certificate URL host not allowed")
    if port is not None and port != 443:
        raise VerificationError("certificate URL port not allowed")
    if "%" in parts.path:
        raise VerificationError("certificate URL path has percent-escapes")
    path = _remove_dot_segments(parts.path)
    if not _CERT_PATH.fullmatch(path):
        raise VerificationError("certificate URL path not allowed")
    return f"https://{CERT_HOST}{path}"


@dataclass(frozen=True)
class _TrustedLeaf:
    public_key: rsa.RSAPublicKey
    expires: datetime


@dataclass(frozen=True)
class _Failure:
    reason: str
    until: datetime


class _FetchBusy(VerificationError):
    """Every fetch slot is taken: the URL is not to blame, so this failure is not remembered."""


class _TransientFailure(VerificationError):
    """The fetch timed out or the network or S3 failed: remembered only for a moment."""


def _is_transient(error: BaseException) -> bool:
    """Whether a fetch error may be gone in a moment: network trouble or an S3 5xx.

    HTTP 4xx (and a refused redirect) mean the URL is wrong; an oversized or non-https
    download raises ValueError; neither gets better by asking again soon.
    """
    if isinstance(error, urllib.error.HTTPError):
        return error.code >= 500
    return isinstance(error, OSError | http.client.HTTPException)


class RequestVerifier:
    """Runs Amazon's checks on one request: `verify(headers, body)` returns or raises.

    Validated signing certificates are cached by URL until the earliest notAfter in their
    chain. Failures are cached so a bad URL cannot trigger a fetch per request: definite ones
    (invalid chain, unparseable bundle, wrong SAN, HTTP 4xx, oversize) for `failure_ttl`,
    transient ones (timeout, network error, HTTP 5xx) only for `transient_failure_ttl`, so a
    passing S3 hiccup is retried soon. Both caches are LRU-bounded, and separate, so a flood
    of bad URLs never evicts a good certificate. Concurrent requests naming the same uncached
    URL share one fetch. A fetch gets `fetch_timeout` seconds, whatever `fetch` does, and at
    most `max_concurrent_fetches` run at once, so stalled downloads cannot pile up threads.

    `skill_id` is required: requests carrying another application id are refused. Only
    `allow_any_skill=True` lifts that, for trying things out; never in production, where it
    lets any skill's requests through. `fetch`, `clock` and `roots` are injectable so tests
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
        cache_size: int = 64,
        failure_ttl: timedelta = FAILURE_TTL,
        transient_failure_ttl: timedelta = TRANSIENT_FAILURE_TTL,
        max_cert_bytes: int = MAX_CERT_BYTES,
        fetch_timeout: float = FETCH_TIMEOUT_S,
        max_concurrent_fetches: int = MAX_CONCURRENT_FETCHES,
    ) -> None:
        if not skill_id and not allow_any_skill:
            raise ValueError(
                "a skill id is required to check the application id; "
                "pass allow_any_skill=True only to try things out"
            )
        if failure_ttl < timedelta(0) or transient_failure_ttl < timedelta(0):
            raise ValueError("failure TTLs must not be negative")
        trusted = list(roots) if roots is not None else load_amazon_roots()
        if not trusted:
            raise ValueError("at least one trusted root is required")
        if cache_size < 1:
            raise ValueError("cache_size must be at least 1")
        if max_concurrent_fetches < 1:
            raise ValueError("max_concurrent_fetches must be at least 1")
        self.skill_id = skill_id or None
        self._store = x509_verification.Store(trusted)
        self._fetch: Fetch = fetch if fetch is not None else urllib_fetch
        self._clock = clock
        self._cache_size = cache_size
        self._failure_ttl = failure_ttl
        self._transient_failure_ttl = transient_failure_ttl
        self._max_cert_bytes = max_cert_bytes
        self._fetch_timeout = fetch_timeout
        self._fetch_slots = threading.BoundedSemaphore(max_concurrent_fetches)
        self._trusted: OrderedDict[str, _TrustedLeaf] = OrderedDict()
        self._failures: OrderedDict[str, _Failure] = OrderedDict()
        self._in_flight: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def cache_sizes(self) -> dict[str, int]:
        """How many entries each cache holds now, for diagnostics and resource tests."""
        with self._lock:
            return {
                "trusted": len(self._trusted),
                "failures": len(self._failures),
                "in_flight": len(self._in_flight),
            }

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
        url = canonical_cert_url(cert_url)
        public_key = self._signing_key(url, now)
        self._check_signature(public_key, signature_b64, body)
        envelope = _parse_envelope(body)
        _check_timestamp(envelope, now)
        self._check_application_id(envelope)

    def _now(self) -> datetime:
        now = self._clock()
        return now if now.tzinfo is not None else now.replace(tzinfo=UTC)

    def _signing_key(self, url: str, now: datetime) -> rsa.RSAPublicKey:
        with self._lock:
            public_key = self._remembered(url, now)
            if public_key is not None:
                return public_key
            pending = self._in_flight.get(url)
            if pending is None:
                self._in_flight[url] = threading.Event()
        if pending is not None:
            # Another request is fetching this URL: share its outcome instead of fetching again.
            # That fetch ends within the fetch timeout plus the chain check; the grace only
            # keeps this wait from giving up at the same instant as the fetch it waits for.
            if not pending.wait(self._fetch_timeout + _SHARED_FETCH_GRACE_S):
                raise VerificationError("certificate fetch timed out")
            with self._lock:
                public_key = self._remembered(url, now)
            if public_key is None:  # that fetch never got a slot, so left nothing to share
                raise VerificationError("certificate fetch busy")
            return public_key
        # Fetch outside the lock: a slow download must not stall requests served from cache.
        try:
            leaf = self._fetch_and_validate(url, now)
        except _FetchBusy:
            raise
        except VerificationError as exc:
            transient = isinstance(exc, _TransientFailure)
            ttl = self._transient_failure_ttl if transient else self._failure_ttl
            with self._lock:
                _put_bounded(self._failures, url, _Failure(exc.reason, now + ttl), self._cache_size)
            raise
        else:
            with self._lock:
                self._failures.pop(url, None)
                _put_bounded(self._trusted, url, leaf, self._cache_size)
        finally:
            with self._lock:
                self._in_flight.pop(url).set()
        return leaf.public_key

    def _remembered(self, url: str, now: datetime) -> rsa.RSAPublicKey | None:
        """The cached key for `url`, or the cached failure raised again; None if neither.

        Call with the lock held.
        """
        cached = self._trusted.get(url)
        if cached is not None:
            if now < cached.expires:
                self._trusted.move_to_end(url)
                return cached.public_key
            del self._trusted[url]
        failure = self._failures.get(url)
        if failure is not None:
            if now < failure.until:
                raise VerificationError(failure.reason)
            del self._failures[url]
        return None

    def _fetch_within_timeout(self, url: str) -> bytes:
        """Runs the fetch on its own thread and waits for it no longer than the fetch timeout.

        Socket timeouts alone do not bound a download: each address tried and each read gets
        the full timeout again. A fetch still running at the deadline keeps its slot until it
        ends, so stalled fetches can never outnumber the slots.
        """
        deadline = time.monotonic() + self._fetch_timeout
        if not self._fetch_slots.acquire(timeout=self._fetch_timeout):
            raise _FetchBusy("certificate fetch busy")
        outcome: list[bytes | Exception] = []
        finished = threading.Event()

        def run() -> None:
            try:
                outcome.append(self._fetch(url))
            except Exception as exc:  # handed to the waiting request below
                outcome.append(exc)
            finally:
                self._fetch_slots.release()
                finished.set()

        try:
            threading.Thread(target=run, name="certificate-fetch", daemon=True).start()
        except RuntimeError as exc:  # no thread to be had: the request fails, the slot returns
            self._fetch_slots.release()
            raise _FetchBusy("certificate fetch busy") from exc
        if not finished.wait(max(0.0, deadline - time.monotonic())):
            log.info("certificate fetch for %s exceeded %s s", url, self._fetch_timeout)
            raise _TransientFailure("certificate fetch timed out")
        result = outcome[0]
        if isinstance(result, Exception):
            transient = _is_transient(result)
            log.info(
                "certificate fetch failed (%s) for %s: %r",
                "transient" if transient else "definite",
                url,
                result,
            )
            failure = _TransientFailure if transient else VerificationError
            raise failure("certificate fetch failed") from result
        return result

    def _fetch_and_validate(self, url: str, now: datetime) -> _TrustedLeaf:
        # Any fetch problem is the request's problem: 400, not 500.
        pem = self._fetch_within_timeout(url)
        if len(pem) > self._max_cert_bytes:
            raise VerificationError("certificate bundle too large")
        try:
            certs = x509.load_pem_x509_certificates(pem)
        except ValueError as exc:
            raise VerificationError("certificate bundle unparseable") from exc
        leaf, intermediates = certs[0], certs[1:]

        verifier = (
            x509_verification.PolicyBuilder()
            .store(self._store)
            .time(now)
            .build_server_verifier(x509.DNSName(ECHO_API_DOMAIN))
        )
        try:
            chain = verifier.verify(leaf, intermediates)
        except x509_verification.VerificationError as exc:
            log.info("certificate chain rejected for %s: %s", url, exc)
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
        expires = min(cert.not_valid_after_utc for cert in chain)
        return _TrustedLeaf(public_key, expires)

    @staticmethod
    def _check_signature(public_key: rsa.RSAPublicKey, signature_b64: str, body: bytes) -> None:
        try:
            signature = base64.b64decode(signature_b64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise VerificationError("signature not base64") from exc
        try:
            public_key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature as exc:
            raise VerificationError("signature mismatch") from exc

    def _check_application_id(self, envelope: Mapping[str, Any]) -> None:
        if self.skill_id is None:
            return
        application_id = _application_id(envelope)
        if application_id != self.skill_id:
            raise VerificationError("application id mismatch")


def _put_bounded(cache: OrderedDict[str, Any], key: str, value: Any, size: int) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > size:
        cache.popitem(last=False)


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


def _parse_envelope(body: bytes) -> Mapping[str, Any]:
    try:
        envelope = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # deep nesting recurses
        raise VerificationError("body is not JSON") from exc
    if not isinstance(envelope, dict):
        raise VerificationError("body is not a JSON object")
    return envelope


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def _check_timestamp(envelope: Mapping[str, Any], now: datetime) -> None:
    """Replayed requests are refused: the signed timestamp must be close to now, both ways."""
    raw = _dig(envelope, "request", "timestamp")
    if not isinstance(raw, str):
        raise VerificationError("request timestamp missing")
    try:
        stamp = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise VerificationError("request timestamp unparseable") from exc
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    request_type = _dig(envelope, "request", "type")
    is_skill_event = isinstance(request_type, str) and request_type in SKILL_EVENTS
    tolerance = SKILL_EVENT_TOLERANCE if is_skill_event else TIMESTAMP_TOLERANCE
    if abs(now - stamp) > tolerance:
        raise VerificationError("request timestamp outside tolerance")


def _application_id(envelope: Mapping[str, Any]) -> str | None:
    for path in (
        ("context", "System", "application", "applicationId"),
        ("session", "application", "applicationId"),
    ):
        value = _dig(envelope, *path)
        if isinstance(value, str):
            return value
    return None
