"""The skill's contract with Alexa: every intent handled, errors answered kindly, bad
requests refused or apologised for, and a failing store never stopping a routine."""

from __future__ import annotations

import importlib
import json
import logging
import re
from types import ModuleType
from typing import Any

import pytest

from psoas_release.alexa.handlers import ConversationHandler
from psoas_release.alexa.mapping import INTENT_EVENTS
from psoas_release.alexa.skill import RequestRefused, build_skill, invoke_skill
from psoas_release.core.library import RoutineLibrary
from psoas_release.core.machine import Coach
from psoas_release.core.state import Phase
from psoas_release.storage import MemoryStateStore, StorageError
from tests.skill.answered import check_answered
from tests.skill.device import EchoDevice, check_response, envelope

REQUIRED_BUILT_INS = {
    "AMAZON.HelpIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.FallbackIntent",
    "AMAZON.NavigateHomeIntent", "AMAZON.PauseIntent", "AMAZON.ResumeIntent",
    "AMAZON.NextIntent", "AMAZON.PreviousIntent", "AMAZON.RepeatIntent",
    "AMAZON.StartOverIntent", "AMAZON.YesIntent", "AMAZON.NoIntent",
}


def model_intents(model: dict[str, Any]) -> set[str]:
    return {intent["name"] for intent in model["interactionModel"]["languageModel"]["intents"]}


def test_every_intent_in_the_model_has_a_handler_and_back(model: dict[str, Any]) -> None:
    assert model_intents(model) == set(INTENT_EVENTS)
    assert set(INTENT_EVENTS) >= REQUIRED_BUILT_INS


def answer_in_a_fresh_session_and_mid_routine(
    lambda_module: ModuleType, intent: str, caplog: pytest.LogCaptureFixture
) -> None:
    request = envelope("intent_request")
    request["request"]["intent"]["name"] = intent
    request["session"]["new"] = True
    check_answered(lambda_module.lambda_handler(request, None), caplog)
    launch = lambda_module.lambda_handler(envelope("launch_request"), None)
    check_answered(launch, caplog)
    request["session"].update(new=False, attributes=launch["sessionAttributes"])
    response = lambda_module.lambda_handler(request, None)
    check_answered(response, caplog)
    assert response["response"].get("outputSpeech")


@pytest.mark.parametrize("intent", sorted(INTENT_EVENTS))
def test_every_intent_answers_in_a_fresh_session_and_mid_routine(
    lambda_module: ModuleType, intent: str, caplog: pytest.LogCaptureFixture
) -> None:
    answer_in_a_fresh_session_and_mid_routine(lambda_module, intent, caplog)


def test_the_intent_check_fails_a_handler_that_always_raises(
    lambda_module: ModuleType, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(self: ConversationHandler, handler_input: Any) -> Any:
        raise RuntimeError("a handler that always raises")

    monkeypatch.setattr(ConversationHandler, "handle", fail)
    with pytest.raises(AssertionError, match="catch-all"):
        answer_in_a_fresh_session_and_mid_routine(lambda_module, "AMAZON.HelpIntent", caplog)


class ExplodingCoach(Coach):
    def step(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")


def test_the_catch_all_handler_answers_kindly_and_keeps_the_session(
    library: RoutineLibrary, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("psoas_release.alexa.skill.Coach", ExplodingCoach)
    skill = build_skill(library=library, store=MemoryStateStore(), environ={})
    with caplog.at_level(logging.ERROR):
        response = invoke_skill(skill, envelope("launch_request"))
    check_response(response)
    assert "Sorry, I had trouble with that" in response["response"]["outputSpeech"]["ssml"]
    assert response["response"]["shouldEndSession"] is False
    assert "boom" in caplog.text


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"version": "1.0"},
        {"version": "1.0", "request": "not an object"},
        {"version": "1.0", "request": {"type": "IntentRequest", "timestamp": "yesterday"}},
        ["a", "list"],
    ],
)
def test_a_malformed_envelope_gets_a_spoken_apology_not_an_exception(
    lambda_module: ModuleType, event: Any
) -> None:
    response = lambda_module.lambda_handler(event, None)
    check_response(response)
    assert response["response"]["outputSpeech"]["ssml"].startswith("<speak>Sorry")


def test_requests_for_another_skill_are_refused(library: RoutineLibrary) -> None:
    skill = build_skill(library=library, store=MemoryStateStore(),
                        skill_id="amzn1.ask.skill.ours", environ={})
    with pytest.raises(RequestRefused):
        invoke_skill(skill, envelope("launch_request"))
    ours = envelope("launch_request")
    ours["context"]["System"]["application"]["applicationId"] = "amzn1.ask.skill.ours"
    check_response(invoke_skill(skill, ours))


