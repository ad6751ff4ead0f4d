"""Speech: a reply becomes SSML that times every hold, within Alexa's limits.

One utterance should coach the whole routine hands-free, so a reply speaks from the current
position onward: each cue at its second on the timeline, the silence between cues as breaks.
In a hold, a cue's speaking time at the device's pace is taken out of the silence after it, so
a hold as heard lasts the routine's figure on that device. Elsewhere the silence after words
is kept whole whatever the voice, so the time to get into position or to release is never
eaten by a slow voice. When the rest of the routine would not fit in one response (90 % of the
8,000-character limit), the reply ends at a movement boundary and invites the person to
continue.
"""

import bisect
import functools
from typing import NamedTuple

from psoas_release.core.reply import Coaching, Reply
from psoas_release.core.speaking import speaking_seconds
from psoas_release.core.ssml import (
    TARGET_SPEECH_CHARS,
    Piece,
    Silence,
    Text,
    body,
    join,
    speak,
    speech_chars,
)
from psoas_release.core.timeline import Timeline

LEAD_GAP_S = 0.5
"""Silence between an answer and the coaching that follows it."""

SHORTEST_SILENCE_S = 0.05
"""Gaps shorter than this are rounding noise, not pauses."""

END_ROOM = "That's fifty seven days running."
"""Room kept after the closing for the streak line, the longest one."""


class Span(NamedTuple):
    """One piece of a coaching reply and the stretch of the timeline it plays: what maps a
    moment of the speech back to a place in the routine."""

    piece: Piece
    from_s: float
    until_s: float


def piece_seconds(piece: Piece, pace: float = 1.0) -> float:
    """How long a piece plays on a device whose voice takes `pace` seconds per second of the
    speaking model: words stretch with the voice, breaks never do."""
    return piece.seconds if isinstance(piece, Silence) else speaking_seconds(piece.words) * pace


def coaching_spans(coaching: Coaching) -> tuple[Span, ...]:
    """Every cue from `from_s` to `until_s` at its time, silences filling the gaps.

    In a hold the words take `coaching.pace` of the timeline, so the silence after them is
    what the device leaves of the gap; elsewhere they take the model's time and the silence
    after an instruction is kept whole. A coaching from any moment is the silence up to its
    first cue, then exactly the coaching from that cue (`from_first_cue`): only the latter is
    worked out and cached, once per cue, however many moments requests land on."""
    head_s, rest = from_first_cue(coaching)
    if rest is None:
        gap = coaching.until_s - coaching.from_s
        return (Span(Silence(gap), coaching.from_s, coaching.until_s),) \
            if gap >= SHORTEST_SILENCE_S else ()
    spans = spans_from_cue(rest)
    if head_s < SHORTEST_SILENCE_S:
        return spans
    return (Span(Silence(head_s), coaching.from_s, rest.from_s), *spans)


def from_first_cue(coaching: Coaching) -> tuple[float, Coaching | None]:
    """The seconds before `coaching`'s first cue, and the coaching from that cue on (None when
    no cue falls in it)."""
    times = coaching.timeline.cue_times
    index = bisect.bisect_left(times, coaching.from_s)
    if index == len(times) or times[index] >= coaching.until_s:
        return coaching.until_s - coaching.from_s, None
    return times[index] - coaching.from_s, Coaching(coaching.timeline, times[index],
                                                    coaching.until_s, coaching.pace)


def walked_spans(coaching: Coaching) -> tuple[Span, ...]:
    """The spans found by walking the timeline cue by cue from `from_s`: right from any
    moment, and what `coaching_spans` keeps for each cue."""
    timeline, from_s, until_s = coaching.timeline, coaching.from_s, coaching.until_s
    spans: list[Span] = []
    cursor = from_s
    for segment in timeline.segments:
        if segment.end_s <= from_s or segment.start_s >= until_s:
            continue
        pace = coaching.pace if segment.coached else 1.0
        for cue in segment.cues:
            at_s = segment.start_s + cue.at_s
            if not from_s <= at_s < until_s:
                continue
            if at_s - cursor >= SHORTEST_SILENCE_S:
                spans.append(Span(Silence(at_s - cursor), cursor, at_s))
            start = max(cursor, at_s)
            cursor = start + speaking_seconds(cue.text) * pace
            spans.append(Span(Text(cue.text, cue.soft), start, cursor))
    if until_s - cursor >= SHORTEST_SILENCE_S:
        spans.append(Span(Silence(until_s - cursor), cursor, until_s))
    return tuple(spans)


spans_from_cue = functools.lru_cache(maxsize=64)(walked_spans)


def coaching_pieces(coaching: Coaching) -> list[Piece]:
    """The coaching as it is said: words and silences in order."""
    return [span.piece for span in coaching_spans(coaching)]


class Lead(NamedTuple):
    """What a reply says before its coaching starts: seconds of words (at the speaking model)
    and of silence. The coaching's first second plays after both."""

    words_s: float = 0.0
    silence_s: float = 0.0


def lead_of(reply: Reply) -> Lead:
    """How long the reply takes before its coaching, for placing the person on the timeline."""
    pieces = _lead_pieces(reply)
    return Lead(sum(speaking_seconds(p.words) for p in pieces if isinstance(p, Text)),
                sum(p.seconds for p in pieces if isinstance(p, Silence)))


