"""Fixtures that stand up the real Lambda entry point on an embedded store per test."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from psoas_release.storage import SqliteStateStore
from tests.conftest import REPO
from tests.skill.device import TEST_DEVICE_ID, TEST_USER_ID, EchoDevice
from tests.voices import seed_known_voice

MODEL_FILE = REPO / "interaction_model" / "interactionModels" / "custom" / "en-US.json"


@pytest.fixture(scope="session")
def model() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(MODEL_FILE.read_text())
    return document


@pytest.fixture
def lambda_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """`lambda/lambda_function.py`, imported fresh with its store in this test's folder."""
    monkeypatch.setenv("PSOAS_STATE_DB", str(tmp_path / "state.sqlite3"))
    monkeypatch.delenv("TABLE_NAME", raising=False)
    monkeypatch.delenv("SKILL_ID", raising=False)
    monkeypatch.syspath_prepend(str(REPO / "lambda"))
    sys.modules.pop("lambda_function", None)
    yield importlib.import_module("lambda_function")
    sys.modules.pop("lambda_function", None)


@pytest.fixture
def new_device(lambda_module: ModuleType, model: dict[str, Any]) -> EchoDevice:
    """An Echo the skill has never heard: it does not know how fast its voice speaks."""
    return EchoDevice(lambda_module.lambda_handler, model)


@pytest.fixture
def device(lambda_module: ModuleType, model: dict[str, Any], tmp_path: Path) -> EchoDevice:
    """An Echo whose voice (at the speaking model's pace) the skill has already learned, so a
    question mid-hold is placed within a second or two."""
    seed_known_voice(SqliteStateStore(tmp_path / "state.sqlite3"), TEST_USER_ID,
                     TEST_DEVICE_ID)
    return EchoDevice(lambda_module.lambda_handler, model)
