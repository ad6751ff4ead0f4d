"""The endpoint under abuse: lying lengths, stalled or failing certificate fetches, floods of
bad certificate URLs, and many threads at once. Nothing here goes online."""

from __future__ import annotations

import http.client
import io
import threading
import time
import urllib.error
from collections.abc import Callable
from datetime import timedelta

import pytest
from alexa_pki import CERT_URL, FakeFetch
from ask_sdk_core.skill_builder import SkillBuilder
from werkzeug.test import EnvironBuilder, run_wsgi_app

from psoas_release.web.download import HTTPStatusError
from psoas_release.web.endpoint import MAX_BODY_BYTES
from psoas_release.web.errors import VerificationError
from psoas_release.web.signing_keys import FetchLimits
from tests.web.served import endpoint_app

TRANSIENT_FAILURE_TTL = FetchLimits().transient_failure_ttl


def reason_of(verifier, headers, body) -> str:
    with pytest.raises(VerificationError) as caught:
        verifier.verify(headers, body)
    return caught.value.reason


def bad_url(n: int) -> str:
    """Passes Amazon's URL rules, so only a fetch can tell it is bad."""
    return f"https://s3.amazonaws.com/echo.api/not-a-cert-{n}.pem"


class StalledFetch(FakeFetch):
    """A download that hangs until the test lets it go (or 30 s pass)."""

    def __init__(self, bundle: bytes) -> None:
        super().__init__()
        self.bundle = bundle
        self.release = threading.Event()
        self.finished = threading.Event()

    def __call__(self, url: str) -> bytes:
        self.calls.append(url)
        try:
            self.release.wait(30)
            return self.bundle
        finally:
            self.finished.set()


@pytest.fixture
def stalled(pki, make_verifier):
    fetch = StalledFetch(pki.bundles["good"])
    yield fetch
    fetch.release.set()


# --- slow and failing fetches -------------------------------------------------------------


def join_fetch_threads() -> None:
    for thread in threading.enumerate():
        if thread.name == "certificate-fetch":
            thread.join(5)


def test_a_stalled_fetch_is_given_up_at_the_timeout_and_its_late_result_kept(
    pki, make_verifier, make_body, stalled
):
    harness = make_verifier(fetch=stalled, fetch_timeout=0.1)
    body = make_body()
    assert reason_of(harness.verifier, pki.headers(body), body) == "certificate fetch timed out"
    assert not stalled.finished.is_set()  # the request did not wait for the download

    # A request naming the URL meanwhile waits for the same download; it starts no other.
    assert reason_of(harness.verifier, pki.headers(body), body) == "certificate fetch timed out"
    assert stalled.calls == [CERT_URL]

    # The download completes late: its result is kept, and the next request passes at once.
    stalled.release.set()
    join_fetch_threads()
    harness.verifier.verify(pki.headers(body), body)
    assert stalled.calls == [CERT_URL]


class GatedFetch(FakeFetch):
    """Serves like FakeFetch, but holds the fetch of each URL in `held` until released."""

    def __init__(self, responses: dict[str, bytes | Exception], held: list[str]) -> None:
        super().__init__(responses)
        self.entered = {url: threading.Event() for url in held}
        self.release = {url: threading.Event() for url in held}

    def __call__(self, url: str) -> bytes:
        if url in self.release:
            self.entered[url].set()
            self.release[url].wait(30)
        return super().__call__(url)


