"""Simulated time: the only clock the simulator reads.

Why: the skill reasons from request timestamps alone, so a ten-minute routine can be heard
faster than real time (`--speed 10`) or replayed with no waiting at all (`--instant`, speed 0),
which is what scripts and tests use. The speed is for speech only: while Alexa listens the
clock runs at real time, because a person needs Alexa's real 8 seconds to answer whatever the
playback speed. A frozen clock moves only when told to, so a test never sleeps.
"""

from __future__ import annotations

import time
from collections.abc import Callable

MIN_REAL_WAIT_S = 0.001


class SimulatedClock:
    """Epoch seconds that run `speed` times as fast as real time (0: only when told), and at
    real time from `listen_from` until `play`."""

    def __init__(
        self,
        start: float,
        speed: float = 1.0,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if speed < 0:
            raise ValueError(f"speed must be 0 or more, not {speed}")
        self.speed = speed
        self.started_at = start
        self._monotonic = monotonic
        self._sleep = sleep
        self._base = start
        self._real_base = monotonic()
        self._real_time_from: float | None = None

    @property
    def instant(self) -> bool:
        """True when no real time ever passes: waits jump straight to their end."""
        return self.speed == 0

    def now(self) -> float:
        return self._base if self.instant else self._at(self._monotonic())

    def _at(self, real: float) -> float:
        """Simulated time at monotonic reading `real`: fast, then real time from the switch."""
        real_elapsed = real - self._real_base
        fast = self._base + real_elapsed * self.speed
        switch = self._real_time_from
        if switch is None or fast <= switch:
            return fast
        reached = max(self._base, switch)
        return reached + real_elapsed - (reached - self._base) / self.speed

    def elapsed(self) -> float:
        """Simulated seconds since the clock started: what the transcript shows."""
        return self.now() - self.started_at

    def advance(self, seconds: float) -> None:
        """Jump forward by `seconds` of simulated time, at once (a spoken request, a wait)."""
        self._rebase()
        self._base += max(0.0, seconds)

    def listen_from(self, at: float) -> None:
        """Run at real time from simulated time `at` (when the speech ends) until `play`."""
        self._rebase()
        self._real_time_from = at

    def play(self) -> None:
        """Run at `speed` again from now: a reply is playing, or no one is listening."""
        self._rebase()
        self._real_time_from = None

    def real_seconds_until(self, at: float) -> float:
        """How long to really wait for simulated time `at`: 0 when instant or already past.

        Never less than `MIN_REAL_WAIT_S` otherwise: a wait shorter than float resolution at
        epoch magnitudes would not move the clock, and a loop waiting on it would spin.
        """
        if self.instant:
            return 0.0
        now = self.now()
        switch = self._real_time_from
        if switch is None or at <= switch:
            remaining = (at - now) / self.speed
        else:
            remaining = max(0.0, switch - now) / self.speed + at - max(now, switch)
        return 0.0 if remaining <= 0 else max(remaining, MIN_REAL_WAIT_S)

    def sleep_until(self, at: float) -> None:
        """Let simulated time reach `at`: sleep in real time, or jump when instant."""
        if self.instant:
            self._base = max(self._base, at)
            return
        while (remaining := self.real_seconds_until(at)) > 0:
            self._sleep(remaining)

    def _rebase(self) -> None:
        """Count from here: the time so far is fixed before the way it runs changes."""
        if not self.instant:
            real = self._monotonic()
            self._base, self._real_base = self._at(real), real
