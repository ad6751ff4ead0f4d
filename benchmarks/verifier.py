"""Request verification with the signing certificate cached: what every web request pays.

Run as `python -m benchmarks.verifier CALLS`. A `RequestVerifier` trusts a generated root
(tests/web/alexa_pki.py, the PKI the tests use); its fetch hands out the generated chain. The
first call fetches and validates the chain; every timed call after it must be served from the
cache, which the fetch count checks.
"""

from __future__ import annotations

import json
import sys
import time

from benchmarks.common import ensure_import_paths, envelope, print_json


def measure(calls: int) -> dict[str, list[float]]:
    """Milliseconds per `verify` call on a cached certificate, `calls` times."""
    ensure_import_paths()
    from psoas_release.web.verification import RequestVerifier
    from tests.web.alexa_pki import CERT_URL, NOW, SKILL_ID, FakeFetch, build_pki

    pki = build_pki()
    fetch = FakeFetch({CERT_URL: pki.bundles["good"]})
    verifier = RequestVerifier(skill_id=SKILL_ID, roots=[pki.root], fetch=fetch,
                               clock=lambda: NOW)
    launch = envelope("launch_request")
    launch["request"]["timestamp"] = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
    body = json.dumps(launch).encode()
    headers = pki.headers(body)
    verifier.verify(headers, body)
    timings: list[float] = []
    for _ in range(calls):
        started = time.perf_counter_ns()
        verifier.verify(headers, body)
        timings.append((time.perf_counter_ns() - started) / 1e6)
    if len(fetch.calls) != 1:
        raise RuntimeError(f"the certificate was fetched {len(fetch.calls)} times, not once")
    return {"verify": timings}


if __name__ == "__main__":
    print_json(measure(int(sys.argv[1])))
