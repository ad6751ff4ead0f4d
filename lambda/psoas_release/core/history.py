"""Completed routines and streaks, counted on the person's own calendar.

A streak is days in a row, so "a day" must be the person's day: dates come from the request
time in their time zone (from the Alexa settings API when it answers, otherwise UTC; see
`core.local_time`).

A run of a routine counts once, on the day more than half of its coached time has been heard
(skipped holds are not heard). So finishing with a few skips counts, stopping at 70 % and
never coming back counts, and five minutes of a ten-minute routine does not.
"""

from __future__ import annotations

import bisect
import functools
from datetime import date, timedelta

from psoas_release.core.numbers import number_words

COUNTS_AFTER_SHARE = 0.5
"""A run counts once more than this share of its coached time has been heard."""


def run_counts(heard_s: float, coached_s: float) -> bool:
    """Whether a run with `heard_s` of its `coached_s` heard counts towards the history: the
    one rule, for the run being counted and for the streak promised at its end."""
    return heard_s > COUNTS_AFTER_SHARE * coached_s

KEPT_DAYS = 60
"""Completion dates kept, bounded for storage: a longer streak is announced as sixty days."""

WEEK_DAYS = 7
""""This week" is the seven days ending today: on a Monday, last week's practice still counts."""


def record(days: tuple[str, ...], today: date) -> tuple[str, ...]:
    """`days` with `today` added once, newest last, only the last `KEPT_DAYS` kept.

    A history is always kept in order (`record_all`, and a loaded state), so a day after its
    newest, the usual case, is simply added: every request of a run asks for it."""
    day = today.isoformat()
    if not days or days[-1] < day:
        return (*days, day)[-KEPT_DAYS:]
    return record_all(days, (day,))


def record_all(days: tuple[str, ...], more: tuple[str, ...]) -> tuple[str, ...]:
    """Both histories in one, newest last, only the last `KEPT_DAYS` kept."""
    return tuple(sorted(set(days) | set(more))[-KEPT_DAYS:])


@functools.lru_cache(maxsize=256)
def streak(days: tuple[str, ...], today: date) -> int:
    """Days in a row with a completed routine, ending today (or yesterday: still alive).

    Found by bisection, a handful of dates read however long the streak: in sorted distinct
    days, a day is in the streak exactly when it lies as many days before the newest as it
    stands places before it. Cached, as a launch and every later request of its session ask
    for the same one."""
    ordered = sorted(set(days))
    # A day after today, on another calendar, is not part of this streak.
    end = bisect.bisect_right(ordered, today.isoformat())
    if end == 0:
        return 0
    newest = date.fromisoformat(ordered[end - 1]).toordinal()
    if today.toordinal() - newest > 1:
        return 0
    first, last = 0, end - 1
    while first < last:
        middle = (first + last) // 2
        if newest - date.fromisoformat(ordered[middle]).toordinal() == end - 1 - middle:
            last = middle
        else:
            first = middle + 1
    return end - first


def streak_phrase(count: int) -> str:
    """'That's three days running.' for the end of a routine; '' below two days."""
    return f"That's {number_words(count)} days running." if count >= 2 else ""


def streak_greeting(count: int) -> str:
    """'You're on a three-day streak.' for a launch; '' below two days."""
    return f"You're on a {number_words(count)}-day streak." if count >= 2 else ""


def days_this_week(days: tuple[str, ...], today: date) -> int:
    """Days with a counted run among the seven ending `today`."""
    week = {(today - timedelta(days=back)).isoformat() for back in range(WEEK_DAYS)}
    return len(week & set(days))


def week_phrase(days: tuple[str, ...], today: date) -> str:
    """'You've practised four days this week, three in a row.' for "how am I doing"."""
    count = days_this_week(days, today)
    if count == 0:
        return "You haven't practised yet this week. Ten minutes today is a fine start."
    said = "one day" if count == 1 else f"{number_words(count)} days"
    running = streak(days, today)
    in_a_row = f", {number_words(running)} in a row" if running >= 2 else ""
    return f"You've practised {said} this week{in_a_row}."
