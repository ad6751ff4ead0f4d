"""Speech playing on the simulated clock, piece by piece, until it ends or is cut short.

Why: Alexa plays a coaching reply for minutes, and the person interrupts it ("Alexa, how much
time is left") somewhere in the middle. The skill only learns when from the next request's
timestamp, so the simulator must know exactly which words were heard by when: every text
piece takes its speaking time at the device's voice pace (the core's 150 words a minute
unless the device speaks slower or faster, which the skill is never told), every break its
length.
"""

from __future__ import annotations

from dataclasses import dataclass

from psoas_release.core.speaking import speaking_seconds
from psoas_release.core.speech import piece_seconds
from psoas_release.core.ssml import Piece, Text, pieces_of


@dataclass(frozen=True)
class TimedPiece:
    """A piece of speech, when it plays and for how long, in seconds from the speech's start."""

    start_s: float
    piece: Piece
    duration_s: float

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s


def timed_pieces(ssml: str, pace: float = 1.0) -> list[TimedPiece]:
    """The pieces of `ssml` with their start times, one after another, on a device whose voice
    takes `pace` seconds per second of the speaking model."""
    timed: list[TimedPiece] = []
    clock = 0.0
    for piece in pieces_of(ssml):
        timed.append(TimedPiece(clock, piece, piece_seconds(piece, pace)))
        clock = timed[-1].end_s
    return timed


def seconds_until(ssml: str, phrase: str, occurrence: int = 1,
                  pace: float = 1.0) -> float | None:
    """When `phrase` starts, in seconds from the start of the speech; None if never said."""
    seen = 0
    for timed in timed_pieces(ssml, pace):
        piece = timed.piece
        if isinstance(piece, Text) and phrase in piece.words:
            seen += 1
            if seen == occurrence:
                before = piece.words.partition(phrase)[0]
                return timed.start_s + speaking_seconds(before) * pace
    return None


class Playback:
    """One reply's speech, started at simulated time `starts_at` on a device of voice `pace`;
    `stop` is a barge-in."""

    def __init__(self, ssml: str, starts_at: float, pace: float = 1.0) -> None:
        self.ssml = ssml
        self.starts_at = starts_at
        self.pace = pace
        self.pieces = timed_pieces(ssml, pace)
        self.length_s = self.pieces[-1].end_s if self.pieces else 0.0
        self.stopped_at: float | None = None
        self._reported = 0

    @property
    def ends_at(self) -> float:
        """When the speech ends: its natural end, or where a barge-in cut it."""
        natural = self.starts_at + self.length_s
        return natural if self.stopped_at is None else min(natural, self.stopped_at)

    def played_s(self, now: float) -> float:
        """Seconds of speech heard by `now`."""
        return min(max(0.0, now - self.starts_at), self.ends_at - self.starts_at)

    def playing(self, now: float) -> bool:
        return self.starts_at <= now < self.ends_at

    def speaking(self, now: float) -> bool:
        """True while words play at `now`; False in a break, or when nothing plays."""
        if not self.playing(now):
            return False
        offset = now - self.starts_at
        return any(isinstance(timed.piece, Text) and timed.start_s <= offset < timed.end_s
                   for timed in self.pieces)

    def stop(self, at: float) -> None:
        """Cut the speech at `at` (the wake word): nothing after it is ever heard."""
        if self.stopped_at is None or at < self.stopped_at:
            self.stopped_at = max(at, self.starts_at)

    def due(self, now: float) -> list[tuple[float, str]]:
        """(when, words) for the words that started by `now` and were not reported yet."""
        words: list[tuple[float, str]] = []
        while self._reported < len(self.pieces):
            timed = self.pieces[self._reported]
            at = self.starts_at + timed.start_s
            if at > now or at >= self.ends_at:
                break
            self._reported += 1
            if isinstance(timed.piece, Text):
                words.append((at, timed.piece.words))
        return words

    def next_at(self) -> float | None:
        """When the next words start; None when nothing more will be said."""
        for timed in self.pieces[self._reported:]:
            at = self.starts_at + timed.start_s
            if at >= self.ends_at:
                break
            if isinstance(timed.piece, Text):
                return at
        return None

    def when_said(self, phrase: str, occurrence: int = 1) -> float | None:
        """Simulated time at which `phrase` is said; None if it is not, or was cut off."""
        offset = seconds_until(self.ssml, phrase, occurrence, self.pace)
        if offset is None or self.starts_at + offset >= self.ends_at:
            return None
        return self.starts_at + offset
