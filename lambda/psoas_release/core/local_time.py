"""The person's own calendar: their date at an instant, from their IANA time zone.

Loading a zone's rules (`zoneinfo`, which finds its files through `sysconfig`) costs some 2 ms
of a cold start, and every returning person's launch needs today's date for their streak. A
zone keeps one UTC offset for months at a time, so the state carries an `OffsetSpan`: the
offset, and the stretch of time it was worked out to hold for. Within it a date is UTC plus
the offset, exactly; outside it, or for another zone, the rules are loaded and a new span is
worked out for the next `SPAN_HORIZON_S`.
"""

import math
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any, NamedTuple

from psoas_release.core.values import is_finite

SPAN_HORIZON_S = 60 * 86_400.0
"""How far ahead a span is worked out; a zone changes its offset at most a few times a year."""

SPAN_STEP_S = 86_400.0
"""The span is sampled a day apart, then the change found to the second: an offset that came
and went within one day would be missed, and no zone in use has one."""

LONGEST_ZONE_NAME = 64
LARGEST_OFFSET_S = 26 * 3_600.0
"""Every real UTC offset is within a day; a record claiming more is corrupt."""


class OffsetSpan(NamedTuple):
    """From `since` until just before `until` (epoch seconds), `zone` is UTC + `offset_s`."""

    zone: str
    offset_s: float
    since: float
    until: float

    def covers(self, time_zone: str | None, at: float) -> bool:
        return self.zone == time_zone and self.since <= at < self.until

    def to_dict(self) -> dict[str, Any]:
        return {"zone": self.zone, "offset_s": self.offset_s, "since": self.since,
                "until": self.until}

    @classmethod
    def from_dict(cls, data: Any) -> "OffsetSpan | None":
        """The span in `data` (None when there is none); TypeError/ValueError if corrupt."""
        if data is None:
            return None
        if not isinstance(data, dict) or data.keys() != set(cls._fields):
            raise TypeError("utc_offset is not an offset span")
        zone, numbers = data["zone"], [data[name] for name in ("offset_s", "since", "until")]
        if not isinstance(zone, str) or not 0 < len(zone) <= LONGEST_ZONE_NAME:
            raise TypeError("utc_offset names no zone")
        if not all(is_finite(number) for number in numbers):
            raise TypeError("utc_offset holds something that is not a number")
        offset_s, since, until = (float(number) for number in numbers)
        if abs(offset_s) > LARGEST_OFFSET_S or not since < until:
            raise ValueError("utc_offset is out of range")
        return cls(zone, offset_s, since, until)


def zone(name: str | None) -> tzinfo:
    """The named IANA time zone, or UTC when there is none or it is not a real zone."""
    if not name:
        return UTC
    # Imported here: see the module's notes.
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def local_datetime(at: float, time_zone: str | None, span: OffsetSpan | None = None) -> datetime:
    """The person's clock at epoch second `at`: from `span` when it covers `at` in
    `time_zone`, else from the zone's rules. Raises OverflowError, OSError or ValueError
    beyond the dates Python can hold."""
    if span is not None and span.covers(time_zone, at):
        return datetime.fromtimestamp(at, tz=timezone(timedelta(seconds=span.offset_s)))
    return datetime.fromtimestamp(at, tz=zone(time_zone))


def local_date(at: float, time_zone: str | None, span: OffsetSpan | None = None) -> date:
    """The person's calendar date at epoch second `at` (clamped to dates Python can hold)."""
    try:
        return local_datetime(at, time_zone, span).date()
    except (OverflowError, OSError, ValueError):
        return date.min if at < 0 else date.max


def span_at(at: float, time_zone: str | None, known: OffsetSpan | None) -> OffsetSpan | None:
    """A span covering `at` in `time_zone`: `known` if it does, else one worked out from the
    zone's rules from `at` on; None without a zone, or where Python's dates end."""
    if not time_zone:
        return None
    if known is not None and known.covers(time_zone, at):
        return known
    rules = zone(time_zone)
    try:
        offset = _offset(rules, at)
        until = at + SPAN_HORIZON_S
        sample = at
        while sample < until:
            step_end = min(sample + SPAN_STEP_S, until)
            if _offset(rules, step_end) != offset:
                until = _first_change(rules, offset, sample, step_end)
                break
            sample = step_end
    except (OverflowError, OSError, ValueError):
        return None
    return OffsetSpan(time_zone, offset, at, until)


def _offset(rules: tzinfo, at: float) -> float:
    """The zone's UTC offset at `at`, in seconds."""
    offset = datetime.fromtimestamp(at, tz=rules).utcoffset() or timedelta()
    return offset.total_seconds()


def _first_change(rules: tzinfo, offset: float, before: float, after: float) -> float:
    """The first whole second after `before` whose offset is not `offset`, given that `before`
    has it and `after` does not: zones change offsets on whole seconds."""
    low, high = math.floor(before), math.ceil(after)
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(rules, middle) == offset:
            low = middle
        else:
            high = middle
    return float(high)
