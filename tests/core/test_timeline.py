"""The timeline: coached time is the routine's figure, and every cue has room to be said."""

from __future__ import annotations

import itertools

import pytest

from psoas_release.core.routines import Routine
from psoas_release.core.speaking import speaking_seconds
from psoas_release.core.timeline import SegmentKind, Timeline, compile_timeline


@pytest.fixture(scope="module")
def timeline(psoas: Routine) -> Timeline:
    return compile_timeline(psoas)


def test_coached_time_is_the_routines_ten_minutes_and_overhead_is_separate(
    timeline: Timeline,
) -> None:
    assert timeline.coached_s == 600
    assert 120 < timeline.overhead_s < 300
    assert timeline.end_s == pytest.approx(timeline.intro_s + 600 + timeline.overhead_s)


def test_segments_are_contiguous_and_ordered(timeline: Timeline) -> None:
    assert timeline.segments[0].kind is SegmentKind.ADVISORY
    assert timeline.segments[0].start_s == 0
    assert timeline.segments[1].kind is SegmentKind.INTRO
    assert timeline.segments[-1].kind is SegmentKind.CLOSING
    for before, after in zip(timeline.segments, timeline.segments[1:], strict=False):
        assert after.start_s == pytest.approx(before.end_s)


def test_each_side_is_held_for_its_figure(timeline: Timeline, psoas: Routine) -> None:
    for index, movement in enumerate(psoas.movements):
        for hold in movement.holds:
            coached = [
                s for s in timeline.segments
                if s.coached and s.movement == index and s.side == hold.side
            ]
            assert sum(s.duration_s for s in coached) == hold.hold_s


def test_switching_sides_is_added_not_taken_from_the_hold(
    timeline: Timeline, psoas: Routine
) -> None:
    switches = [s for s in timeline.segments if s.kind is SegmentKind.SWITCH]
    assert len(switches) == sum(1 for m in psoas.movements if m.has_sides)
    for switch in switches:
        assert switch.duration_s >= psoas.movements[switch.movement or 0].switch_s


def test_no_cue_talks_over_the_next(timeline: Timeline) -> None:
    cues = sorted(
        (s.start_s + c.at_s, c.text) for s in timeline.segments for c in s.cues
    )
    for (at, text), (next_at, _) in itertools.pairwise(cues):
        assert at + speaking_seconds(text) <= next_at + 1e-6, text


def test_breathing_cues_fall_on_the_four_second_grid(timeline: Timeline, psoas: Routine) -> None:
    breathing = [s for s in timeline.segments if s.kind is SegmentKind.BREATHING]
    assert breathing
    for segment in breathing:
        offsets = [cue.at_s for cue in segment.cues]
        assert offsets == [4.0 * n for n in range(len(offsets))]
        texts = [cue.text for cue in segment.cues]
        assert texts[0::2] == [psoas.breathing.inhale_cue] * len(texts[0::2])
        assert texts[1::2] == [psoas.breathing.exhale_cue] * len(texts[1::2])


def test_holds_carry_countdown_marks_and_a_reminder(timeline: Timeline) -> None:
    holds = [s for s in timeline.segments if s.kind is SegmentKind.HOLD]
    for hold in holds:
        texts = [c.text for c in hold.cues]
        assert "Ten more seconds." in texts
        assert "Thirty seconds." in texts
        end_marks = [hold.start_s + c.at_s for c in hold.cues if c.text == "Ten more seconds."]
        assert end_marks == [pytest.approx(hold.end_s - 10)]


def test_position_round_trips_through_locate(timeline: Timeline) -> None:
    for segment in timeline.segments:
        middle = segment.start_s + segment.duration_s / 2
        location = timeline.locate(middle)
        assert location.segment == segment
        assert location.segment.start_s + location.offset_s == pytest.approx(middle)
    assert timeline.locate(-5).index == 0
    assert timeline.locate(timeline.end_s + 99).segment.kind is SegmentKind.CLOSING


def test_steps_are_movements_then_sides(timeline: Timeline) -> None:
    kinds = [timeline.locate(step).segment.kind for step in timeline.steps]
    assert kinds.count(SegmentKind.SETUP) == 5
    assert kinds.count(SegmentKind.SWITCH) == 3
    assert kinds[-1] is SegmentKind.CLOSING
    assert list(timeline.steps) == sorted(timeline.steps)


def test_hold_span_covers_breathing_and_hold(timeline: Timeline) -> None:
    first_breathing = next(s for s in timeline.segments if s.kind is SegmentKind.BREATHING)
    span = timeline.hold_span(first_breathing.start_s + 1)
    assert span is not None
    assert span[1] - span[0] == 120
    assert timeline.hold_span(1.0) is None
