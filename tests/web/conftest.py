"""Fixtures for the web endpoint tests; the PKI itself lives in `alexa_pki`."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from alexa_pki import NOW, SKILL_ID, FakeClock, FakeFetch, Pki, build_pki

from psoas_release.web.signing_keys import FetchLimits
from psoas_release.web.verification import RequestVerifier


@pytest.fixture(scope="session")
def pki() -> Pki:
    return build_pki()


@dataclass
class Harness:
    verifier: RequestVerifier
    fetch: FakeFetch
    clock: FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_verifier(pki: Pki, clock: FakeClock) -> Callable[..., Harness]:
    """Builds a verifier trusting the test root; the fake fetch serves `bundle` by default,
    unless another `fetch` is given. Other keywords are `FetchLimits`."""

    def build(
        bundle: str | bytes | Exception = "good",
        *,
        fetch: FakeFetch | None = None,
        skill_id: str | None = SKILL_ID,
        allow_any_skill: bool = False,
        **limits: Any,
    ) -> Harness:
        if fetch is None:
            fetch = FakeFetch()
            fetch.default = pki.bundles[bundle] if isinstance(bundle, str) else bundle
        verifier = RequestVerifier(
            skill_id=skill_id,
            allow_any_skill=allow_any_skill,
            roots=[pki.root],
            fetch=fetch,
            clock=clock,
            limits=FetchLimits(**limits),
        )
        return Harness(verifier, fetch, clock)

    return build


@pytest.fixture
def make_body() -> Callable[..., bytes]:
    """A real-shaped LaunchRequest envelope, as the exact bytes Alexa would send."""

    def build(
        *,
        timestamp: datetime | str | None = NOW,
        request_type: object = "LaunchRequest",
        application_id: str | None = SKILL_ID,
        session_application_id: str | None = None,
    ) -> bytes:
        stamp = (
            timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")
            if isinstance(timestamp, datetime)
            else timestamp
        )
        envelope: dict[str, Any] = {
            "version": "1.0",
            "session": {
                "new": True,
                "sessionId": "amzn1.echo-api.session.test",
                "user": {"userId": "amzn1.ask.account.test"},
            },
            "context": {
                "System": {
                    "user": {"userId": "amzn1.ask.account.test"},
                    "device": {"deviceId": "amzn1.ask.device.test", "supportedInterfaces": {}},
                    "apiEndpoint": "https://api.amazonalexa.com",
                }
            },
            "request": {
                "type": request_type,
                "requestId": "amzn1.echo-api.request.test",
                "locale": "en-US",
            },
        }
        if stamp is not None:
            envelope["request"]["timestamp"] = stamp
        if application_id is not None:
            envelope["context"]["System"]["application"] = {"applicationId": application_id}
        if session_application_id is not None:
            envelope["session"]["application"] = {"applicationId": session_application_id}
        return json.dumps(envelope, indent=2).encode("utf-8")

    return build
