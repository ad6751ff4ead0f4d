"""The largest replies: speech and whole-response size for the replies that say the most.

Run as `python -m benchmarks.replies`. Each scenario is a person speaking to the real Lambda
entry, utterances resolved through the interaction model as on a device. Alexa's limits are
8,000 characters of SSML per speech and 24 KB for the whole response; the skill aims for 60 %.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from benchmarks.common import MODEL_FILE, ensure_import_paths, print_json

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]

FIRST_DAY = 1_800_000_000.0
DAY_S = 86_400.0
SPOKEN_REQUEST_S = 1.5
START_LATENCY_S = 1.0


class Device:
    """An Echo for one person: says utterances and remembers when the last reply started."""

    def __init__(self, handler: Handler, user_id: str, model: dict[str, Any]) -> None:
        from psoas_release.simulator.envelopes import Envelopes

        self.handler = handler
        self.model = model
        self.envelopes = Envelopes(user_id, api_access_token="")
        self.now = FIRST_DAY
        self.speech_started = FIRST_DAY
        self.last: dict[str, Any] = {}

    def say(self, utterance: str) -> dict[str, Any]:
        from psoas_release.utterances import resolve

        self.now += SPOKEN_REQUEST_S
        request = self.envelopes.utterance(resolve(utterance, self.model), self.now)
        self.last = self.handler(request, None)
        self.envelopes.received(request, self.last)
        self.speech_started = self.now + START_LATENCY_S
        return self.last

    def wait_until_heard(self, phrase: str, plus: float) -> None:
        from psoas_release.simulator.heard import Heard

        self.now = self.speech_started + Heard(self.last).seconds_until(phrase) + plus

    def wait(self, seconds: float) -> None:
        self.now += seconds


def sizes(response: dict[str, Any]) -> dict[str, int]:
    """The longest SSML (speech or reprompt) and the whole response's JSON size in bytes."""
    body = response.get("response") or {}
    speeches = [body.get("outputSpeech") or {}, (body.get("reprompt") or {}).get("outputSpeech")
                or {}]
    return {
        "ssml_chars": max(len(speech.get("ssml") or "") for speech in speeches),
        "json_bytes": len(json.dumps(response).encode()),
    }


def scenarios(handler: Handler, model: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each scenario's reply, from a person of its own (so a first launch is a first launch)."""
    replies: dict[str, dict[str, Any]] = {}
    users = iter(f"amzn1.ask.account.BENCHMARK-REPLIES-{n}" for n in range(100))

    def device() -> Device:
        return Device(handler, next(users), model)

    first = device()
    replies["launch, first-time user"] = first.say("open psoas release")
    first.wait(DAY_S)
    replies["launch, returning user"] = first.say("open psoas release")

    holding = device()
    holding.say("start psoas release")
    holding.wait_until_heard("starting now.", plus=35)
    replies["form cue mid-hold"] = holding.say("repeat the form cue")

    helped = device()
    helped.say("start psoas release")
    helped.wait_until_heard("One minute, starting now.", plus=20)
    replies["help mid-hold"] = helped.say("help")

    replies["list routines"] = device().say("ask psoas release what routines there are")
    replies["start the 5-minute routine"] = device().say(
        "ask psoas release to start the five minute one")
    return replies


def measure() -> dict[str, dict[str, int]]:
    ensure_import_paths()
    import lambda_function

    model: dict[str, Any] = json.loads(MODEL_FILE.read_text())
    replies = scenarios(lambda_function.lambda_handler, model)
    return {name: sizes(response) for name, response in replies.items()}


if __name__ == "__main__":
    print_json(measure())
