"""The key that signs requests, by certificate URL: fetched once, validated, cached, and never
fetched in a storm, even when unsigned requests name a fresh URL each.

Failures are cached too, so a bad URL cannot cost a fetch per request: definite ones (invalid
chain, unparseable bundle, wrong SAN, HTTP 4xx, oversize) for `failure_ttl`, transient ones
(timeout, network error, HTTP 5xx) only for `transient_failure_ttl`, so a passing S3 hiccup is
retried soon. Both caches are LRU-bounded, and separate, so a flood of bad URLs never evicts a
good certificate.

Each uncached URL gets one fetch, on its own thread, shared by every request naming it. At
most `max_concurrent_fetches` run at once; at most `max_pending_fetches` URLs are fetching or
waiting for a fetch slot, and a request naming yet another is refused at once ("busy", not
remembered, since the URL is not to blame). A request waits up to `slot_wait` for its fetch to
start, then up to `fetch_timeout` for it to end, counted from when it started or from when the
request came, whichever is later: waiting behind other URLs never uses up a fetch's own time.
A fetch that ends after its requests gave up still stores its result, so the next request for
that URL is answered from the cache.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from psoas_release.web.chain import SigningCertificate, signing_certificate, trust_store
from psoas_release.web.download import FETCH_TIMEOUT_S, MAX_CERT_BYTES, is_transient
from psoas_release.web.errors import VerificationError

__all__ = ["Clock", "Fetch", "FetchLimits", "SigningKeys"]

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Fetch = Callable[[str], bytes]


@dataclass(frozen=True)
class FetchLimits:
    """How much certificate fetching a flood of requests can cause, and how long it may take.

    The defaults keep a cold fetch (up to 2 s waiting for a slot, then up to 5 s fetching)
    inside the 8 s Alexa waits for an answer.
    """

    cache_size: int = 64
    failure_ttl: timedelta = timedelta(seconds=30)
    transient_failure_ttl: timedelta = timedelta(seconds=2)
    max_cert_bytes: int = MAX_CERT_BYTES
    fetch_timeout: float = FETCH_TIMEOUT_S
    max_concurrent_fetches: int = 4
    max_pending_fetches: int = 16
    slot_wait: float = 2.0

    def __post_init__(self) -> None:
        if self.failure_ttl < timedelta(0) or self.transient_failure_ttl < timedelta(0):
            raise ValueError("failure TTLs must not be negative")
        if self.cache_size < 1:
            raise ValueError("cache_size must be at least 1")
        if self.max_concurrent_fetches < 1:
            raise ValueError("max_concurrent_fetches must be at least 1")
        if self.max_pending_fetches < self.max_concurrent_fetches:
            raise ValueError("max_pending_fetches must be at least max_concurrent_fetches")


class _Busy(VerificationError):
    """No fetch slot for this URL in time: not the URL's fault, so not remembered."""

    def __init__(self) -> None:
        super().__init__("certificate fetch busy")


class _TransientFailure(VerificationError):
    """The fetch timed out or the network or S3 failed: remembered only for a moment."""


Outcome = SigningCertificate | VerificationError


@dataclass(frozen=True)
class _Failure:
    reason: str
    until: datetime


