"""Shared fixtures: the product's routines, loaded once."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from psoas_release.core.library import RoutineLibrary, load_library
from psoas_release.core.routines import Routine

pytest_plugins = ["tests.storage.dynamodb_server", "tests.alexa_api_server"]
"""The local DynamoDB server and the store fixtures, and Alexa's APIs on the loopback address,
for every test folder that needs them."""

REPO = Path(__file__).resolve().parent.parent
ROUTINES_DIR = REPO / "routines"
PSOAS_FILE = ROUTINES_DIR / "unlock-psoas-flex-foundations.yaml"


def require_program(name: str, install: str) -> str:
    """The path of the program `name`. Without it a test skips on a developer's machine, but
    fails in CI: `.ci/run` installs every program the tests use, so a skip there hides a gap."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed ({install})"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; .ci/run should have installed it", pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture(autouse=True)
def no_network_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach Alexa's settings API: the default lookup fails fast, as offline."""

    def offline(url: str, token: str) -> bytes:
        raise OSError("no network in tests")

    monkeypatch.setattr("psoas_release.alexa.time_zone.urllib_fetch", offline)


@pytest.fixture(scope="session")
def library() -> RoutineLibrary:
    return load_library(ROUTINES_DIR)


@pytest.fixture(scope="session")
def psoas(library: RoutineLibrary) -> Routine:
    routine = library.get("unlock-psoas-flex-foundations")
    assert routine is not None
    return routine
