"""Speech: every hold as heard lasts its figure, and a reply stays within Alexa's limits."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from psoas_release.core.library import RoutineLibrary
from psoas_release.core.position import longest_play_s, position_after
from psoas_release.core.reply import Coaching, Reply
from psoas_release.core.routines import Routine
from psoas_release.core.speaking import speaking_seconds
from psoas_release.core.speech import (
    coaching_body,
    coaching_lengths,
    coaching_pieces,
    coaching_spans,
    piece_seconds,
    plan_coaching,
    render_reply,
    walked_spans,
)
from psoas_release.core.ssml import (
    MAX_SPEECH_CHARS,
    TARGET_SPEECH_CHARS,
    Silence,
    Text,
    body,
    break_seconds,
)
from psoas_release.core.timeline import Timeline, compile_timeline
from tests.core.spans import hold_spans


@pytest.fixture(scope="module")
def timeline(psoas: Routine) -> Timeline:
    return compile_timeline(psoas)


@pytest.fixture(scope="module", params=["unlock-psoas-flex-foundations",
                                        "unlock-psoas-quick-release"])
def any_timeline(request: pytest.FixtureRequest, library: RoutineLibrary) -> Timeline:
    routine = library.get(request.param)
    assert routine is not None
    return compile_timeline(routine)


def test_each_hold_as_heard_is_within_half_a_second_of_its_figure(any_timeline: Timeline) -> None:
    timeline = any_timeline
    spans = hold_spans(timeline)
    assert len(spans) == 8
    for start, end, figure in spans:
        pieces = coaching_pieces(Coaching(timeline, start, end))
        ssml = render_reply(Reply(coaching=Coaching(timeline, start, end)))
        silence = sum(break_seconds(ssml))
        words = sum(speaking_seconds(p.words) for p in pieces if isinstance(p, Text))
        assert silence + words == pytest.approx(figure, abs=0.5)
        assert all(isinstance(p, Silence) or p.words for p in pieces)


def test_the_whole_routine_from_one_start_fits_in_one_reply(any_timeline: Timeline) -> None:
    timeline = any_timeline
    coaching, prompt = plan_coaching(timeline, 0.0, Reply())
    assert coaching.reaches_end
    assert prompt == ""
    ssml = render_reply(Reply(coaching=coaching))
    assert len(ssml) <= TARGET_SPEECH_CHARS
    assert max(break_seconds(ssml)) <= 10


@pytest.mark.parametrize("budget", [1500, 2500, 3500])
def test_a_routine_that_does_not_fit_splits_at_movement_boundaries(
    timeline: Timeline, budget: int
) -> None:
    position, replies = 0.0, 0
    while position < timeline.end_s:
        coaching, prompt = plan_coaching(timeline, position, Reply(), budget)
        ssml = render_reply(Reply(coaching=coaching, prompt=prompt))
        assert len(ssml) <= max(budget, MAX_SPEECH_CHARS // 2)
        assert coaching.until_s in (*timeline.movement_starts, timeline.end_s)
        assert bool(prompt) != coaching.reaches_end
        if prompt:
            assert "say continue" in prompt
        position, replies = coaching.until_s, replies + 1
    assert replies > 1


def test_a_lead_is_said_before_coaching_and_a_prompt_after(timeline: Timeline) -> None:
    coaching = Coaching(timeline, timeline.movement_starts[1], timeline.movement_starts[2])
    ssml = render_reply(Reply(lead="Here's the form cue.", coaching=coaching, prompt="Ready?"))
    assert ssml.startswith('<speak>Here&apos;s the form cue.<break time="500ms"/>')
    assert ssml.endswith(" Ready?</speak>")


def test_coaching_from_mid_hold_keeps_the_rest_of_the_hold(timeline: Timeline) -> None:
    start, end, _ = hold_spans(timeline)[1]
    middle = start + 35
    pieces = coaching_pieces(Coaching(timeline, middle, end))
    heard = sum(
        p.seconds if isinstance(p, Silence) else speaking_seconds(p.words) for p in pieces
    )
    assert heard == pytest.approx(end - middle, abs=0.5)


def test_the_reply_never_holds_a_break_over_ten_seconds_or_adjacent_breaks(
    timeline: Timeline,
) -> None:
    ssml = render_reply(Reply(coaching=Coaching(timeline, 0, timeline.end_s)))
    assert not re.search(r"/>\s*<break", ssml)


@settings(max_examples=200, deadline=None)
@given(from_s=st.floats(0, 700), length_s=st.floats(0, 700),
       pace=st.sampled_from([1.0, 0.85, 1.25]))
def test_a_coaching_from_any_moment_is_the_walk_from_that_moment(
        timeline: Timeline, from_s: float, length_s: float, pace: float) -> None:
    """What is cached per cue must give exactly what walking from the moment itself gives."""
    until_s = min(from_s + length_s, timeline.end_s)
    coaching = Coaching(timeline, from_s, until_s, pace)
    walked = walked_spans(coaching)
    assert coaching_spans(coaching) == walked
    assert coaching_body(coaching) == body(span.piece for span in walked)
    words_s, silence_s = coaching_lengths(coaching)
    assert words_s == pytest.approx(sum(speaking_seconds(s.piece.words) for s in walked
                                        if isinstance(s.piece, Text)), abs=1e-9)
    assert silence_s == pytest.approx(sum(s.piece.seconds for s in walked
                                          if isinstance(s.piece, Silence)), abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(from_s=st.floats(0, 700), length_s=st.floats(0, 700), seconds=st.floats(0, 2000),
       pace=st.sampled_from([1.0, 0.85, 1.25]), voice=st.floats(0.8, 1.3))
def test_a_coaching_never_plays_longer_than_its_quick_bound(
        timeline: Timeline, from_s: float, length_s: float, seconds: float, pace: float,
        voice: float) -> None:
    """The bound that spares a day-later launch the walk holds for every coaching, and past it
    the walk itself finds the end."""
    until_s = min(from_s + length_s, timeline.end_s)
    coaching = Coaching(timeline, from_s, until_s, pace)
    played = sum(piece_seconds(span.piece, voice) for span in walked_spans(coaching))
    assert played <= longest_play_s(coaching, voice) + 1e-9
    if seconds > longest_play_s(coaching, voice):
        assert position_after(coaching, seconds, voice) == until_s
