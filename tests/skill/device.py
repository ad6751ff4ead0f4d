"""An Echo device in a test: typed utterances in, real Alexa envelopes to the real
`lambda_handler`, real response JSON out, with a clock that runs the way speech does.

Utterances resolve through the interaction model's samples (never a list in the tests), so a
phrase the model lacks fails here the way it would on a device. Every response is checked
against Alexa's limits before the test sees it.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from psoas_release.core.position import SPOKEN_REQUEST_S, START_LATENCY_S
from psoas_release.core.speaking import speaking_seconds
from psoas_release.core.ssml import (
    MAX_SPEECH_CHARS,
    Silence,
    break_seconds,
    pieces_of,
    plain_text,
    validate,
)
from psoas_release.core.state import SessionState
from psoas_release.utterances import Kind, resolve

ENVELOPES = Path(__file__).parent / "envelopes"
MAX_RESPONSE_BYTES = 24 * 1024
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def envelope(name: str) -> dict[str, Any]:
    """A fresh copy of a request envelope file."""
    document: dict[str, Any] = json.loads((ENVELOPES / f"{name}.json").read_text())
    return document


def check_response(response: dict[str, Any]) -> None:
    """Everything Alexa requires of a response: valid SSML within limits, size, shape."""
    assert response["version"] == "1.0"
    assert len(json.dumps(response).encode()) <= MAX_RESPONSE_BYTES
    body = response["response"]
    for speech in (body.get("outputSpeech"), (body.get("reprompt") or {}).get("outputSpeech")):
        if speech:
            assert speech["type"] == "SSML"
            validate(speech["ssml"])
            assert len(speech["ssml"]) <= MAX_SPEECH_CHARS
            assert all(0 < b <= 10 for b in break_seconds(speech["ssml"]))


class Heard:
    """One response, as the person hears it."""

    def __init__(self, response: dict[str, Any]) -> None:
        self.response = response
        body = response["response"]
        self.ssml: str = (body.get("outputSpeech") or {}).get("ssml", "<speak></speak>")
        self.text = plain_text(self.ssml)
        reprompt = (body.get("reprompt") or {}).get("outputSpeech") or {}
        self.reprompt = plain_text(reprompt["ssml"]) if reprompt else ""
        self.ends_session = bool(body.get("shouldEndSession"))
        attributes = response.get("sessionAttributes") or {}
        self.state = SessionState.from_dict(attributes.get("state"))

    def seconds_until(self, phrase: str, occurrence: int = 1) -> float:
        """When `phrase` starts, in seconds from the start of this reply's speech."""
        clock, seen = 0.0, 0
        for piece in pieces_of(self.ssml):
            if isinstance(piece, Silence):
                clock += piece.seconds
                continue
            if phrase in piece.words:
                seen += 1
                if seen == occurrence:
                    return clock + speaking_seconds(piece.words.partition(phrase)[0])
            clock += speaking_seconds(piece.words)
        raise AssertionError(f"{phrase!r} (occurrence {occurrence}) not in: {self.text}")


class EchoDevice:
    """One person's Echo: sessions, timestamps in whole seconds, speech that takes time."""

    def __init__(self, handler: Handler, model: dict[str, Any],
                 user_id: str = "amzn1.ask.account.TESTUSER") -> None:
        self.handler = handler
        self.model = model
        self.user_id = user_id
        self.clock = datetime(2026, 11, 26, 7, 0, 0, tzinfo=UTC)
        self.session: dict[str, Any] | None = None
        self.sessions = 0
        self.last: Heard | None = None
        self.speech_started = self.clock

    def wait(self, seconds: float) -> None:
        self.clock += timedelta(seconds=seconds)

    def wait_until_heard(self, phrase: str, plus: float = 0.0, occurrence: int = 1) -> None:
        """Wait until the last reply's speech reaches `phrase`, then `plus` seconds more."""
        assert self.last is not None
        at = self.speech_started + timedelta(
            seconds=self.last.seconds_until(phrase, occurrence) + plus)
        assert at >= self.clock, "that moment has passed"
        self.clock = at

    def say(self, utterance: str) -> Heard:
        """Say "Alexa, <utterance>": launch, one-shot or in-session intent, as Alexa would."""
        resolution = resolve(utterance, self.model)
        self.wait(SPOKEN_REQUEST_S)
        if resolution.kind is Kind.LAUNCH:
            self.session = None
            return self.send(self._envelope("launch_request"))
        if resolution.one_shot:
            self.session = None
        request = self._envelope("intent_request")
        intent = resolution.intent_or_fallback
        slots = {
            name: self._slot(name, value.raw, value.id, value.name)
            for name, value in resolution.slots.items()
        }
        request["request"]["intent"] = {"name": intent, "confirmationStatus": "NONE",
                                        "slots": slots}
        return self.send(request)

    def end_session(self, reason: str = "EXCEEDED_MAX_REPROMPTS") -> Heard:
        request = self._envelope("session_ended_request")
        request["request"]["reason"] = reason
        return self.send(request)

    def send(self, request: dict[str, Any]) -> Heard:
        response = self.handler(request, None)
        check_response(response)
        heard = Heard(response)
        self.last = heard
        self.speech_started = self.clock + timedelta(seconds=START_LATENCY_S)
        ended = request["request"]["type"] == "SessionEndedRequest" or heard.ends_session
        if ended:
            self.session = None
        else:
            assert self.session is not None
            self.session["attributes"] = copy.deepcopy(response.get("sessionAttributes") or {})
        return heard

    def _envelope(self, name: str) -> dict[str, Any]:
        request = envelope(name)
        new = self.session is None
        if new:
            self.sessions += 1
            self.session = {"sessionId": f"amzn1.echo-api.session.{self.sessions}",
                            "attributes": {}}
        assert self.session is not None
        request["session"].update(new=new, sessionId=self.session["sessionId"],
                                  attributes=copy.deepcopy(self.session["attributes"]))
        request["session"]["user"]["userId"] = self.user_id
        request["context"]["System"]["user"]["userId"] = self.user_id
        stamp = self.clock.replace(microsecond=0)
        request["request"]["timestamp"] = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
        request["request"]["requestId"] = f"amzn1.echo-api.request.{math.floor(stamp.timestamp())}"
        return request

    @staticmethod
    def _slot(name: str, raw: str, value_id: str | None, value_name: str | None) -> dict[str, Any]:
        authority = "amzn1.er-authority.echo-sdk.amzn1.ask.skill.TEST.ROUTINE_NAME"
        if value_id is None:
            resolution = {"authority": authority, "status": {"code": "ER_SUCCESS_NO_MATCH"}}
        else:
            resolution = {"authority": authority, "status": {"code": "ER_SUCCESS_MATCH"},
                          "values": [{"value": {"name": value_name, "id": value_id}}]}
        return {"name": name, "value": raw, "confirmationStatus": "NONE",
                "resolutions": {"resolutionsPerAuthority": [resolution]}}
