"""Reading request envelopes: every request reads exactly as the SDK's own reader reads it,
though Alexa's timestamp is read by the stdlib (`alexa/envelope.py`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model.request_envelope import RequestEnvelope
from dateutil.parser import parse
from hypothesis import given
from hypothesis import strategies as st

from psoas_release.alexa.envelope import read_envelope, request_timestamp
from tests.skill.device import ENVELOPES, envelope

STOCK = DefaultSerializer()

instants = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9999, 12, 30),
                        timezones=st.sampled_from([UTC, timezone(timedelta(hours=-7)),
                                                   timezone(timedelta(hours=5, minutes=30))]))


@given(instants, st.sampled_from(["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ",
                                  "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z"]))
def test_a_stamp_reads_as_the_sdk_reads_it(instant: datetime, shape: str) -> None:
    stamp = instant.strftime(shape)
    assert request_timestamp(stamp) == parse(stamp)


@pytest.mark.parametrize("stamp", ["2026-11-26 07:00:00 UTC", "Nov 26 2026 07:00Z"])
def test_a_stamp_the_stdlib_refuses_is_read_by_dateutil(stamp: str) -> None:
    assert request_timestamp(stamp) == parse(stamp)


@pytest.mark.parametrize("stamp", ["not a time", "", "2026-13-45T99:99:99Z", 1764140400, []])
def test_a_stamp_that_is_not_a_time_is_refused(stamp: Any) -> None:
    with pytest.raises((ValueError, TypeError, OverflowError)):
        request_timestamp(stamp)


@pytest.mark.parametrize("name", sorted(path.stem for path in ENVELOPES.glob("*.json")))
def test_every_envelope_reads_as_the_sdk_reads_it(name: str) -> None:
    event = envelope(name)
    stock = STOCK.deserialize(json.dumps(event), RequestEnvelope)
    ours = read_envelope(event)
    assert ours is not None
    assert ours.request == stock.request
    assert ours.session == stock.session
    assert isinstance(ours.request.timestamp, datetime)
    assert event["request"]["timestamp"] == envelope(name)["request"]["timestamp"], \
        "the event is left as it came"


def test_an_envelope_with_a_broken_stamp_is_unreadable() -> None:
    event = envelope("launch_request")
    event["request"]["timestamp"] = "yesterday"
    assert read_envelope(event) is None
