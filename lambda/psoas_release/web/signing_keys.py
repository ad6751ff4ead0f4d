"""The key that signs requests, by certificate URL: fetched once, validated, and cached.

Failures are cached too, so a bad URL cannot trigger a fetch per request: definite ones
(invalid chain, unparseable bundle, wrong SAN, HTTP 4xx, oversize) for `failure_ttl`,
transient ones (timeout, network error, HTTP 5xx) only for `transient_failure_ttl`, so a
passing S3 hiccup is retried soon. Both caches are LRU-bounded, and separate, so a flood of bad
URLs never evicts a good certificate. Concurrent requests naming the same uncached URL share
one fetch. A fetch gets `fetch_timeout` seconds, whatever `fetch` does, and at most
`max_concurrent_fetches` run at once, so stalled downloads cannot pile up threads.
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
from psoas_release.web.download import is_transient
from psoas_release.web.errors import VerificationError

__all__ = ["Clock", "Fetch", "SigningKeys"]

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Fetch = Callable[[str], bytes]

MAX_CONCURRENT_FETCHES = 4
# How long a failure is remembered: a definite one (the bytes or the URL are wrong) for the
# long TTL, a transient one (timeout, network error, HTTP 5xx) only for a moment, so one S3
# hiccup does not refuse every Alexa request for half a minute.
FAILURE_TTL = timedelta(seconds=30)
TRANSIENT_FAILURE_TTL = timedelta(seconds=2)
_SHARED_FETCH_GRACE_S = 0.5


@dataclass(frozen=True)
class _Failure:
    reason: str
    until: datetime


class _FetchBusy(VerificationError):
    """Every fetch slot is taken: the URL is not to blame, so this failure is not remembered."""


class _TransientFailure(VerificationError):
    """The fetch timed out or the network or S3 failed: remembered only for a moment."""


class SigningKeys:
    """`key_for(url, now)`: the public key of the valid certificate at `url`, or a refusal."""

    def __init__(
        self,
        *,
        roots: Sequence[x509.Certificate],
        fetch: Fetch,
        clock: Clock,
        cache_size: int,
        failure_ttl: timedelta,
        transient_failure_ttl: timedelta,
        max_cert_bytes: int,
        fetch_timeout: float,
        max_concurrent_fetches: int,
    ) -> None:
        if failure_ttl < timedelta(0) or transient_failure_ttl < timedelta(0):
            raise ValueError("failure TTLs must not be negative")
        if cache_size < 1:
            raise ValueError("cache_size must be at least 1")
        if max_concurrent_fetches < 1:
            raise ValueError("max_concurrent_fetches must be at least 1")
        self._store = trust_store(roots)
        self._fetch = fetch
        self._clock = clock
        self._cache_size = cache_size
        self._failure_ttl = failure_ttl
        self._transient_failure_ttl = transient_failure_ttl
        self._max_cert_bytes = max_cert_bytes
        self._fetch_timeout = fetch_timeout
        self._fetch_slots = threading.BoundedSemaphore(max_concurrent_fetches)
        self._trusted: OrderedDict[str, SigningCertificate] = OrderedDict()
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

    def key_for(self, url: str, now: datetime) -> rsa.RSAPublicKey:
        """The key of the certificate at `url` (a canonical URL), or `VerificationError`."""
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
            transient = is_transient(result)
            log.info(
                "certificate fetch failed (%s) for %s: %r",
                "transient" if transient else "definite",
                url,
                result,
            )
            failure = _TransientFailure if transient else VerificationError
            raise failure("certificate fetch failed") from result
        return result

    def _fetch_and_validate(self, url: str, now: datetime) -> SigningCertificate:
        # Any fetch problem is the request's problem: 400, not 500.
        pem = self._fetch_within_timeout(url)
        if len(pem) > self._max_cert_bytes:
            raise VerificationError("certificate bundle too large")
        try:
            return signing_certificate(pem, self._store, now)
        except VerificationError as exc:
            log.info("certificate from %s refused: %s (%r)", url, exc.reason, exc.__cause__)
            raise


def _put_bounded(cache: OrderedDict[str, Any], key: str, value: Any, size: int) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > size:
        cache.popitem(last=False)
