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
    "unknown version": json.dumps(good_state(version=STATE_VERSION + 7)),
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
