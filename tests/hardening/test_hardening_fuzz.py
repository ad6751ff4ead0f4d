"""Fuzzed request envelopes through the real `lambda_handler`: every one gets a valid Alexa
response within the limits, and no handler raises (no catch-all apology, no error logged).
`pytest -m slow` runs 10,000 of them."""

from __future__ import annotations

import copy
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from psoas_release.alexa.handlers import ConversationHandler
from psoas_release.alexa.mapping import INTENT_EVENTS
from tests.skill.answered import check_answered, check_no_crash
from tests.skill.device import envelope

TEMPLATES = {name: envelope(name) for name in
             ("launch_request", "intent_request", "session_ended_request")}

junk = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
              st.text(max_size=30)),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.text(max_size=8), children, max_size=4)),
    max_leaves=12,
)
slot_values = st.one_of(
    st.just(""), st.text(max_size=40), st.text(min_size=500, max_size=3000, alphabet="abcdé 💪"),
    st.sampled_from(["ten minute psoas release", "so as release", "💪 release",
                     "\N{FULLWIDTH LATIN CAPITAL LETTER P}SOAS", "<speak>x</speak>", "&amp;",
                     "five minute one"]),
)
timestamps = st.one_of(
    st.sampled_from(["2026-11-26T07:00:00Z", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                     "2026-11-26T06:59:00Z", "not a time", "", "2026-13-45T99:99:99Z"]),
    st.integers(), st.none(),
)
state_attributes = st.one_of(
    st.none(), junk,
    st.fixed_dictionaries({"state": junk, "store": junk}),
    st.fixed_dictionaries({"state": st.fixed_dictionaries({
        "version": st.sampled_from([0, 1, 2, "1", None]),
        "phase": st.sampled_from(["coaching", "paused", "idle", "finished", "offering_resume",
                                  "bogus", 3]),
        "routine_id": st.sampled_from(["unlock-psoas-flex-foundations", "gone", None, 7]),
        "position_s": st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                                st.integers(-10, 10_000)),
        "anchor_at": st.one_of(st.none(), st.floats(allow_nan=True), st.integers()),
        "covers_until_s": st.floats(min_value=-1, max_value=10_000),
    })}),
)
intent_names = st.one_of(st.sampled_from(sorted(INTENT_EVENTS)), st.text(max_size=30))
request_types = st.sampled_from(["LaunchRequest", "IntentRequest", "SessionEndedRequest",
                                 "CanFulfillIntentRequest", "AlexaSkillEvent.SkillEnabled",
                                 "Connections.Response", "Nonsense", ""])


def _drop(document: dict[str, Any], path: list[str]) -> None:
    node: Any = document
    for key in path[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node.pop(path[-1], None)


@st.composite
def envelopes(draw: st.DrawFn) -> dict[str, Any]:
    """A real envelope, then damaged in the ways the wire can damage it."""
    document = copy.deepcopy(TEMPLATES[draw(st.sampled_from(sorted(TEMPLATES)))])
    request = document["request"]
    if draw(st.booleans()):
        request["type"] = draw(request_types)
    if request.get("type") == "IntentRequest":
        slots = {"routine": {"name": "routine", "value": draw(slot_values)}}
        request["intent"] = {"name": draw(intent_names), "slots": draw(st.one_of(
            st.just(slots), st.just({}), st.none(), junk))}
    if draw(st.booleans()):
        request["timestamp"] = draw(timestamps)
    document["session"]["new"] = draw(st.one_of(st.booleans(), junk))
    document["session"]["attributes"] = draw(state_attributes)
    for path in draw(st.lists(st.sampled_from([
        ["session"], ["context"], ["request", "timestamp"], ["request", "requestId"],
        ["session", "user"], ["context", "System", "user"], ["request", "intent"],
        ["version"], ["request", "locale"],
    ]), max_size=3)):
        _drop(document, path)
    if draw(st.integers(0, 9)) == 0:
        document[draw(st.sampled_from(["request", "session", "context"]))] = draw(junk)
    return document


def _check(
    lambda_module: ModuleType, event: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.clear()  # one fixture serves every example hypothesis draws
    check_no_crash(lambda_module.lambda_handler(event, None), caplog)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(envelopes())
def test_fuzzed_envelopes_always_get_a_valid_response(
    lambda_module: ModuleType, caplog: pytest.LogCaptureFixture, event: dict[str, Any]
) -> None:
    _check(lambda_module, event, caplog)


def test_the_fuzz_check_fails_a_handler_that_always_raises(
    lambda_module: ModuleType, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(self: ConversationHandler, handler_input: Any) -> Any:
        raise RuntimeError("a handler that always raises")

    monkeypatch.setattr(ConversationHandler, "handle", fail)
    for name in sorted(TEMPLATES):
        with pytest.raises(AssertionError):
            _check(lambda_module, copy.deepcopy(TEMPLATES[name]), caplog)


@pytest.mark.slow
@settings(max_examples=10_000, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(envelopes())
def test_ten_thousand_fuzzed_envelopes(
    lambda_module: ModuleType, caplog: pytest.LogCaptureFixture, event: dict[str, Any]
) -> None:
    _check(lambda_module, event, caplog)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(state_attributes, st.sampled_from(sorted(INTENT_EVENTS)))
def test_garbage_session_attributes_are_recovered_by_the_handlers_not_the_error_path(
    lambda_module: ModuleType, caplog: pytest.LogCaptureFixture, attributes: Any, intent: str
) -> None:
    event = copy.deepcopy(TEMPLATES["intent_request"])
    event["session"]["attributes"] = attributes
    event["request"]["intent"]["name"] = intent
    caplog.clear()
    check_answered(lambda_module.lambda_handler(event, None), caplog)
