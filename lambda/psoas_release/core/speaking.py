"""How long Alexa takes to say something: the one speaking-rate model every module shares.

Alexa speaks at roughly 150 words a minute at the default rate. Timing holds, checking that a
cue fits in 15 seconds and estimating answer lengths all use this, so they agree.
"""

from __future__ import annotations

import functools

WORDS_PER_MINUTE = 150
WORDS_PER_SECOND = WORDS_PER_MINUTE / 60
LONGEST_CUE_S = 15.0

SLOWEST_WORDS_PER_MINUTE = 120
FASTEST_WORDS_PER_MINUTE = 180
"""The range of device voices the skill is built for: people choose slower or faster speech."""
SLOWEST_PACE = WORDS_PER_MINUTE / SLOWEST_WORDS_PER_MINUTE
"""A pace is seconds a device takes per second of the model; the slowest voice's is 1.25."""
FASTEST_PACE = WORDS_PER_MINUTE / FASTEST_WORDS_PER_MINUTE


def word_count(text: str) -> int:
    """Words as a listener hears them: whitespace-separated tokens."""
    return len(text.split())


@functools.lru_cache(maxsize=1024)
def speaking_seconds(text: str) -> float:
    """Seconds Alexa takes to say `text` at the default rate. Cached: the same cues are timed
    over and over, by every walk of a routine and every placement of the person in it."""
    return word_count(text) / WORDS_PER_SECOND
