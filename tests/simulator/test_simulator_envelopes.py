"""The shared envelope builder sends what Alexa sends: the reference request files' shape,
`new` on a session's first request only, the attributes the last response left."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from psoas_release.simulator.envelopes import Envelopes, alexa_timestamp
from psoas_release.utterances import Kind, Resolution, SlotValue
from tests.skill.device import envelope

AT = datetime(2026, 11, 26, 7, 0, 35, 900_000, tzinfo=UTC).timestamp()


def shape(document: Any) -> Any:
    """Keys all the way down, and the values that are not ids, times or per-session."""
    if isinstance(document, dict):
        return {key: shape(value) for key, value in document.items()}
    if isinstance(document, str) and (".request." in document or ".session." in document):
        return "<id>"
    return document


def builder() -> Envelopes:
    return Envelopes("amzn1.ask.account.TESTUSER", device_id="amzn1.ask.device.TESTDEVICE",
                     api_access_token="test-token")


@pytest.mark.parametrize("name", ["launch_request", "intent_request", "session_ended_request"])
def test_built_envelopes_have_the_reference_files_shape(name: str) -> None:
    envelopes = builder()
    first = envelopes.launch(AT)
    if name == "launch_request":
        built = first
    elif name == "intent_request":
        envelopes.received(first, {"response": {"shouldEndSession": False}})
        built = envelopes.intent("FormCueIntent", AT)
    else:
        envelopes.received(first, {"response": {"shouldEndSession": False}})
        built = envelopes.session_ended("USER_INITIATED", AT)
    reference = envelope(name)
    reference["request"]["timestamp"] = "2026-11-26T07:00:35Z"
    assert shape(built) == shape(reference)


def test_a_session_is_new_on_its_first_request_and_carries_attributes() -> None:
    envelopes = builder()
    launch = envelopes.launch(AT)
    assert launch["session"]["new"] and envelopes.sessions == 1
    envelopes.received(launch, {"response": {"shouldEndSession": False},
                                "sessionAttributes": {"state": {"phase": "coaching"}}})
    asked = envelopes.intent("TimeLeftIntent", AT + 30)
    assert not asked["session"]["new"]
    assert asked["session"]["sessionId"] == launch["session"]["sessionId"]
    assert asked["session"]["attributes"] == {"state": {"phase": "coaching"}}
    envelopes.received(asked, {"response": {"shouldEndSession": True}})
    assert not envelopes.in_session
    again = envelopes.intent("TimeLeftIntent", AT + 60)
    assert again["session"]["new"] and again["session"]["attributes"] == {}
    assert envelopes.sessions == 2


def test_a_one_shot_request_opens_a_new_session_with_resolved_slots() -> None:
    envelopes = builder()
    envelopes.received(envelopes.launch(AT), {"response": {"shouldEndSession": False}})
    slot = SlotValue("ten minute psoas release", "unlock-psoas-flex-foundations",
                     "ten minute psoas release")
    request = envelopes.utterance(
        Resolution(Kind.INTENT, "StartRoutineIntent", {"routine": slot}, one_shot=True), AT)
    assert request["session"]["new"]
    filled = request["request"]["intent"]["slots"]["routine"]
    assert filled["value"] == "ten minute psoas release"
    authority = filled["resolutions"]["resolutionsPerAuthority"][0]
    assert authority["status"]["code"] == "ER_SUCCESS_MATCH"
    assert authority["values"][0]["value"]["id"] == "unlock-psoas-flex-foundations"


def test_an_unmatched_utterance_is_the_fallback_intent() -> None:
    request = builder().utterance(Resolution(Kind.UNMATCHED), AT)
    assert request["request"]["intent"]["name"] == "AMAZON.FallbackIntent"


def test_timestamps_are_whole_seconds_as_alexa_sends_them() -> None:
    assert alexa_timestamp(AT) == "2026-11-26T07:00:35Z"
    assert alexa_timestamp(0.999) == "1970-01-01T00:00:00Z"
