"""Corrupt saved state in every store, and two devices of one person saving at once: the
skill apologises and carries on, and no update is lost without a trace."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from psoas_release.alexa.skill import build_skill, invoke_skill
from psoas_release.core.library import RoutineLibrary
from psoas_release.core.state import STATE_VERSION, Phase
from psoas_release.storage import StorageError
from tests.skill.device import EchoDevice
from tests.storage.storage_backends import Backend

USER = "amzn1.ask.account.TESTUSER"
APOLOGY = "Sorry, I lost track of where we were, so let's start fresh."


def device_on(backend: Backend, library: RoutineLibrary, model: dict[str, Any]) -> EchoDevice:
    skill = build_skill(library=library, store=backend.store, environ={})
    return EchoDevice(lambda event, context: invoke_skill(skill, event, context), model)


def good_state(**changes: Any) -> dict[str, Any]:
    state = {"phase": "paused", "routine_id": "unlock-psoas-flex-foundations",
             "position_s": 300.0, "anchor_at": None, "lead_s": 0.0, "covers_until_s": 300.0,
             "advisory_heard": True, "completed_count": 2, "version": STATE_VERSION}
    state.update(changes)
    return state


CORRUPTIONS = {
    "truncated JSON": json.dumps(good_state())[:40],
    "not an object": json.dumps([1, 2, 3]),
    "wrong types": json.dumps(good_state(position_s="five minutes", completed_count="two")),
    "an unknown older version": json.dumps(good_state(version=0)),
    "a routine that no longer exists": json.dumps(good_state(routine_id="retired-routine")),
    "an unknown phase": json.dumps(good_state(phase="levitating")),
}


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_a_corrupt_saved_state_gets_an_apology_and_a_fresh_start(
    backend: Backend, library: RoutineLibrary, model: dict[str, Any], corruption: str
) -> None:
    backend.write_raw(USER, CORRUPTIONS[corruption], 4)
    device = device_on(backend, library, model)
    heard = device.say("open psoas release")
    assert heard.text.startswith(APOLOGY)
    assert heard.state.phase is Phase.COACHING
    stored = backend.store.load(USER)
    assert stored is not None and stored.data["phase"] == "coaching"
    device.wait(30)
    assert not device.say("how much time is left").text.startswith("Sorry")


def test_a_record_without_a_usable_version_is_recovered_and_overwritten(
    backend: Backend, library: RoutineLibrary, model: dict[str, Any]
) -> None:
    if backend.name == "memory":
        pytest.skip("a memory record always has a version")
    backend.write_raw(USER, "{{{", None)
    device = device_on(backend, library, model)
    assert device.say("open psoas release").text.startswith(APOLOGY)
    stored = backend.store.load(USER)
    assert stored is not None and stored.data["phase"] == "coaching"


def test_a_sound_saved_state_offers_a_sane_resume(
    backend: Backend, library: RoutineLibrary, model: dict[str, Any]
) -> None:
    backend.write_raw(USER, json.dumps(good_state()), 4)
    heard = device_on(backend, library, model).say("open psoas release")
    assert heard.text.startswith("Welcome back. You were on")
    assert heard.state.phase is Phase.OFFERING_RESUME


def test_two_devices_saving_at_once_lose_nothing_silently(
    backend: Backend, library: RoutineLibrary, model: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    kitchen = device_on(backend, library, model)
    bedroom = device_on(backend, library, model)
    kitchen.say("start psoas release")
    bedroom.wait(20)
    assert bedroom.say("open psoas release").state.phase is Phase.OFFERING_RESUME
    bedroom.say("yes")
    before = backend.store.load(USER)
    assert before is not None
    with caplog.at_level(logging.WARNING):
        kitchen.wait(40)
        kitchen.say("pause")
    conflicts = [r for r in caplog.records if "another device" in r.getMessage()]
    assert len(conflicts) == 1, "the stale save was detected and reported"
    stored = backend.store.load(USER)
    assert stored is not None
    assert stored.version == before.version + 1
    assert stored.data["phase"] == "paused", "the newest request's state is what is kept"
    bedroom.wait(5)
    assert bedroom.say("how much time is left").state.phase is Phase.COACHING


class FlakyStore:
    """A real store behind a switch: down, then answering again."""

    def __init__(self, backend: Backend) -> None:
        self.inner = backend.store
        self.down = True

    def load(self, user_id: str) -> Any:
        if self.down:
            raise StorageError("timed out")
        return self.inner.load(user_id)

    def save(self, user_id: str, data: dict[str, Any], expected_version: int | None) -> int:
        if self.down:
            raise StorageError("timed out")
        return self.inner.save(user_id, data, expected_version)


def test_a_store_that_was_down_at_launch_never_erases_history(
    backend: Backend, library: RoutineLibrary, model: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    history = good_state(completions=["2026-11-24", "2026-11-25"], completed_count=7,
                         preferences={"cue_level": "brief", "countdown": "standard",
                                      "pace": "normal"})
    backend.write_raw(USER, json.dumps(history), 3)
    flaky = FlakyStore(backend)
    clock = iter(range(0, 100_000, 40))
    monkeypatch.setattr("psoas_release.alexa.keeper.time.monotonic", lambda: float(next(clock)))
    skill = build_skill(library=library, store=flaky, environ={})
    device = EchoDevice(lambda event, context: invoke_skill(skill, event, context), model)
    device.say("start psoas release")
    flaky.down = False
    device.wait(50)
    device.say("how much time is left")
    stored = backend.store.load(USER)
    assert stored is not None
    assert stored.data["completions"].split(",")[:2] == ["2026-11-24", "2026-11-25"]
    assert stored.data["completed_count"] == 7
    assert stored.data["preferences"]["cue_level"] == "brief"
    assert stored.data["phase"] == "coaching", "and the newest request's place is kept"


def test_two_devices_keep_each_others_completed_days(
    backend: Backend, library: RoutineLibrary, model: dict[str, Any]
) -> None:
    kitchen = device_on(backend, library, model)
    bedroom = device_on(backend, library, model)
    kitchen.say("start psoas release")
    bedroom.wait(5)
    bedroom.say("open psoas release")
    bedroom.say("no")
    bedroom.wait(1000)
    bedroom.end_session("USER_INITIATED")
    days = backend.store.load(USER).data["completions"].split(",")  # type: ignore[union-attr]
    assert days, "the bedroom finished a routine"
    kitchen.wait(1000)
    kitchen.say("how much time is left")
    stored = backend.store.load(USER)
    assert stored is not None and set(days) <= set(stored.data["completions"].split(","))


def test_a_record_from_a_newer_version_of_the_skill_is_never_overwritten(
    backend: Backend, library: RoutineLibrary, model: dict[str, Any]
) -> None:
    newer = json.dumps(good_state(version=STATE_VERSION + 1, hologram=True))
    backend.write_raw(USER, newer, 9)
    device = device_on(backend, library, model)
    assert device.say("open psoas release").state.phase is Phase.COACHING
    device.wait(30)
    device.say("pause")
    stored = backend.store.load(USER)
    assert stored is not None and stored.version == 9 and stored.data["hologram"] is True
