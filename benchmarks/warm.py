"""Warm request latency: many requests to skills that are already built, in one process.

Run as `python -m benchmarks.warm ITERATIONS WARMUP` (the harness does this, in a fresh
process with the stores in a temporary folder). Each iteration is one session of one person,
a day after the last: a LaunchRequest (a returning person whose last routine played out, so
the reply coaches the whole routine again), then "repeat the form cue" at a random point 5 to
55 s into the first hold, with the session attributes the launch left. A fixed point would hit
the render cache nine times in ten and hide the cost. The floor skill (benchmarks/floor_skill.py)
and the bare skill answer the very same envelopes; the same skill on an in-memory store does the
same session, which separates the skill's own work from its store's.

The envelopes carry no apiAccessToken, so no time-zone lookup is made: a warm lookup is network
latency, which nothing offline can measure (see cold.py for its import cost).
"""

from __future__ import annotations

import copy
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from benchmarks.common import STATE_DB_ENV, ensure_import_paths, print_json

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]

FIRST_DAY = 1_800_000_000.0
DAY_S = 86_400.0
INTO_THE_HOLD_S = (5.0, 55.0)
BENCH_USER = "amzn1.ask.account.BENCHMARK-WARM"
MEMORY_USER = "amzn1.ask.account.BENCHMARK-MEMORY"
SEED = 15


def timed(handler: Handler, event: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """The handler's response to a copy of `event` and how long it took, in milliseconds."""
    event = copy.deepcopy(event)
    started = time.perf_counter_ns()
    response = handler(event, None)
    return response, (time.perf_counter_ns() - started) / 1e6


def speech(response: dict[str, Any]) -> str:
    body = response.get("response") or {}
    ssml: str = (body.get("outputSpeech") or {}).get("ssml") or ""
    return ssml


class Person:
    """One person coaching with a skill, a day apart: launch, then a form cue mid-hold."""

    def __init__(self, handler: Handler, user_id: str, seed: int) -> None:
        from psoas_release.simulator.envelopes import Envelopes

        self.handler = handler
        self.envelopes = Envelopes(user_id, api_access_token="")
        self.day = FIRST_DAY
        self.random = random.Random(seed)

    def session(self, floor: Handler | None = None,
                bare: Handler | None = None) -> dict[str, float]:
        """Milliseconds for this session's launch and form cue, for the floor answering the
        same two envelopes, and for the bare skill answering the launch (it handles nothing
        else); the next session is a day later."""
        from psoas_release.alexa.handlers import SORRY
        from psoas_release.simulator.heard import Heard

        timings: dict[str, float] = {}
        launch = self.envelopes.launch(self.day)
        response, timings["launch"] = timed(self.handler, launch)
        self.envelopes.received(launch, response)
        hold_at = Heard(response).seconds_until("starting now.") + self.random.uniform(
            *INTO_THE_HOLD_S)
        cue = self.envelopes.intent("FormCueIntent", self.day + hold_at)
        cue_response, timings["cue"] = timed(self.handler, cue)
        self.envelopes.received(cue, cue_response)
        for answer in (response, cue_response):
            if not speech(answer) or SORRY in speech(answer):
                raise RuntimeError(f"the skill did not coach: {speech(answer)!r}")
        if floor is not None:
            timings["floor_launch"] = timed(floor, launch)[1]
            timings["floor_cue"] = timed(floor, cue)[1]
        if bare is not None:
            timings["bare_launch"] = timed(bare, launch)[1]
        self.day += DAY_S
        return timings


def measure(iterations: int, warmup: int) -> dict[str, list[float]]:
    """Latencies in milliseconds, per skill and request, after `warmup` discarded sessions."""
    ensure_import_paths()
    import lambda_function
    from psoas_release.alexa.skill import build_skill, invoke_skill
    from psoas_release.storage import MemoryStateStore

    # The floor opens its store at import, from the same variable: give it a file of its own,
    # so that neither skill pays for checkpointing the other's writes.
    own_file = Path(os.environ[STATE_DB_ENV])
    os.environ[STATE_DB_ENV] = str(own_file.with_name(f"floor-{own_file.name}"))
    from benchmarks import bare_skill, floor_skill

    memory_skill = build_skill(store=MemoryStateStore())

    def on_memory(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return invoke_skill(memory_skill, event, context)

    floor = cast(Handler, floor_skill.lambda_handler)
    bare = cast(Handler, bare_skill.lambda_handler)
    psoas = Person(lambda_function.lambda_handler, BENCH_USER, SEED)
    memory = Person(on_memory, MEMORY_USER, SEED)
    results: dict[str, list[float]] = {}
    for index in range(warmup + iterations):
        timings = psoas.session(floor, bare)
        timings.update({f"memory_{name}": value for name, value in memory.session().items()})
        if index < warmup:
            continue
        for name, value in timings.items():
            results.setdefault(name, []).append(value)
    return results


def main(argv: list[str]) -> None:
    iterations, warmup = (int(value) for value in argv)
    print_json(measure(iterations, warmup))


if __name__ == "__main__":
    main(sys.argv[1:])
