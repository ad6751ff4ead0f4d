"""Speech: a reply becomes SSML that times every hold, within Alexa's limits.

One utterance should coach the whole routine hands-free, so a reply speaks from the current
position onward: each cue at its second on the timeline, the silence between cues as breaks.
A cue's speaking time (150 words a minute) is taken out of the silence after it, so a hold as
heard lasts the routine's figure. When the rest of the routine would not fit in one response
(60 % of the 8,000-character limit), the reply ends at a movement boundary and invites the
person to continue.
"""

from __future__ import annotations

import functools

from psoas_release.core.reply import Coaching, Reply
from psoas_release.core.speaking import speaking_seconds
from psoas_release.core.ssml import TARGET_SPEECH_CHARS, Piece, Silence, Text, render
from psoas_release.core.timeline import Timeline

LEAD_GAP_S = 0.5
"""Silence between an answer and the coaching that follows it."""

SHORTEST_SILENCE_S = 0.05

END_ROOM = "That's twenty days running."
"""Room kept after the closing for the streak line, the longest usual one."""
"""Gaps shorter than this are rounding noise, not pauses."""


def coaching_pieces(coaching: Coaching) -> list[Piece]:
    """Every cue from `from_s` to `until_s` at its time, silences filling the gaps."""
    timeline, from_s, until_s = coaching.timeline, coaching.from_s, coaching.until_s
    pieces: list[Piece] = []
    cursor = from_s
    for segment in timeline.segments:
        if segment.end_s <= from_s or segment.start_s >= until_s:
            continue
        for cue in segment.cues:
            at_s = segment.start_s + cue.at_s
            if not from_s <= at_s < until_s:
                continue
            if at_s - cursor >= SHORTEST_SILENCE_S:
                pieces.append(Silence(at_s - cursor))
            pieces.append(Text(cue.text))
            cursor = max(cursor, at_s) + speaking_seconds(cue.text)
    if until_s - cursor >= SHORTEST_SILENCE_S:
        pieces.append(Silence(until_s - cursor))
    return pieces


def lead_seconds(lead: str) -> float:
    """How long the words before the coaching take: the hold waits for them."""
    return speaking_seconds(lead) + LEAD_GAP_S if lead else 0.0


def reply_pieces(reply: Reply) -> list[Piece]:
    pieces: list[Piece] = []
    if reply.lead:
        pieces.append(Text(reply.lead))
    if reply.coaching is not None:
        if reply.lead:
            pieces.append(Silence(LEAD_GAP_S))
        pieces += coaching_pieces(reply.coaching)
    if reply.prompt:
        pieces.append(Text(reply.prompt))
    return pieces


@functools.lru_cache(maxsize=64)
def render_reply(reply: Reply) -> str:
    """The reply's output speech as validated SSML. Cached: replies are immutable, and the
    planner's chosen reply is rendered again for the response."""
    return render(reply_pieces(reply))


def render_reprompt(reply: Reply) -> str | None:
    return render([Text(reply.reprompt)]) if reply.reprompt else None


def invitation(timeline: Timeline, until_s: float) -> str:
    """What a reply that stops at a movement boundary says last."""
    segment = timeline.locate(until_s).segment
    if segment.movement is None:
        return "When you're ready to finish, say continue."
    name = timeline.routine.movements[segment.movement].spoken_name
    return f"Take a breath. When you're ready for {name}, say continue."


def plan_coaching(
    timeline: Timeline, from_s: float, lead: str, budget_chars: int = TARGET_SPEECH_CHARS,
    end_prompt: str = "",
) -> tuple[Coaching, str]:
    """The longest coaching from `from_s` that fits the budget with its lead, and its prompt.

    The coaching ends at the routine's end (where `end_prompt`, up to a line, will follow) or
    at a movement boundary; at least one boundary is always reached, so every reply makes
    progress.
    """
    boundaries = [b for b in (*timeline.movement_starts, timeline.end_s) if b > from_s]
    if not boundaries:
        boundaries = [timeline.end_s]
    # Furthest first: the whole rest of a routine usually fits, so one render usually decides.
    for until_s in reversed(boundaries):
        coaching = Coaching(timeline, from_s, until_s)
        prompt = "" if coaching.reaches_end else invitation(timeline, until_s)
        spoken_after = f"{END_ROOM} {end_prompt}" if coaching.reaches_end else prompt
        size = len(render_reply(Reply(lead=lead, coaching=coaching, prompt=spoken_after)))
        if size <= budget_chars or until_s == boundaries[0]:
            return coaching, prompt
    raise AssertionError("unreachable: the nearest boundary is always returned")
