"""A time of day on the person's own clock: heard from speech, taken from when they practised,
and said back the way a person says it.

A daily reminder is a time of day, not a moment: "seven in the morning" wherever the person's
clock says it. Alexa hears times as "07:30" (or "MO" for "morning"); the time someone
practised comes from a request's timestamp and their time zone, rounded to the quarter hour,
because "a quarter past seven" is a habit and "seven nineteen" is an accident.
"""

import re
from datetime import datetime, timedelta
from typing import NamedTuple

from psoas_release.core.local_time import OffsetSpan, local_datetime
from psoas_release.core.numbers import number_words

MINUTES_A_DAY = 24 * 60
QUARTER_HOUR = 15

PARTS_OF_THE_DAY = {"MO": (7, 0), "AF": (14, 0), "EV": (19, 0), "NI": (21, 0)}
"""What Alexa's AMAZON.TIME sends for "morning", "afternoon", "evening" and "night", and the
hour a reminder for it is set at."""

_HH_MM = r"^(\d{2}):(\d{2})(?::\d{2})?$"
"""Compiled by `re` on first use: most requests never read a time."""


class _HourAndMinute(NamedTuple):
    hour: int
    minute: int


class ClockTime(_HourAndMinute):
    """Hours and minutes of a day, 00:00 to 23:59; ordered as the day goes."""

    __slots__ = ()

    def __new__(cls, hour: int, minute: int) -> "ClockTime":
        if not (0 <= hour < 24 and 0 <= minute < 60):
            raise ValueError(f"{hour}:{minute} is not a time of day")
        return super().__new__(cls, hour, minute)

    @classmethod
    def parse(cls, value: object) -> "ClockTime | None":
        """The time in an AMAZON.TIME slot value or a stored "HH:MM"; None when it is not one
        (the slot is untrusted, and "XXXX-WXX" or "" are not times a reminder can take)."""
        if not isinstance(value, str):
            return None
        if value in PARTS_OF_THE_DAY:
            return cls(*PARTS_OF_THE_DAY[value])
        match = re.match(_HH_MM, value)
        if match is None or int(match[1]) > 23 or int(match[2]) > 59:
            return None
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def practised_at(cls, at: float, time_zone: str | None,
                     span: OffsetSpan | None = None) -> "ClockTime":
        """The quarter hour nearest to epoch second `at` on the person's clock."""
        local = local_datetime(at, time_zone, span)
        minutes = local.hour * 60 + local.minute + local.second / 60
        nearest = round(minutes / QUARTER_HOUR) * QUARTER_HOUR % MINUTES_A_DAY
        return cls(*divmod(int(nearest), 60))

    @property
    def text(self) -> str:
        """'07:30': how it is stored."""
        return f"{self.hour:02d}:{self.minute:02d}"

    @property
    def spoken(self) -> str:
        """'seven thirty in the morning', 'noon', 'nine oh five at night'."""
        if (self.hour, self.minute) == (12, 0):
            return "noon"
        if (self.hour, self.minute) == (0, 0):
            return "midnight"
        hour = number_words(self.hour % 12 or 12)
        if self.minute == 0:
            said = hour
        elif self.minute < 10:
            said = f"{hour} oh {number_words(self.minute)}"
        else:
            said = f"{hour} {number_words(self.minute)}"
        return f"{said} {_part_of_the_day(self.hour)}"

    def next_after(self, at: float, time_zone: str | None,
                   span: OffsetSpan | None = None) -> datetime:
        """The first moment after epoch second `at` when the person's clock shows this time,
        as local wall time without a zone (how the Reminders API takes a start)."""
        now = local_datetime(at, time_zone, span).replace(tzinfo=None)
        today = now.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        return today if today > now else today + timedelta(days=1)


def _part_of_the_day(hour: int) -> str:
    if 5 <= hour < 12:
        return "in the morning"
    if 12 <= hour < 18:
        return "in the afternoon"
    if 18 <= hour < 21:
        return "in the evening"
    return "at night"
