"""An Echo device in a test: typed utterances in, real Alexa envelopes to the real
`lambda_handler`, real response JSON out, with a clock that runs the way speech does.

Utterances resolve through the interaction model's samples (never a list in the tests), so a
phrase the model lacks fails here the way it would on a device. Envelopes are built by the
same `psoas_release.simulator.envelopes.Envelopes` the simulator uses, and every response is
checked against Alexa's limits (`response_problems`) before the test sees it.

Unlike the simulator, this device does nothing by itself unless asked to (`closes_sessions`):
no reprompts, no timeouts. A test says exactly what happens, and when.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from psoas_release.core.position import (
    ANSWER_AFTER_S,
    LISTEN_S,
    SPOKEN_REQUEST_S,
    START_LATENCY_S,
)
from psoas_release.core.speaking import WORDS_PER_MINUTE
from psoas_release.core.speech import piece_seconds
from psoas_release.core.ssml import pieces_of
from psoas_release.simulator.envelopes import API_ENDPOINT, Envelopes
from psoas_release.simulator.heard import MAX_RESPONSE_BYTES, Heard, response_problems
from psoas_release.utterances import resolve

__all__ = ["ENVELOPES", "MAX_RESPONSE_BYTES", "EchoDevice", "Heard", "check_response",
           "envelope"]

ENVELOPES = Path(__file__).parent / "envelopes"
TEST_USER_ID = "amzn1.ask.account.TESTUSER"
TEST_DEVICE_ID = "amzn1.ask.device.TESTDEVICE"
TEST_TOKEN = "test-token"
CONSENT_TAKES_S = 6.0
"""From the reply that asks for consent to Alexa's answer: its question, and the person's."""
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def envelope(name: str) -> dict[str, Any]:
    """A fresh copy of a request envelope file."""
    document: dict[str, Any] = json.loads((ENVELOPES / f"{name}.json").read_text())
    return document


def check_response(response: dict[str, Any]) -> None:
    """Everything Alexa requires of a response: valid SSML within limits, size, shape."""
    problems = response_problems(response)
    assert not problems, problems


class EchoDevice:
    """One person's Echo: sessions, timestamps in whole seconds, speech that takes time."""

    def __init__(self, handler: Handler, model: dict[str, Any],
                 user_id: str = TEST_USER_ID, voice_wpm: float = WORDS_PER_MINUTE,
                 device_id: str = TEST_DEVICE_ID, api_endpoint: str = API_ENDPOINT,
                 closes_sessions: bool = False) -> None:
        self.handler = handler
        self.model = model
        self.user_id = user_id
        self.pace = WORDS_PER_MINUTE / voice_wpm
        """Seconds this device's voice takes per second of the speaking model; the skill is
        never told it."""
        self.closes_sessions = closes_sessions
        """Whether this Echo ends a session nobody answers by itself, as Alexa does; by default
        a test says exactly when a session ends."""
        self.envelopes = Envelopes(user_id, device_id=device_id,
                                   api_access_token=TEST_TOKEN, api_endpoint=api_endpoint)
        self.clock = datetime(2026, 11, 26, 7, 0, 0, tzinfo=UTC)
        self.last: Heard | None = None
        self.speech_started = self.clock

    @property
    def session(self) -> dict[str, Any] | None:
        """The open session (its id and the attributes it carries), or None."""
        if not self.envelopes.in_session:
            return None
        return {"sessionId": self.envelopes.session_id, "attributes": self.envelopes.attributes}

    @property
    def sessions(self) -> int:
        """How many sessions this device has opened."""
        return self.envelopes.sessions

    def wait(self, seconds: float) -> None:
        """Let time pass. An Echo that closes sessions (`closes_sessions`) does what Alexa does
        when that time runs past a reply nobody answered: it ends the session, then."""
        target = self.clock + timedelta(seconds=seconds)
        closes_at = self._closes_at() if self.closes_sessions else None
        if closes_at is not None and closes_at <= target:
            self.clock = max(self.clock, closes_at)
            self.end_session("EXCEEDED_MAX_REPROMPTS")
        self.clock = max(self.clock, target)

    def _closes_at(self) -> datetime | None:
        """When Alexa ends the open session if no one speaks: the reply, a listening window,
        the reprompt if there is one and a second window."""
        if self.last is None or not self.envelopes.in_session:
            return None
        ends = self.speech_started + timedelta(seconds=self.speaking_s(self.last.ssml) + LISTEN_S)
        if self.last.reprompt_ssml:
            ends += timedelta(seconds=self.speaking_s(self.last.reprompt_ssml) + LISTEN_S)
        return ends

    def wait_until_heard(self, phrase: str, plus: float = 0.0, occurrence: int = 1) -> None:
        """Wait until the last reply's speech reaches `phrase`, then `plus` seconds more."""
        assert self.last is not None
        at = self.speech_started + timedelta(
            seconds=self.last.seconds_until(phrase, occurrence, self.pace) + plus)
        assert at >= self.clock, "that moment has passed"
        self.clock = at

    def speaking_s(self, ssml: str) -> float:
        """How long `ssml` plays on this device, at its own voice pace."""
        return sum(piece_seconds(piece, self.pace) for piece in pieces_of(ssml))

    def wait_into_speech(self, seconds: float) -> None:
        """Wait until the last reply has been speaking for `seconds`."""
        at = self.speech_started + timedelta(seconds=seconds)
        assert at >= self.clock, "that moment has passed"
        self.clock = at

    def wait_until_quiet(self) -> None:
        """Let the last reply's speech play to its end."""
        assert self.last is not None
        self.clock = max(self.clock, self.speech_started
                         + timedelta(seconds=self.speaking_s(self.last.ssml)))

    def answer(self, utterance: str, after_s: float = ANSWER_AFTER_S) -> Heard:
        """Hear the last reply to its end and answer its question `after_s` later."""
        self.wait_until_quiet()
        self.wait(after_s)
        return self.say(utterance)

    def time_out(self) -> Heard:
        """Say nothing: Alexa listens, plays the reprompt, listens, then ends the session."""
        closes_at = self._closes_at()
        assert closes_at is not None, "no open session to time out"
        self.clock = max(self.clock, closes_at)
        return self.end_session("EXCEEDED_MAX_REPROMPTS")

    def say(self, utterance: str) -> Heard:
        """Say "Alexa, <utterance>": launch, one-shot or in-session intent, as Alexa would."""
        resolution = resolve(utterance, self.model)
        self.wait(SPOKEN_REQUEST_S)
        return self.send(self.envelopes.utterance(resolution, self._now()))

    def answer_consent(self, status: str) -> Heard:
        """Alexa asked for the permission the last reply's directive named; the person answered
        (ACCEPTED, DENIED) or did not (NOT_ANSWERED), and Alexa tells the skill."""
        assert self.last is not None and self.last.asks_for_permission
        self.wait_until_quiet()
        self.wait(CONSENT_TAKES_S)
        return self.send(self.envelopes.consent_answer(status, self._now()))

    def end_session(self, reason: str = "EXCEEDED_MAX_REPROMPTS") -> Heard:
        return self.send(self.envelopes.session_ended(reason, self._now()))

    def send(self, request: dict[str, Any]) -> Heard:
        response = self.handler(request, None)
        check_response(response)
        self.envelopes.received(request, response)
        heard = Heard(response)
        self.last = heard
        self.speech_started = self.clock + timedelta(seconds=START_LATENCY_S)
        return heard

    def _now(self) -> float:
        return self.clock.timestamp()
