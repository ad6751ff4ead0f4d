"""The person's calendar: a date from a known UTC offset is the date the zone's rules give."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from psoas_release.core.local_time import (
    SPAN_HORIZON_S,
    OffsetSpan,
    local_date,
    local_datetime,
    span_at,
    zone,
)

BERLIN = "Europe/Berlin"
# Zones with every kind of change: DST north and south, a half-hour offset and DST of half an
# hour, a zone that dropped DST, one that skipped a whole day (Apia, 2011-12-30), no DST at all.
ZONES = ("Europe/Berlin", "America/Los_Angeles", "Australia/Sydney", "Australia/Lord_Howe",
         "Asia/Kolkata", "America/Sao_Paulo", "Pacific/Apia", "Africa/Casablanca", "UTC")
INSTANTS = st.floats(min_value=datetime(2005, 1, 1, tzinfo=UTC).timestamp(),
                     max_value=datetime(2040, 1, 1, tzinfo=UTC).timestamp())


def rules_date(at: float, time_zone: str) -> date:
    return datetime.fromtimestamp(at, tz=ZoneInfo(time_zone)).date()


def wall_clock(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


def test_the_date_is_the_persons_own() -> None:
    late_evening_in_los_angeles = datetime(2026, 11, 27, 5, 30, tzinfo=UTC).timestamp()
    assert local_date(late_evening_in_los_angeles, "America/Los_Angeles") == date(2026, 11, 26)
    assert local_date(late_evening_in_los_angeles, None) == date(2026, 11, 27)
    assert zone("Not/AZone") is UTC


def test_a_span_ends_on_the_second_the_offset_changes() -> None:
    before_spring = datetime(2027, 3, 1, tzinfo=UTC).timestamp()
    span = span_at(before_spring, BERLIN, None)
    assert span is not None
    assert span.offset_s == 3600.0
    assert span.until == datetime(2027, 3, 28, 1, tzinfo=UTC).timestamp(), "01:00 UTC, 28 March"
    summer = span_at(span.until, BERLIN, span)
    assert summer is not None and summer.offset_s == 7200.0 and summer.since == span.until


def test_a_span_that_covers_the_moment_is_kept_and_no_other() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC).timestamp()
    span = span_at(now, BERLIN, None)
    assert span is not None and span.until == now + SPAN_HORIZON_S, "no change before March"
    assert span_at(now + 86_400, BERLIN, span) is span
    assert span_at(now - 1, BERLIN, span) is not span, "before it was worked out"
    assert span_at(now, "Europe/Lisbon", span) != span, "another zone"
    assert span_at(now, None, span) is None


@given(st.sampled_from(ZONES), INSTANTS, st.floats(min_value=0.0, max_value=SPAN_HORIZON_S))
def test_a_clock_from_a_span_is_the_clock_the_rules_give(time_zone: str, computed_at: float,
                                                         later_s: float) -> None:
    span = span_at(computed_at, time_zone, None)
    assert span is not None and span.since == computed_at
    at = computed_at + later_s
    if span.covers(time_zone, at):
        assert wall_clock(local_datetime(at, time_zone, span)) == wall_clock(
            datetime.fromtimestamp(at, tz=ZoneInfo(time_zone)))
        assert local_date(at, time_zone, span) == rules_date(at, time_zone)
    else:
        assert at >= span.until
        after = span_at(span.until, time_zone, None)
        assert after is not None
        assert span.until == computed_at + SPAN_HORIZON_S or after.offset_s != span.offset_s, \
            "a span ends at its horizon or at a change"


@pytest.mark.parametrize("data", [
    {"zone": BERLIN, "offset_s": 3600},
    {"zone": BERLIN, "offset_s": 3600, "since": 10, "until": 5},
    {"zone": BERLIN, "offset_s": 3600, "since": 5, "until": 5},
    {"zone": BERLIN, "offset_s": 200_000, "since": 1, "until": 5},
    {"zone": "", "offset_s": 3600, "since": 1, "until": 5},
    {"zone": BERLIN, "offset_s": True, "since": 1, "until": 5},
    {"zone": BERLIN, "offset_s": float("nan"), "since": 1, "until": 5},
    {"zone": BERLIN, "offset_s": 3600, "since": 1, "until": 5, "more": 1},
    ["Europe/Berlin", 3600, 1, 5],
])
def test_a_corrupt_span_is_refused(data: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        OffsetSpan.from_dict(data)


def test_a_span_from_before_1970_is_kept_like_any_other() -> None:
    """A request stamped before 1970 is odd, but must not leave a record that fails to load."""
    span = span_at(-86_400.0, BERLIN, None)
    assert span is not None
    assert OffsetSpan.from_dict(json.loads(json.dumps(span.to_dict()))) == span


def test_a_span_survives_json() -> None:
    span = span_at(datetime(2026, 12, 1, tzinfo=UTC).timestamp(), "Asia/Kolkata", None)
    assert span is not None
    assert OffsetSpan.from_dict(json.loads(json.dumps(span.to_dict()))) == span


def test_a_launch_within_the_span_loads_no_zone_rules() -> None:
    """What the span is for: a returning person's date without importing zoneinfo."""
    code = (
        "import sys\n"
        "from psoas_release.core.local_time import OffsetSpan, local_date\n"
        "span = OffsetSpan('Europe/Berlin', 3600.0, 1.0e9, 2.0e9)\n"
        "print(local_date(1.5e9, 'Europe/Berlin', span), 'zoneinfo' in sys.modules)\n"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.split()
    assert shown == [str(rules_date(1.5e9, BERLIN)), "False"]
