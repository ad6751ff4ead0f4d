"""Alexa's APIs on the loopback address for a test: the simulator's stand-in
(`psoas_release.simulator.alexa_api`) on 127.0.0.1 and an ephemeral port, started and stopped
by the fixture, and trusted by the skill's HTTPS clients for that test only.

The skill reaches it the way it reaches Amazon: the envelope's `apiEndpoint` names it, the
SDK's reminder client and the time zone lookup call it over real HTTPS. Nothing else changes:
the clients trust its certificate because the environment says so (REQUESTS_CA_BUNDLE for
`requests`, SSL_CERT_FILE for `urllib`), as a deployment behind a private CA would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from psoas_release.alexa.time_zone import urllib_fetch
from psoas_release.simulator.alexa_api import AlexaApi

LOOKUP_OVER_HTTPS = urllib_fetch
"""The real time zone lookup, kept before the root conftest swaps in an offline one."""


@pytest.fixture
def alexa_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AlexaApi]:
    folder = tmp_path / "alexa-api"
    folder.mkdir()
    with AlexaApi(folder) as api:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(api.ca_file))
        monkeypatch.setenv("SSL_CERT_FILE", str(api.ca_file))
        monkeypatch.setattr("psoas_release.alexa.time_zone.urllib_fetch", LOOKUP_OVER_HTTPS)
        yield api
