"""A simulated Echo per test: the real skill on a SQLite file in the test's folder (whose
record already knows the simulator's voice), a clock that never runs by itself, and a
transcript the test can read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from psoas_release.alexa.api_client import AlexaApiClient
from psoas_release.alexa.skill import build_skill, invoke_skill
from psoas_release.alexa.time_zone import TimeZoneLookup
from psoas_release.core.library import RoutineLibrary
from psoas_release.simulator.alexa_api import AlexaApi
from psoas_release.simulator.app import SIMULATOR_TOKEN, load_model
from psoas_release.simulator.clock import SimulatedClock
from psoas_release.simulator.envelopes import DEVICE_ID, LOCAL_USER_ID, Envelopes
from psoas_release.simulator.session import Conversation
from psoas_release.storage import SqliteStateStore
from tests.voices import seed_known_voice

START = datetime(2026, 11, 26, 7, 0, 0, tzinfo=UTC).timestamp()
MODEL = load_model("en-US")


@dataclass
class Recorder:
    """A transcript that remembers every line: (kind, simulated time, words)."""

    lines: list[tuple[str, float, str]] = field(default_factory=list)

    def speech(self, at: float, words: str, *, reprompt: bool) -> None:
        self.lines.append(("reprompt" if reprompt else "speech", at, words))

    def request(self, at: float, utterance: str | None, summary: str) -> None:
        self.lines.append(("request", at, summary))

    def notice(self, at: float, message: str) -> None:
        self.lines.append(("notice", at, message))

    def problem(self, at: float, message: str) -> None:
        self.lines.append(("problem", at, message))

    def said(self) -> list[str]:
        return [words for kind, _, words in self.lines if kind in {"speech", "reprompt"}]


class FakeRealTime:
    """Real time for a test: it passes only when something sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Rig:
    """Everything a simulator test looks at."""

    conversation: Conversation
    clock: SimulatedClock
    transcript: Recorder
    requests: list[dict[str, Any]]
    db: Path


RigFactory = Callable[..., Rig]


@pytest.fixture
def make_rig(tmp_path: Path, library: RoutineLibrary) -> RigFactory:
    """Build a rig on `db` (default: this test's state file); a frozen clock by default."""

    def build(db: Path | None = None, clock: SimulatedClock | None = None,
              alexa_api: AlexaApi | None = None) -> Rig:
        db = db or tmp_path / "state.sqlite3"
        store = SqliteStateStore(db)
        if store.load(LOCAL_USER_ID) is None:
            seed_known_voice(store, LOCAL_USER_ID, DEVICE_ID)
        envelopes = Envelopes()
        reaching: dict[str, Any] = {}
        if alexa_api is not None:
            envelopes = Envelopes(api_access_token=SIMULATOR_TOKEN,
                                  api_endpoint=alexa_api.endpoint)
            reaching = {"time_zone": TimeZoneLookup(alexa_api.fetch),
                        "api_client": AlexaApiClient(verify=str(alexa_api.ca_file))}
        skill = build_skill(library=library, store=store, environ={}, **reaching)
        requests: list[dict[str, Any]] = []

        def handler(event: dict[str, Any]) -> dict[str, Any]:
            requests.append(event)
            return invoke_skill(skill, event)

        clock = clock or SimulatedClock(START, speed=0)
        transcript = Recorder()
        conversation = Conversation(handler, MODEL, clock, library, transcript=transcript,
                                    envelopes=envelopes, alexa_api=alexa_api)
        return Rig(conversation, clock, transcript, requests, db)

    return build


@pytest.fixture
def rig(make_rig: RigFactory) -> Rig:
    return make_rig()
