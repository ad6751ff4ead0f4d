"""A soak of the web endpoint: a mix of good and abusive requests through the Flask app with the
real skill, checking every status and that memory stops growing once the caches are warm.

The measurements are printed and written to /tmp/psoas-release-http-soak-<requests>.json.
`pytest -m slow` runs 20,000 requests; the default run does 1,000.
"""

from __future__ import annotations

import gc
import io
import json
import logging
import os
import platform
import resource
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from psoas_release.alexa.skill import build_skill
from psoas_release.storage import MemoryStateStore
from psoas_release.web import RequestVerifier
from psoas_release.web.download import HTTPStatusError
from psoas_release.web.endpoint import MAX_BODY_BYTES
from psoas_release.web.signing_keys import FetchLimits
from tests.skill.device import envelope
from tests.web.alexa_pki import CERT_URL, NOW, SKILL_ID, FakeClock, Pki, build_pki
from tests.web.served import endpoint_app

MAX_RSS_GROWTH_MB = 20
CACHE_SIZE = 64


def rss_mb() -> float:
    """Resident memory now (VmRSS); ru_maxrss only where /proc is missing, and that is a peak."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if platform.system() == "Linux" else peak / (1024 * 1024)


class CountingFetch:
    """Serves the good bundle at CERT_URL and refuses everywhere else as S3 does a missing
    object (403, a definite failure); keeps counts, not lists."""

    def __init__(self, bundle: bytes) -> None:
        self.bundle = bundle
        self.counts: Counter[str] = Counter()

    def __call__(self, url: str) -> bytes:
        if url == CERT_URL:
            self.counts["good"] += 1
            return self.bundle
        self.counts["bad"] += 1
        raise HTTPStatusError(403)


@dataclass
class Endpoint:
    client: FlaskClient
    verifier: RequestVerifier
    fetch: CountingFetch


Send = Callable[[FlaskClient, int], Any]


def signed_launch(pki: Pki, user: int) -> bytes:
    document = envelope("launch_request")
    document["request"]["timestamp"] = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
    document["request"]["requestId"] = f"amzn1.echo-api.request.soak-{user}"
    document["session"]["sessionId"] = f"amzn1.echo-api.session.soak-{user}"
    for holder in (document["session"], document["context"]["System"]):
        holder["user"]["userId"] = f"amzn1.ask.account.SOAK{user}"
    return json.dumps(document).encode()


def request_mix(pki: Pki) -> list[tuple[str, int, Send]]:
    """Each kind of request: its name, the status it must get, and how to send the i-th one."""
    launches = [signed_launch(pki, user) for user in range(8)]
    launch_headers = [pki.headers(body) for body in launches]
    forged = pki.headers(launches[0], key=pki.other_key)
    signature = pki.sign(launches[0])
    not_json = b'{"request": {"type": "LaunchRequest"'
    deep = b"[" * 20_000
    not_json_headers, deep_headers = pki.headers(not_json), pki.headers(deep)
    oversized = b" " * (MAX_BODY_BYTES + 1)

    def post(client: FlaskClient, body: bytes, headers: dict[str, str]) -> Any:
        return client.post("/", data=body, headers=headers, content_type="application/json")

    def with_url(url: str) -> dict[str, str]:
        return {"SignatureCertChainUrl": url, "Signature-256": signature}

    def chunked(client: FlaskClient, i: int) -> Any:
        return client.post(
            "/",
            input_stream=io.BytesIO(oversized),
            headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json"},
            environ_overrides={"wsgi.input_terminated": True},
        )

    return [
        ("valid", 200, lambda c, i: post(c, launches[i % 8], launch_headers[i % 8])),
        ("valid", 200, lambda c, i: post(c, launches[i % 8], launch_headers[i % 8])),
        ("valid", 200, lambda c, i: post(c, launches[i % 8], launch_headers[i % 8])),
        ("bad_signature", 400, lambda c, i: post(c, launches[0], forged)),
        ("unsigned", 400, lambda c, i: post(c, launches[0], {})),
        (
            "url_breaks_rules",
            400,
            lambda c, i: post(c, launches[0], with_url(f"https://evil{i}.example/echo.api/x.pem")),
        ),
        (
            # S3 ignores queries, so each would fetch the real certificate under a new key.
            "url_with_query",
            400,
            lambda c, i: post(c, launches[0], with_url(f"{CERT_URL}?x={i}")),
        ),
        (
            "url_fails_fetch",
            400,
            lambda c, i: post(
                c, launches[0], with_url(f"https://s3.amazonaws.com/echo.api/gone-{i}.pem")
            ),
        ),
        ("signed_malformed_json", 400, lambda c, i: post(c, not_json, not_json_headers)),
        ("deeply_nested_json", 400, lambda c, i: post(c, deep, deep_headers)),
        ("oversized", 413, lambda c, i: post(c, oversized, launch_headers[0])),
        ("oversized_chunked", 413, chunked),
        ("get", 405, lambda c, i: c.get("/")),
    ]


@pytest.fixture(scope="module")
def pki() -> Pki:
    return build_pki()


@pytest.fixture
def endpoint(pki: Pki) -> Endpoint:
    fetch = CountingFetch(pki.bundles["good"])
    verifier = RequestVerifier(
        skill_id=SKILL_ID,
        roots=[pki.root],
        fetch=fetch,
        clock=FakeClock(),
        limits=FetchLimits(cache_size=CACHE_SIZE),
    )
    skill = build_skill(store=MemoryStateStore(), environ={})
    return Endpoint(endpoint_app(skill, verifier).test_client(), verifier, fetch)


@pytest.fixture
def quiet_logs() -> Iterator[None]:
    """Thousands of refusals would each be logged and kept by pytest's log capture, which is
    memory the endpoint does not use. Errors still get through."""
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


def soak(endpoint: Endpoint, pki: Pki, requests: int, warm_up: int) -> dict[str, Any]:
    mix = request_mix(pki)
    statuses: Counter[int] = Counter()
    kinds: Counter[str] = Counter()
    wrong: Counter[str] = Counter()

    def run(start: int, stop: int) -> None:
        for i in range(start, stop):
            kind, expected, send = mix[i % len(mix)]
            response = send(endpoint.client, i)
            status = response.status_code
            response.close()
            statuses[status] += 1
            kinds[kind] += 1
            if status != expected:
                wrong[f"{kind}: {status}"] += 1

    gc.collect()
    rss_start = rss_mb()
    began = time.perf_counter()
    run(0, warm_up)
    gc.collect()
    rss_warm = rss_mb()
    run(warm_up, requests)
    duration = time.perf_counter() - began
    gc.collect()
    rss_end = rss_mb()
    return {
        "requests": requests,
        "warm_up_requests": warm_up,
        "statuses": {str(code): count for code, count in sorted(statuses.items())},
        "kinds": dict(sorted(kinds.items())),
        "unexpected": dict(wrong),
        "rss_mb": {
            "start": round(rss_start, 1),
            "after_warm_up": round(rss_warm, 1),
            "end": round(rss_end, 1),
            "growth_after_warm_up": round(rss_end - rss_warm, 1),
        },
        "cache_sizes": endpoint.verifier.cache_sizes(),
        "cache_limit": CACHE_SIZE,
        "certificate_fetches": dict(endpoint.fetch.counts),
        "duration_s": round(duration, 2),
        "requests_per_s": round(requests / duration),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }


def check(report: dict[str, Any]) -> None:
    print(json.dumps(report, indent=2))
    Path(f"/tmp/psoas-release-http-soak-{report['requests']}.json").write_text(
        json.dumps(report, indent=2) + "\n"
    )
    assert report["unexpected"] == {}
    assert "500" not in report["statuses"]
    assert set(report["statuses"]) <= {"200", "400", "405", "413"}
    # One fetch for the good certificate; one per distinct valid-looking bad URL, never a retry.
    assert report["certificate_fetches"] == {
        "good": 1,
        "bad": report["kinds"]["url_fails_fetch"],
    }
    assert report["cache_sizes"] == {"trusted": 1, "failures": CACHE_SIZE, "in_flight": 0}
    assert report["rss_mb"]["growth_after_warm_up"] < MAX_RSS_GROWTH_MB


@pytest.mark.usefixtures("quiet_logs")
def test_a_thousand_mixed_requests_hold_their_statuses_and_memory(
    endpoint: Endpoint, pki: Pki
) -> None:
    check(soak(endpoint, pki, requests=1_000, warm_up=200))


@pytest.mark.slow
@pytest.mark.usefixtures("quiet_logs")
def test_twenty_thousand_mixed_requests_hold_their_statuses_and_memory(
    endpoint: Endpoint, pki: Pki
) -> None:
    check(soak(endpoint, pki, requests=20_000, warm_up=2_000))
