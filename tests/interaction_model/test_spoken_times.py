"""Spoken times become what Alexa's AMAZON.TIME reports, so typed phrases reach the skill as a
device's would: "half past six" as "06:30", "every morning" as "MO"."""

from __future__ import annotations

import pytest

from psoas_release.simulator.app import load_model
from psoas_release.simulator.envelopes import Envelopes
from psoas_release.spoken_times import time_value
from psoas_release.utterances import resolve


@pytest.mark.parametrize(("words", "value"), [
    ("seven", "07:00"), ("seven o'clock", "07:00"), ("seven thirty", "07:30"),
    ("eight forty five", "08:45"), ("seven oh five", "07:05"), ("half past six", "06:30"),
    ("a quarter past seven", "07:15"), ("quarter to eight", "07:45"), ("seven p m", "19:00"),
    ("six thirty in the evening", "18:30"), ("twelve a m", "00:00"), ("nineteen", "19:00"),
    ("noon", "12:00"), ("midnight", "00:00"), ("morning", "MO"), ("evening", "EV"),
    ("banana", None), ("seven bananas", None), ("thirty", None), ("half past sixty", None),
])
def test_words_become_the_value_alexa_reports(words: str, value: str | None) -> None:
    assert time_value(words) == value


def test_a_time_slot_carries_alexas_value_and_no_resolutions() -> None:
    model = load_model("en-US")
    resolution = resolve("ask psoas release to remind me every day at half past six", model)
    request = Envelopes().utterance(resolution, 1_800_000_000.0)
    assert request["request"]["intent"]["slots"]["time"] == {
        "name": "time", "confirmationStatus": "NONE", "value": "06:30"}
    unheard = Envelopes().utterance(resolve("remind me at teatime", model), 1_800_000_000.0)
    assert "value" not in unheard["request"]["intent"]["slots"]["time"]
