"""A response as the person hears it, and whether Alexa would accept it at all.

Why: Alexa refuses a response with invalid SSML, speech over its limits or a body over 24 KB
by saying "there was a problem with the requested skill's response", which would strand a
person mid-hold. The simulator and the tests hold every response to the same checks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from psoas_release.core.ssml import SsmlError, plain_text, validate
from psoas_release.core.state import SessionState
from psoas_release.simulator.playback import seconds_until

MAX_RESPONSE_BYTES = 24 * 1024
EMPTY_SPEECH = "<speak></speak>"


def response_problems(response: Mapping[str, Any]) -> list[str]:
    """Everything Alexa would refuse in `response`; empty when it is fine."""
    problems: list[str] = []
    if response.get("version") != "1.0":
        problems.append(f"version is {response.get('version')!r}, not '1.0'")
    size = len(json.dumps(response).encode())
    if size > MAX_RESPONSE_BYTES:
        problems.append(f"response is {size} bytes, over Alexa's {MAX_RESPONSE_BYTES}")
    body = response.get("response")
    if not isinstance(body, Mapping):
        return [*problems, "no response body"]
    reprompt = body.get("reprompt") or {}
    for label, speech in (("outputSpeech", body.get("outputSpeech")),
                          ("reprompt", reprompt.get("outputSpeech"))):
        if not speech:
            continue
        if speech.get("type") != "SSML":
            problems.append(f"{label} is of type {speech.get('type')!r}, not SSML")
            continue
        try:
            validate(str(speech.get("ssml")))
        except SsmlError as error:
            problems.append(f"{label}: {error}")
    return problems


class Heard:
    """One response, as the person hears it: its words, its reprompt, and the state it keeps."""

    def __init__(self, response: Mapping[str, Any]) -> None:
        self.response = response
        body = response.get("response") or {}
        self.ssml: str = (body.get("outputSpeech") or {}).get("ssml", EMPTY_SPEECH)
        self.text = plain_text(self.ssml)
        reprompt = (body.get("reprompt") or {}).get("outputSpeech") or {}
        self.reprompt_ssml: str | None = reprompt.get("ssml") if reprompt else None
        self.reprompt = plain_text(self.reprompt_ssml) if self.reprompt_ssml else ""
        self.ends_session = body.get("shouldEndSession") is not False
        """An Echo without a screen closes the session unless told `false`."""
        attributes = response.get("sessionAttributes") or {}
        self.state = SessionState.from_dict(attributes.get("state"))
        self.directives: list[Mapping[str, Any]] = list(body.get("directives") or [])

    @property
    def asks_for_permission(self) -> bool:
        """Whether Alexa is to ask the person for a permission after this reply."""
        return any(directive.get("type") == "Connections.SendRequest"
                   and directive.get("name") == "AskFor" for directive in self.directives)

    def seconds_until(self, phrase: str, occurrence: int = 1, pace: float = 1.0) -> float:
        """When `phrase` starts, in seconds from the start of this reply's speech, on a device
        whose voice takes `pace` seconds per second of the speaking model."""
        offset = seconds_until(self.ssml, phrase, occurrence, pace)
        if offset is None:
            raise AssertionError(f"{phrase!r} (occurrence {occurrence}) not in: {self.text}")
        return offset