class FakeMonotonic:
    """Stands in for time.monotonic: seconds pass only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def wait_until(condition: Callable[[], bool]) -> None:
    """Waits for a state the code under test reaches by itself (at most 10 s)."""
    give_up = time.perf_counter() + 10
    while not condition():
        assert time.perf_counter() < give_up, "the state was never reached"
        time.sleep(0.001)


def naming_headers(url: str, signature: str) -> dict[str, str]:
    return {"SignatureCertChainUrl": url, "Signature-256": signature}


def test_waiting_for_a_fetch_slot_does_not_use_up_the_fetch_time(
    pki, make_verifier, make_body, monkeypatch
):
    # An attacker names a fresh certificate URL; its fetch holds the only slot. A real Alexa
    # request naming a just-rotated certificate waits for that slot, far longer than a fetch
    # may take. Once it gets the slot, its fetch still has its whole time.
    attacker_url = bad_url(1)
    fetch = GatedFetch({CERT_URL: pki.bundles["good"]}, held=[attacker_url, CERT_URL])
    fetch.default = http_error(404)
    harness = make_verifier(fetch=fetch, max_concurrent_fetches=1)
    monotonic = FakeMonotonic()
    monkeypatch.setattr(time, "monotonic", monotonic)
    body = make_body()
    signature = pki.sign(body)

    def naming(url: str) -> Callable[[], object]:
        return lambda: harness.verifier.verify(naming_headers(url, signature), body)

    attacker = Outcome(naming(attacker_url))
    fetch.entered[attacker_url].wait(10)
    real = Outcome(naming(CERT_URL))
    wait_until(lambda: harness.verifier.cache_sizes()["in_flight"] == 2)
    monotonic.now += 60  # a minute in the queue: twelve times the fetch timeout
    fetch.release[attacker_url].set()
    fetch.entered[CERT_URL].wait(10)  # the real request's fetch has the slot now
    fetch.release[CERT_URL].set()

    assert real.result() is None  # verified
    harness.verifier.verify(pki.headers(body), body)  # and the certificate is cached
    assert fetch.calls.count(CERT_URL) == 1
    # The attacker's own request may have seen the minute pass too; whatever it was told, its
    # URL's failure is remembered, and costs no second fetch.
    attacker.result()
    assert reason_of(harness.verifier, naming_headers(attacker_url, signature), body) == (
        "certificate fetch failed"
    )
    assert fetch.calls.count(attacker_url) == 1


def test_requests_waiting_for_a_fetch_slot_are_bounded(pki, make_verifier, make_body, stalled):
    harness = make_verifier(
        fetch=stalled,
        fetch_timeout=0.1,
        max_concurrent_fetches=1,
        max_pending_fetches=2,
        slot_wait=0.05,
    )
    body = make_body()
    signature = pki.sign(body)

    def reason_for(url: str) -> str:
        headers = {"SignatureCertChainUrl": url, "Signature-256": signature}
        return reason_of(harness.verifier, headers, body)

    assert reason_for(CERT_URL) == "certificate fetch timed out"  # holds the only slot
    assert reason_for(bad_url(0)) == "certificate fetch busy"  # queued, still waiting
    for n in range(1, 200):  # nothing more is queued: each is refused at once
        assert reason_for(bad_url(n)) == "certificate fetch busy"
    assert harness.verifier.cache_sizes()["in_flight"] == 2
    assert stalled.calls == [CERT_URL]

    # The queued fetch runs once the slot frees, and its result is kept.
    stalled.release.set()
    join_fetch_threads()
    assert stalled.calls == [CERT_URL, bad_url(0)]
    harness.verifier.verify({"SignatureCertChainUrl": bad_url(0), "Signature-256": signature}, body)
    assert harness.verifier.cache_sizes() == {"trusted": 2, "failures": 0, "in_flight": 0}


def http_error(code: int) -> HTTPStatusError:
    return HTTPStatusError(code)


TRANSIENT_ERRORS: dict[str, Callable[[], Exception]] = {
    "timeout": lambda: TimeoutError("timed out"),
    "connection-refused": lambda: ConnectionRefusedError("refused"),
    "connection-reset": lambda: ConnectionResetError("reset"),
    "dns": lambda: urllib.error.URLError(OSError("name or service not known")),
    "remote-disconnected": lambda: http.client.RemoteDisconnected("closed"),
    "incomplete-read": lambda: http.client.IncompleteRead(b"partial"),
    "http-500": lambda: http_error(500),
    "http-503": lambda: http_error(503),
}

DEFINITE_FAILURES: dict[str, tuple[str, str | Callable[[], Exception | bytes]]] = {
    "http-403": ("certificate fetch failed", lambda: http_error(403)),
    "http-404": ("certificate fetch failed", lambda: http_error(404)),
    "redirect-not-followed": ("certificate fetch failed", lambda: http_error(301)),
    "oversize-download": ("certificate fetch failed", lambda: ValueError("larger than 64 KiB")),
    "oversize-bundle": ("certificate bundle too large", lambda: b"\n" * 70_000),
    "unparseable": ("certificate bundle unparseable", "malformed"),
    "invalid-chain": ("certificate chain invalid", "untrusted"),
    "wrong-san": ("certificate chain invalid", "wrong_san"),
    "wildcard-san": ("certificate SAN lacks echo-api.amazon.com", "wildcard_san"),
}


@pytest.mark.parametrize("name", TRANSIENT_ERRORS)
def test_a_transient_fetch_failure_is_remembered_only_for_a_moment(
    pki, make_verifier, make_body, name
):
    harness = make_verifier(TRANSIENT_ERRORS[name]())
    body = make_body()
    for _ in range(3):
        assert reason_of(harness.verifier, pki.headers(body), body) == "certificate fetch failed"
    assert harness.fetch.calls == [CERT_URL]

    # S3 is back: the next request after the short TTL fetches again and passes.
    harness.fetch.default = pki.bundles["good"]
    harness.clock.advance(TRANSIENT_FAILURE_TTL - timedelta(milliseconds=1))
    assert reason_of(harness.verifier, pki.headers(body), body) == "certificate fetch failed"
    harness.clock.advance(timedelta(milliseconds=1))
    body = make_body(timestamp=harness.clock.now)
    harness.verifier.verify(pki.headers(body), body)
    assert harness.fetch.calls == [CERT_URL, CERT_URL]


@pytest.mark.parametrize("name", DEFINITE_FAILURES)
def test_a_definite_failure_is_remembered_for_the_long_ttl(pki, make_verifier, make_body, name):
    reason, failure = DEFINITE_FAILURES[name]
    harness = make_verifier(failure if isinstance(failure, str) else failure())
    body = make_body()
    assert reason_of(harness.verifier, pki.headers(body), body) == reason

    harness.fetch.default = pki.bundles["good"]
    harness.clock.advance(timedelta(seconds=29))
    body = make_body(timestamp=harness.clock.now)
    assert reason_of(harness.verifier, pki.headers(body), body) == reason
    assert harness.fetch.calls == [CERT_URL]

    harness.clock.advance(timedelta(seconds=1))
    body = make_body(timestamp=harness.clock.now)
    harness.verifier.verify(pki.headers(body), body)
    assert harness.fetch.calls == [CERT_URL, CERT_URL]


def test_the_transient_failure_ttl_is_configurable(pki, make_verifier, make_body):
    harness = make_verifier(ConnectionError("down"), transient_failure_ttl=timedelta(seconds=10))
    body = make_body()
    reason_of(harness.verifier, pki.headers(body), body)
    harness.fetch.default = pki.bundles["good"]
    harness.clock.advance(timedelta(seconds=5))
    assert reason_of(harness.verifier, pki.headers(body), body) == "certificate fetch failed"
    harness.clock.advance(timedelta(seconds=5))
    body = make_body(timestamp=harness.clock.now)
    harness.verifier.verify(pki.headers(body), body)
    assert harness.fetch.calls == [CERT_URL, CERT_URL]


def test_one_s3_hiccup_refuses_requests_for_seconds_not_half_a_minute(
    pki, make_verifier, make_body
):
    harness = make_verifier(http_error(503))
    client = endpoint_app(SkillBuilder().create(), harness.verifier).test_client()
    body = make_body()
    assert client.post("/", data=body, headers=pki.headers(body)).status_code == 400

    harness.fetch.default = pki.bundles["good"]
    harness.clock.advance(TRANSIENT_FAILURE_TTL)
    body = make_body(timestamp=harness.clock.now)
    reply = client.post("/", data=body, headers=pki.headers(body))
    assert reply.status_code != 400  # verified; the empty skill's own answer is not the point
    assert harness.fetch.calls == [CERT_URL, CERT_URL]


def test_stalled_fetches_never_outnumber_the_fetch_slots(pki, make_verifier, make_body, stalled):
    harness = make_verifier(
        fetch=stalled, fetch_timeout=0.2, max_concurrent_fetches=1, slot_wait=0.05
    )
    body = make_body()
    assert reason_of(harness.verifier, pki.headers(body), body) == "certificate fetch timed out"

    # The stalled download still holds the only slot: another URL is refused, not fetched yet.
    other = bad_url(1)
    headers = pki.headers(body, url=other)
    assert reason_of(harness.verifier, headers, body) == "certificate fetch busy"
    assert stalled.calls == [CERT_URL]

    # "Busy" is not the URL's fault, so it is not remembered: once the slot frees, the queued
    # fetch runs, and its result answers the next request.
    stalled.release.set()
    join_fetch_threads()
    harness.verifier.verify(headers, body)
    assert stalled.calls == [CERT_URL, other]


def test_requests_sharing_a_fetch_that_got_no_slot_are_refused_together(
    pki, make_verifier, make_body, stalled
):
    harness = make_verifier(
        fetch=stalled, fetch_timeout=0.2, max_concurrent_fetches=1, slot_wait=0.05
    )
    body = make_body()
    assert reason_of(harness.verifier, pki.headers(body), body) == "certificate fetch timed out"

    headers = pki.headers(body, url=bad_url(2))
    results = run_together(2, lambda: harness.verifier.verify(headers, body))

    # Both gave up waiting for the slot; their one fetch is still queued, not run.
    assert results == ["certificate fetch busy"] * 2
    assert stalled.calls == [CERT_URL]


def test_a_slow_fetch_through_the_app_is_a_quick_400(pki, make_verifier, make_body, stalled):
    harness = make_verifier(fetch=stalled, fetch_timeout=0.1)
    client = endpoint_app(SkillBuilder().create(), harness.verifier).test_client()
    body = make_body()
    reply = client.post("/", data=body, headers=pki.headers(body))
    assert reply.status_code == 400
    assert not stalled.finished.is_set()


# --- floods of bad certificate URLs -------------------------------------------------------


def test_urls_that_break_the_rules_never_reach_a_fetch(pki, make_verifier, make_body):
    harness = make_verifier()
    body = make_body()
    signature = pki.sign(body)
    for n in range(1000):
        headers = {
            "SignatureCertChainUrl": f"https://evil{n}.example/echo.api/{n}.pem",
            "Signature-256": signature,
        }
        assert "certificate URL" in reason_of(harness.verifier, headers, body)
    assert harness.fetch.calls == []
    assert harness.verifier.cache_sizes() == {"trusted": 0, "failures": 0, "in_flight": 0}


def test_many_distinct_bad_urls_keep_the_caches_bounded_and_the_good_cert(
    pki, make_verifier, make_body
):
    harness = make_verifier(cache_size=8)
    harness.fetch.responses[CERT_URL] = pki.bundles["good"]
    harness.fetch.default = ConnectionError("no such object")
    body = make_body()
    signature = pki.sign(body)
    harness.verifier.verify(pki.headers(body), body)
    for n in range(500):
        headers = {"SignatureCertChainUrl": bad_url(n), "Signature-256": signature}
        reason_of(harness.verifier, headers, body)
        assert harness.verifier.cache_sizes()["failures"] <= 8
    harness.verifier.verify(pki.headers(body), body)  # the good certificate was not evicted
    assert harness.fetch.calls.count(CERT_URL) == 1
    assert harness.verifier.cache_sizes() == {"trusted": 1, "failures": 8, "in_flight": 0}


def test_a_flood_of_query_string_variants_costs_no_fetch_and_keeps_the_real_cert(
    pki, make_verifier, make_body
):
    # S3 ignores a query string, so each variant would fetch the real certificate under a
    # new cache key; the fake fetch serves the good bundle for every URL to match.
    harness = make_verifier(cache_size=64)
    body = make_body()
    harness.verifier.verify(pki.headers(body), body)
    assert harness.fetch.calls == [CERT_URL]

    forged = pki.sign(body, key=pki.other_key)  # the attacker cannot sign as Amazon
    for n in range(200):
        headers = {"SignatureCertChainUrl": f"{CERT_URL}?x={n}", "Signature-256": forged}
        assert reason_of(harness.verifier, headers, body) == (
            "certificate URL has a query or fragment"
        )
    assert harness.fetch.calls == [CERT_URL]
    assert harness.verifier.cache_sizes() == {"trusted": 1, "failures": 0, "in_flight": 0}

    harness.verifier.verify(pki.headers(body), body)  # still served from the cache
    assert harness.fetch.calls == [CERT_URL]


def test_percent_escaped_variants_of_the_real_path_cost_no_fetch(pki, make_verifier, make_body):
    harness = make_verifier()
    body = make_body()
    forged = pki.sign(body, key=pki.other_key)
    path = CERT_URL.removeprefix("https://s3.amazonaws.com")
    variants = [
        "https://s3.amazonaws.com"
        + path[:i]
        + "".join(f"%{ord(c):02{case}}" for c in path[i : i + 1])
        + path[i + 1 :]
        for i in range(1, len(path))
        for case in ("x", "X")
    ]
    for url in variants:
        headers = {"SignatureCertChainUrl": url, "Signature-256": forged}
        assert "certificate URL" in reason_of(harness.verifier, headers, body)
    assert harness.fetch.calls == []
    assert harness.verifier.cache_sizes() == {"trusted": 0, "failures": 0, "in_flight": 0}


# --- many threads at once -----------------------------------------------------------------


class Outcome:
    """Runs `action` on its own thread; `result()` is what it returned or the refusal reason."""

    def __init__(self, action: Callable[[], object]) -> None:
        self._value: list[object] = []
        self._thread = threading.Thread(target=self._run, args=(action,))
        self._thread.start()

    def _run(self, action: Callable[[], object]) -> None:
        try:
            self._value.append(action())
        except VerificationError as exc:
            self._value.append(exc.reason)

    def result(self) -> object:
        self._thread.join(30)
        return self._value[0]


def run_together(count: int, action: Callable[[], object]) -> list[object]:
    """Runs `action` on `count` threads released at the same moment; returns what each got."""
    start = threading.Barrier(count)
    results: list[object] = []

    def worker() -> None:
        start.wait()
        try:
            results.append(action())
        except VerificationError as exc:
            results.append(exc.reason)

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


class SlowFetch(FakeFetch):
    def __call__(self, url: str) -> bytes:
        time.sleep(0.05)
        return super().__call__(url)


@pytest.mark.parametrize("bundle", ["good", "malformed"])
def test_concurrent_requests_for_an_uncached_url_share_one_fetch(
    pki, make_verifier, make_body, bundle
):
    fetch = SlowFetch()
    fetch.default = pki.bundles[bundle]
    harness = make_verifier(fetch=fetch)
    body = make_body()
    headers = pki.headers(body)

    results = run_together(16, lambda: harness.verifier.verify(headers, body))

    assert fetch.calls == [CERT_URL]
    expected = None if bundle == "good" else "certificate bundle unparseable"
    assert results == [expected] * 16
    assert harness.verifier.cache_sizes()["in_flight"] == 0


def test_the_caches_stay_consistent_and_bounded_under_many_threads(pki, make_verifier, make_body):
    harness = make_verifier(cache_size=16)
    harness.fetch.responses[CERT_URL] = pki.bundles["good"]
    harness.fetch.default = ConnectionError("no such object")
    body = make_body()
    good = pki.headers(body)
    signature = good["Signature-256"]
    counter = iter(range(1_000_000))
    lock = threading.Lock()

    def mixed_requests() -> int:
        passed = 0
        for _ in range(150):
            with lock:
                n = next(counter)
            url = CERT_URL if n % 3 == 0 else bad_url(n)
            try:
                harness.verifier.verify(
                    {"SignatureCertChainUrl": url, "Signature-256": signature}, body
                )
                passed += 1
            except VerificationError:
                assert url != CERT_URL
        return passed

    results = run_together(8, mixed_requests)

    assert sum(int(r) for r in results) == 400  # every good request passed (1 in 3 of 1,200)
    assert harness.fetch.calls.count(CERT_URL) == 1
    sizes = harness.verifier.cache_sizes()
    assert sizes == {"trusted": 1, "failures": 16, "in_flight": 0}


# --- bodies that lie about their length ---------------------------------------------------


def raw_post(app, body: bytes, environ: dict[str, object]) -> tuple[str, bytes]:
    """Posts through WSGI with the environ a server would build, lies included."""
    base = EnvironBuilder(method="POST", path="/", content_type="application/json")
    wsgi_environ = base.get_environ()
    wsgi_environ.pop("CONTENT_LENGTH", None)
    wsgi_environ["wsgi.input"] = io.BytesIO(body)
    wsgi_environ.update(environ)
    chunks, status, _headers = run_wsgi_app(app.wsgi_app, wsgi_environ, buffered=True)
    return status, b"".join(chunks)


@pytest.fixture
def app(make_verifier):
    return endpoint_app(SkillBuilder().create(), make_verifier().verifier)


def test_a_length_smaller_than_the_body_reads_no_further(pki, app, make_body):
    body = make_body()
    huge = body + b" " * (10 * MAX_BODY_BYTES)
    environ = {"CONTENT_LENGTH": "10", **_signed(pki, body)}
    status, _ = raw_post(app, huge, environ)
    assert status.startswith("400")  # the ten bytes read are not what was signed


def test_a_length_larger_than_the_body_is_a_400(pki, app, make_body):
    body = make_body()
    environ = {"CONTENT_LENGTH": str(MAX_BODY_BYTES), **_signed(pki, body)}
    status, _ = raw_post(app, body, environ)
    assert status.startswith("400")


@pytest.mark.parametrize("length", ["-1", "abc", "99999999999999999999999"])
def test_a_nonsense_length_is_never_a_500(pki, app, make_body, length):
    body = make_body()
    status, _ = raw_post(app, body, {"CONTENT_LENGTH": length, **_signed(pki, body)})
    assert status[:3] in ("400", "413")


def test_a_chunked_body_with_a_small_length_header_is_still_capped(app):
    environ = {
        "CONTENT_LENGTH": "10",
        "HTTP_TRANSFER_ENCODING": "chunked",
        "wsgi.input_terminated": True,
    }
    status, _ = raw_post(app, b" " * (MAX_BODY_BYTES + 1), environ)
    assert status.startswith("413")


def _signed(pki, body: bytes) -> dict[str, object]:
    headers = pki.headers(body)
    return {
        "HTTP_SIGNATURECERTCHAINURL": headers["SignatureCertChainUrl"],
        "HTTP_SIGNATURE_256": headers["Signature-256"],
    }
