"""Warm request latency: many requests to skills that are already built, in one process.

Run as `python -m benchmarks.warm ITERATIONS WARMUP` (the harness does this, in a fresh
process with the store in a temporary folder). Each iteration, in turn: the bare skill answers
the real LaunchRequest envelope; the Lambda entry answers a LaunchRequest (a new session, the
same person on the next day) and then "repeat the form cue" 35 s into the first hold, with the
session attributes the launch left; the same skill on an in-memory store does the same, which
separates the skill's own work from the store's.

The envelopes carry no apiAccessToken, so no time-zone lookup is made: a warm launch's lookup
is network latency, which nothing offline can measure (see cold.py for its import cost).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, cast

from benchmarks.common import ensure_import_paths, envelope, print_json

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]

FIRST_DAY = 1_800_000_000.0
DAY_S = 86_400.0
INTO_THE_HOLD_S = 35.0
BENCH_USER = "amzn1.ask.account.BENCHMARK-WARM"
MEMORY_USER = "amzn1.ask.account.BENCHMARK-MEMORY"


def timed(handler: Handler, event: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """The handler's response and how long it took, in milliseconds."""
    started = time.perf_counter_ns()
    response = handler(event, None)
    return response, (time.perf_counter_ns() - started) / 1e6


def speech(response: dict[str, Any]) -> str:
    body = response.get("response") or {}
    ssml: str = (body.get("outputSpeech") or {}).get("ssml") or ""
    return ssml


class Person:
    """One person coaching with a skill, a day apart: launch, then a form cue mid-hold."""

    def __init__(self, handler: Handler, user_id: str) -> None:
        from psoas_release.simulator.envelopes import Envelopes

        self.handler = handler
        self.envelopes = Envelopes(user_id, api_access_token="")
        self.day = FIRST_DAY

    def session(self) -> tuple[float, float]:
        """(launch ms, form cue ms) for one session; the next session is a day later."""
        from psoas_release.alexa.handlers import SORRY
        from psoas_release.simulator.heard import Heard

        launch = self.envelopes.launch(self.day)
        response, launch_ms = timed(self.handler, launch)
        self.envelopes.received(launch, response)
        hold_at = Heard(response).seconds_until("starting now.") + INTO_THE_HOLD_S
        cue = self.envelopes.intent("FormCueIntent", self.day + hold_at)
        cue_response, cue_ms = timed(self.handler, cue)
        self.envelopes.received(cue, cue_response)
        for answer in (response, cue_response):
            if not speech(answer) or SORRY in speech(answer):
                raise RuntimeError(f"the skill did not coach: {speech(answer)!r}")
        self.day += DAY_S
        return launch_ms, cue_ms


def measure(iterations: int, warmup: int) -> dict[str, list[float]]:
    """Latencies in milliseconds, per kind of request, after `warmup` discarded iterations."""
    ensure_import_paths()
    import lambda_function
    from benchmarks import bare_skill
    from psoas_release.alexa.skill import build_skill, invoke_skill
    from psoas_release.storage import MemoryStateStore

    memory_skill = build_skill(store=MemoryStateStore())

    def on_memory(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return invoke_skill(memory_skill, event, context)

    bare_handler = cast(Handler, bare_skill.lambda_handler)
    bare_launch = envelope("launch_request")
    psoas = Person(lambda_function.lambda_handler, BENCH_USER)
    memory = Person(on_memory, MEMORY_USER)
    results: dict[str, list[float]] = {
        name: [] for name in ("bare_launch", "psoas_launch", "psoas_cue",
                              "memory_launch", "memory_cue")
    }
    for index in range(warmup + iterations):
        _, bare_ms = timed(bare_handler, dict(bare_launch))
        psoas_ms = psoas.session()
        memory_ms = memory.session()
        if index < warmup:
            continue
        results["bare_launch"].append(bare_ms)
        results["psoas_launch"].append(psoas_ms[0])
        results["psoas_cue"].append(psoas_ms[1])
        results["memory_launch"].append(memory_ms[0])
        results["memory_cue"].append(memory_ms[1])
    return results


def main(argv: list[str]) -> None:
    iterations, warmup = (int(value) for value in argv)
    print_json(measure(iterations, warmup))


if __name__ == "__main__":
    main(sys.argv[1:])
