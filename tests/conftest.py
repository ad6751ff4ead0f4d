"""Shared fixtures: the product's routines, loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest

from psoas_release.core.library import RoutineLibrary, load_library
from psoas_release.core.routines import Routine

pytest_plugins = ["tests.storage.dynamodb_server"]
"""The local DynamoDB server and the store fixtures, for every test folder that needs them."""

REPO = Path(__file__).resolve().parent.parent
ROUTINES_DIR = REPO / "routines"
PSOAS_FILE = ROUTINES_DIR / "unlock-psoas-flex-foundations.yaml"


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
