"""What a person on the mat hears in one reply, measured from its SSML alone: when each
sentence starts, how much silence comes before it, and where the holds begin and end.

The device's voice times the words (the speaking model's 150 words a minute unless given
another pace); breaks are exact. A hold begins at
its start cue ("One minute, starting now.") and ends where its release or switch cue begins,
which is how a person lying with eyes closed knows it.
"""

from __future__ import annotations

from dataclasses import dataclass

from psoas_release.core.routines import Routine
from psoas_release.core.speech import piece_seconds
from psoas_release.core.ssml import Silence, Text, pieces_of

STARTS_A_HOLD = "starting now."


@dataclass(frozen=True)
class Said:
    """Words as heard: when they start (seconds into the speech) and the silence before them."""

    at_s: float
    words: str
    silence_before_s: float


@dataclass(frozen=True)
class HeardHold:
    """One hold as heard: from its start cue to the release or switch cue after it."""

    start: int
    """Index of the start cue in the reply's `Said` list."""
    end: int
    """Index of the release or switch cue that ends it."""
    start_s: float
    end_s: float

    @property
    def length_s(self) -> float:
        return self.end_s - self.start_s


def said(ssml: str, pace: float = 1.0) -> list[Said]:
    """Every run of words in `ssml`, with its start and the silence just before it, on a
    device whose voice takes `pace` seconds per second of the speaking model."""
    heard: list[Said] = []
    clock, silence = 0.0, 0.0
    for piece in pieces_of(ssml):
        if isinstance(piece, Silence):
            silence += piece.seconds
        elif isinstance(piece, Text):
            heard.append(Said(clock, piece.words, silence))
            silence = 0.0
        clock += piece_seconds(piece, pace)
    return heard


def length_s(ssml: str) -> float:
    """How long the whole reply plays under the speaking model."""
    return sum(piece_seconds(piece) for piece in pieces_of(ssml))


def holds(heard: list[Said], routine: Routine) -> list[HeardHold]:
    """Each hold in `heard`: a start cue, then the next release or switch cue."""
    enders = {m.release_cue for m in routine.movements} | {
        m.switch_cue for m in routine.movements if m.switch_cue}
    found = []
    for index, words in enumerate(heard):
        if not words.words.endswith(STARTS_A_HOLD):
            continue
        end = next(i for i in range(index + 1, len(heard)) if heard[i].words in enders)
        found.append(HeardHold(index, end, words.at_s, heard[end].at_s))
    return found


def silence_between(heard: list[Said], first: int, last: int) -> float:
    """All silence from the start of `heard[first]` to the start of `heard[last]`."""
    return sum(words.silence_before_s for words in heard[first + 1:last + 1])