class _Pending:
    """One fetch of one URL, shared by every request that names it while it is under way."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.started_at = 0.0
        self.done = threading.Event()
        self.outcome: Outcome = _Busy()  # replaced by `settle` before `done` is set

    def start(self) -> None:
        self.started_at = time.monotonic()
        self.started.set()

    def settle(self, outcome: Outcome) -> None:
        self.outcome = outcome
        self.started.set()
        self.done.set()


class SigningKeys:
    """`key_for(url, now)`: the public key of the valid certificate at `url`, or a refusal.

    Safe to share between threads.
    """

    def __init__(
        self, *, roots: Sequence[x509.Certificate], fetch: Fetch, clock: Clock, limits: FetchLimits
    ) -> None:
        self._store = trust_store(roots)
        self._fetch = fetch
        self._clock = clock
        self._limits = limits
        self._slots = threading.BoundedSemaphore(limits.max_concurrent_fetches)
        self._trusted: OrderedDict[str, SigningCertificate] = OrderedDict()
        self._failures: OrderedDict[str, _Failure] = OrderedDict()
        self._in_flight: dict[str, _Pending] = {}
        self._lock = threading.Lock()

    def cache_sizes(self) -> dict[str, int]:
        """How many entries each cache holds now, for diagnostics and resource tests."""
        with self._lock:
            return {
                "trusted": len(self._trusted),
                "failures": len(self._failures),
                "in_flight": len(self._in_flight),
            }

    def key_for(self, url: str, now: datetime) -> rsa.RSAPublicKey:
        """The key of the certificate at `url` (a canonical URL), or `VerificationError`."""
        arrived = time.monotonic()
        with self._lock:
            public_key = self._remembered(url, now)
            if public_key is not None:
                return public_key
            pending = self._in_flight.get(url)
            first = pending is None
            if pending is None:
                if len(self._in_flight) >= self._limits.max_pending_fetches:
                    raise _Busy()
                pending = self._in_flight[url] = _Pending()
        if first:
            self._start_fetch(url, pending)
        return self._await(url, pending, arrived)

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

    def _start_fetch(self, url: str, pending: _Pending) -> None:
        try:
            threading.Thread(
                target=self._fetch_in_background,
                args=(url, pending),
                name="certificate-fetch",
                daemon=True,
            ).start()
        except RuntimeError:  # no thread to be had: nobody fetches, nothing is remembered
            with self._lock:
                del self._in_flight[url]
            pending.settle(_Busy())

    def _await(self, url: str, pending: _Pending, arrived: float) -> rsa.RSAPublicKey:
        if not pending.started.wait(self._limits.slot_wait):
            raise _Busy()
        waited_from = max(arrived, pending.started_at)
        remaining = waited_from + self._limits.fetch_timeout - time.monotonic()
        if not pending.done.wait(max(0.0, remaining)):
            log.info("certificate fetch for %s still running after %s s; its result will be "
                     "kept", url, self._limits.fetch_timeout)
            raise VerificationError("certificate fetch timed out")
        outcome = pending.outcome
        if isinstance(outcome, SigningCertificate):
            return outcome.public_key
        raise VerificationError(outcome.reason)  # each request raises its own

    def _fetch_in_background(self, url: str, pending: _Pending) -> None:
        """Waits for a slot, fetches, validates, and stores the outcome for every request."""
        with self._slots:
            pending.start()
            try:
                outcome = self._fetch_and_validate(url)
            except Exception:  # a bug here must not leave the URL in flight forever
                log.exception("checking the certificate at %s failed unexpectedly", url)
                outcome = VerificationError("certificate check failed")
        now = self._clock()
        with self._lock:
            if isinstance(outcome, SigningCertificate):
                self._failures.pop(url, None)
                _put_bounded(self._trusted, url, outcome, self._limits.cache_size)
            else:
                ttl = (
                    self._limits.transient_failure_ttl
                    if isinstance(outcome, _TransientFailure)
                    else self._limits.failure_ttl
                )
                failure = _Failure(outcome.reason, now + ttl)
                _put_bounded(self._failures, url, failure, self._limits.cache_size)
            del self._in_flight[url]
        pending.settle(outcome)

    def _fetch_and_validate(self, url: str) -> Outcome:
        try:
            pem = self._fetch(url)
        except Exception as exc:  # whatever the download raised is this URL's failure
            transient = is_transient(exc)
            log.info("certificate fetch failed (%s) for %s: %r",
                     "transient" if transient else "definite", url, exc)
            return (_TransientFailure if transient else VerificationError)(
                "certificate fetch failed"
            )
        if len(pem) > self._limits.max_cert_bytes:
            return VerificationError("certificate bundle too large")
        try:
            return signing_certificate(pem, self._store, self._clock())
        except VerificationError as refusal:
            log.info("certificate from %s refused: %s (%r)", url, refusal.reason,
                     refusal.__cause__)
            return refusal


def _put_bounded(cache: OrderedDict[str, Any], key: str, value: Any, size: int) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > size:
        cache.popitem(last=False)