def _lead_pieces(reply: Reply) -> list[Piece]:
    pieces: list[Piece] = []
    if reply.lead:
        pieces.append(Text(reply.lead))
    if reply.resettle_s:
        pieces.append(Silence(reply.resettle_s))
    if reply.restart:
        pieces.append(Text(reply.restart))
    if pieces and reply.coaching is not None:
        pieces.append(Silence(LEAD_GAP_S))
    return pieces


def spoken_lengths(reply: Reply) -> tuple[float, float]:
    """(seconds of words at the speaking model, seconds of silence) in the whole reply."""
    pieces = _lead_pieces(reply) + ([Text(reply.prompt)] if reply.prompt else [])
    words_s, silence_s = _lengths(tuple(pieces))
    if reply.coaching is None:
        return words_s, silence_s
    coached_words_s, coached_silence_s = coaching_lengths(reply.coaching)
    return words_s + coached_words_s, silence_s + coached_silence_s


def coaching_lengths(coaching: Coaching) -> tuple[float, float]:
    """(seconds of words, seconds of silence) in the coaching: counted once per cue, not on
    every request that awaits its end (see `coaching_spans`)."""
    head_s, rest = from_first_cue(coaching)
    if rest is None:
        return _lengths(tuple(coaching_pieces(coaching)))
    words_s, silence_s = lengths_from_cue(rest)
    return words_s, silence_s + (head_s if head_s >= SHORTEST_SILENCE_S else 0.0)


@functools.lru_cache(maxsize=64)
def lengths_from_cue(coaching: Coaching) -> tuple[float, float]:
    return _lengths(tuple(span.piece for span in spans_from_cue(coaching)))


def _lengths(pieces: tuple[Piece, ...]) -> tuple[float, float]:
    return (sum(speaking_seconds(p.words) for p in pieces if isinstance(p, Text)),
            sum(p.seconds for p in pieces if isinstance(p, Silence)))


def coaching_body(coaching: Coaching) -> str:
    """The coaching's SSML body: the silence to its first cue, then that cue's coaching,
    rendered once however often a planner sizes it and responses say it (see
    `coaching_spans`)."""
    head_s, rest = from_first_cue(coaching)
    if rest is None:
        return body(coaching_pieces(coaching))
    said = body_from_cue(rest)
    return join(body([Silence(head_s)]), said) if head_s >= SHORTEST_SILENCE_S else said


@functools.lru_cache(maxsize=64)
def body_from_cue(coaching: Coaching) -> str:
    """Cached per coaching from a cue: a Coaching hashes its timeline by identity."""
    return body(span.piece for span in spans_from_cue(coaching))


def reply_body(reply: Reply) -> str:
    """The reply's SSML body: its lead, its coaching (rendered once, see `coaching_body`) and
    its prompt."""
    coached = coaching_body(reply.coaching) if reply.coaching is not None else ""
    said = join(body(_lead_pieces(reply)), coached)
    return join(said, body([Text(reply.prompt)])) if reply.prompt else said


@functools.lru_cache(maxsize=64)
def render_reply(reply: Reply) -> str:
    """The reply's output speech as `<speak>` SSML within Alexa's limit. Cached: replies are
    immutable, and a reply may be asked for again (its spoken length, a repeat)."""
    return speak(reply_body(reply))


def render_reprompt(reply: Reply) -> str | None:
    return reprompt_ssml(reply.reprompt) if reply.reprompt else None


@functools.lru_cache(maxsize=16)
def reprompt_ssml(text: str) -> str:
    """A reprompt's SSML: a handful of fixed questions, rendered once each."""
    return speak(body([Text(text)]))


def invitation(timeline: Timeline, until_s: float) -> str:
    """What a reply that stops at a movement boundary says last."""
    segment = timeline.locate(until_s).segment
    if segment.movement is None:
        return "When you're ready to finish, say continue."
    name = timeline.routine.movements[segment.movement].spoken_name
    return f"Take a breath. When you're ready for {name}, say continue."


def plan_coaching(
    timeline: Timeline, from_s: float, before: Reply, budget_chars: int = TARGET_SPEECH_CHARS,
    end_prompt: str = "", pace: float = 1.0,
) -> tuple[Coaching, str]:
    """The longest coaching from `from_s` that fits the budget after what `before` says first,
    and its prompt.

    The coaching ends at the routine's end (where `end_prompt`, up to a line, will follow) or
    at a movement boundary; at least one boundary is always reached, so every reply makes
    progress.
    """
    boundaries = [b for b in (*timeline.movement_starts, timeline.end_s) if b > from_s]
    if not boundaries:
        boundaries = [timeline.end_s]
    # Furthest first: the whole rest of a routine usually fits, so one render usually decides,
    # and the response reuses that coaching's body (see `coaching_body`).
    for until_s in reversed(boundaries):
        coaching = Coaching(timeline, from_s, until_s, pace)
        prompt = "" if coaching.reaches_end else invitation(timeline, until_s)
        spoken_after = f"{END_ROOM} {end_prompt}" if coaching.reaches_end else prompt
        size = speech_chars(reply_body(before._replace(coaching=coaching, prompt=spoken_after)))
        if size <= budget_chars or until_s == boundaries[0]:
            return coaching, prompt
    raise AssertionError("unreachable: the nearest boundary is always returned")