def test_the_lambda_entry_answers_only_the_skill_in_skill_id(
    lambda_module: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKILL_ID", "amzn1.ask.skill.ours")
    entry = importlib.reload(lambda_module)
    with pytest.raises(RequestRefused):
        entry.lambda_handler(envelope("launch_request"), None)
    ours = envelope("launch_request")
    for holder in (ours["context"]["System"], ours["session"]):
        holder["application"]["applicationId"] = "amzn1.ask.skill.ours"
    check_response(entry.lambda_handler(ours, None))


@pytest.mark.parametrize("configured", [None, ""])
def test_without_skill_id_the_lambda_entry_answers_any_skill(
    lambda_module: ModuleType, monkeypatch: pytest.MonkeyPatch, configured: str | None
) -> None:
    if configured is not None:
        monkeypatch.setenv("SKILL_ID", configured)
    entry = importlib.reload(lambda_module)
    check_response(entry.lambda_handler(envelope("launch_request"), None))


def test_unhandled_request_types_get_an_empty_response(lambda_module: ModuleType) -> None:
    request = envelope("launch_request")
    request["request"] = {"type": "System.ExceptionEncountered", "requestId": "x",
                          "timestamp": "2026-11-26T07:00:00Z", "locale": "en-US",
                          "error": {"type": "INVALID_RESPONSE", "message": "x"},
                          "cause": {"requestId": "y"}}
    response = lambda_module.lambda_handler(request, None)
    check_response(response)
    assert "outputSpeech" not in response["response"]


class BrokenStore:
    """A store that is down: every call fails the way a real outage does."""

    def __init__(self) -> None:
        self.calls = 0

    def load(self, user_id: str) -> Any:
        self.calls += 1
        raise StorageError("connection refused")

    def save(self, user_id: str, data: dict[str, Any], expected_version: int | None) -> int:
        self.calls += 1
        raise StorageError("connection refused")


def test_a_store_outage_still_lets_the_person_finish(
    library: RoutineLibrary, model: dict[str, Any], caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = BrokenStore()
    clock = iter(range(0, 10_000, 20))
    monkeypatch.setattr("psoas_release.alexa.keeper.time.monotonic", lambda: float(next(clock)))
    skill = build_skill(library=library, store=store, environ={})
    device = EchoDevice(lambda event, context: invoke_skill(skill, event, context), model)
    with caplog.at_level(logging.ERROR):
        device.say("start psoas release")
        device.wait_until_heard("One minute, starting now.", plus=30)
        asked = device.say("how much time is left").text
        left = re.match(r"About (\d+) seconds on this side\.", asked)
        assert left and int(left[1]) >= 30, "without the stored pace, never late: " + asked
        device.wait(3)
        device.say("next")
        device.wait(3)
        assert device.say("what's next").state.phase is Phase.COACHING
    assert 2 <= store.calls < 8, "a failing store is retried, but not on every request"
    failures = [r for r in caplog.records if "state store failed" in r.getMessage()]
    assert len(failures) == 1, "a failing store is logged once, not per request"


def test_a_corrupt_saved_state_is_recovered_with_an_apology(
    library: RoutineLibrary, model: dict[str, Any]
) -> None:
    store = MemoryStateStore()
    store.save("amzn1.ask.account.TESTUSER", {"version": 1, "phase": "flying"}, None)
    skill = build_skill(library=library, store=store, environ={})
    device = EchoDevice(lambda event, context: invoke_skill(skill, event, context), model)
    heard = device.say("open psoas release")
    assert heard.text.startswith("Sorry, I lost track of where we were, so let's start fresh.")
    assert heard.state.phase is Phase.COACHING
    stored = store.load("amzn1.ask.account.TESTUSER")
    assert stored is not None and stored.data["phase"] == "coaching"


def test_every_response_fits_alexas_limits_over_a_whole_session(device: EchoDevice) -> None:
    for utterance in ["start psoas release", "form check", "how much time is left",
                      "what's next", "why does this help", "pause", "resume", "next",
                      "previous", "start over", "repeat", "it hurts", "resume", "help",
                      "list the routines", "stop"]:
        device.wait(7)
        device.say(utterance)
        assert len(json.dumps(device.last.response if device.last else {})) < 24 * 1024


class RacingStore(MemoryStateStore):
    """Another device saves between every load and save of this one."""

    def save(self, user_id: str, data: dict[str, Any], expected_version: int | None) -> int:
        stored = self.load(user_id)
        if stored is not None:
            super().save(user_id, stored.data, stored.version)
        return super().save(user_id, data, expected_version)


def test_losing_every_race_is_not_an_outage(
    library: RoutineLibrary, model: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    store = RacingStore()
    skill = build_skill(library=library, store=store, environ={})
    device = EchoDevice(lambda event, context: invoke_skill(skill, event, context), model)
    with caplog.at_level(logging.WARNING):
        device.say("start psoas release")
        device.wait(30)
        device.say("how much time is left")
        device.wait(30)
        device.say("pause")
    assert not [r for r in caplog.records if "state store failed" in r.getMessage()]
    assert [r for r in caplog.records if "changed again while merging" in r.getMessage()]
    assert device.last is not None and device.last.state.phase is Phase.PAUSED
