"""What Alexa's built-in AMAZON.TIME slot makes of spoken words, for the simulator and tests.

Why: Alexa never sends the words of a time ("half past seven"), only its value ("07:30"), or
"MO", "AF", "EV", "NI" for a part of the day. The simulator and the end-to-end tests speak
words, so this turns them into what Alexa would send. An hour said without "a m", "p m" or a
part of the day stays as said ("seven" is 07:00), and words that are no time give None.
"""

from __future__ import annotations

from psoas_release.core.numbers import number_words

PARTS_OF_THE_DAY = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI",
                    "tonight": "NI"}
NAMED_TIMES = {"noon": (12, 0), "midday": (12, 0), "midnight": (0, 0)}
MORNING = ("a m", "am", "in the morning")
AFTERNOON = ("p m", "pm", "in the afternoon", "in the evening", "at night", "tonight")
_NUMBERS = {number_words(number): number for number in range(60)}


def time_value(words: str) -> str | None:
    """The AMAZON.TIME value for `words` (lower-case, as `utterances.normalise` leaves them)."""
    words = " ".join(words.replace("o'clock", "").split())
    if words in PARTS_OF_THE_DAY:
        return PARTS_OF_THE_DAY[words]
    if words in NAMED_TIMES:
        return "{:02d}:{:02d}".format(*NAMED_TIMES[words])
    after_noon = None
    for suffix, afternoon in [(s, False) for s in MORNING] + [(s, True) for s in AFTERNOON]:
        if words.endswith(f" {suffix}"):
            words, after_noon = words[: -len(suffix) - 1], afternoon
            break
    said = _clock(words.removeprefix("a "))
    if said is None:
        return None
    hour, minute = said
    if after_noon is True and hour < 12:
        hour += 12
    elif after_noon is False and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}"


def _clock(words: str) -> tuple[int, int] | None:
    """(hour, minute) of "seven", "seven thirty", "seven oh five", "half past seven",
    "quarter to eight"; None for anything else."""
    for lead, past, shift in (("half past ", 30, 0), ("quarter past ", 15, 0),
                              ("quarter to ", 45, -1)):
        if words.startswith(lead):
            said = _number(words.removeprefix(lead))
            return None if said is None or not 1 <= said <= 12 else ((said + shift) % 24, past)
    hour_words, _, minute_words = words.partition(" ")
    hour = _number(hour_words)
    minute = _number(minute_words.removeprefix("oh ")) if minute_words else 0
    if hour is None or minute is None or hour > 23:
        return None
    return hour, minute


def _number(words: str) -> int | None:
    return _NUMBERS.get(words)
