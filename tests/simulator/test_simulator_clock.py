"""The simulated clock: faster than real time, or frozen, and never spinning."""

from __future__ import annotations

import pytest

from psoas_release.simulator.clock import SimulatedClock
from tests.simulator.conftest import FakeRealTime


def test_speed_10_runs_ten_simulated_seconds_per_real_second() -> None:
    real = FakeRealTime()
    clock = SimulatedClock(1000.0, 10, monotonic=real.monotonic, sleep=real.sleep)
    real.sleep(1.5)
    assert clock.now() == 1015.0
    assert clock.real_seconds_until(1035.0) == pytest.approx(2.0)
    clock.sleep_until(1035.0)
    assert clock.now() == pytest.approx(1035.0)
    clock.advance(1.5)
    assert clock.elapsed() == pytest.approx(36.5)


def test_a_frozen_clock_moves_only_when_told() -> None:
    clock = SimulatedClock(1000.0, 0, sleep=lambda seconds: pytest.fail("slept"))
    assert clock.instant and clock.now() == 1000.0
    assert clock.real_seconds_until(2000.0) == 0.0
    clock.sleep_until(1060.0)
    clock.sleep_until(1030.0)
    assert clock.now() == 1060.0


def test_a_wait_below_float_resolution_still_moves_the_clock() -> None:
    real = FakeRealTime()
    start = 1_795_000_000.0
    clock = SimulatedClock(start, 20, monotonic=real.monotonic, sleep=real.sleep)
    target = start + 1e-7
    clock.sleep_until(target)
    assert clock.now() >= target


def test_a_negative_speed_is_refused() -> None:
    with pytest.raises(ValueError):
        SimulatedClock(0.0, -1)


def test_while_alexa_listens_the_clock_runs_at_real_time() -> None:
    real = FakeRealTime()
    clock = SimulatedClock(1000.0, 10, monotonic=real.monotonic, sleep=real.sleep)
    clock.listen_from(1020.0)  # the speech ends 20 simulated seconds from now
    assert clock.real_seconds_until(1028.0) == pytest.approx(2.0 + 8.0)
    real.sleep(1.0)
    assert clock.now() == pytest.approx(1010.0)
    real.sleep(1.0 + 5.0)
    assert clock.now() == pytest.approx(1025.0)
    clock.play()  # the next reply plays at speed again
    real.sleep(1.0)
    assert clock.now() == pytest.approx(1035.0)


def test_listening_from_a_time_already_past_is_real_time_at_once() -> None:
    real = FakeRealTime()
    clock = SimulatedClock(1000.0, 20, monotonic=real.monotonic, sleep=real.sleep)
    real.sleep(1.0)
    clock.listen_from(1005.0)
    real.sleep(3.0)
    assert clock.now() == pytest.approx(1023.0)
    clock.advance(2.0)
    assert clock.now() == pytest.approx(1025.0)
    assert clock.real_seconds_until(1030.0) == pytest.approx(5.0)


def test_a_frozen_clock_stays_frozen_while_listening() -> None:
    clock = SimulatedClock(1000.0, 0, sleep=lambda seconds: pytest.fail("slept"))
    clock.listen_from(1000.0)
    clock.sleep_until(1008.0)
    assert clock.now() == 1008.0
