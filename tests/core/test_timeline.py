"""The timeline: coached time is the routine's figure, and every cue has room to be said."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from psoas_release.core.routines import Routine
from psoas_release.core.speaking import speaking_seconds
from psoas_release.core.timeline import SegmentKind, Timeline, _near, compile_timeline


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
        silence = switch.duration_s - switch.words_end_s
        assert silence == pytest.approx(psoas.movements[switch.movement or 0].switch_s)


def test_no_cue_talks_over_the_next(timeline: Timeline) -> None:
    cues = sorted(
        (s.start_s + c.at_s, c.text) for s in timeline.segments for c in s.cues
    )
    for (at, text), (next_at, _) in itertools.pairwise(cues):
        assert at + speaking_seconds(text) <= next_at + 1e-6, text


def test_breathing_cues_fall_on_the_four_second_grid_and_grow_quieter(
    timeline: Timeline, psoas: Routine
) -> None:
    breathing = psoas.breathing
    said = {breathing.inhale_cue, breathing.exhale_cue, breathing.quiet_inhale_cue,
            breathing.quiet_exhale_cue}
    paced = {}
    for hold in (s for s in timeline.segments if s.coached):
        breaths = [cue for cue in hold.cues if cue.text in said]
        assert all(cue.at_s % 4 == 0 for cue in breaths)
        assert [cue.soft for cue in breaths] == sorted(cue.soft for cue in breaths)
        rhythm = [cue.at_s for cue in hold.cues if cue.text == breathing.rhythm_cue]
        if breaths:
            assert rhythm == [breaths[-1].at_s + 4]
        paced[hold.movement] = len(breaths) // 2
    assert paced[0] >= 8, "constructive rest paces most of its two minutes"
    assert paced[2] >= 1, "the glute bridge reminds to keep breathing"


def test_holds_open_with_their_length_and_count_down_in_plain_words(timeline: Timeline) -> None:
    for hold in (s for s in timeline.segments if s.coached):
        texts = [c.text for c in hold.cues]
        assert hold.cues[0].at_s == 0
        assert texts[0] == {60: "One minute, starting now.",
                            120: "Two minutes, starting now."}[round(hold.duration_s)]
        end_marks = [hold.start_s + c.at_s for c in hold.cues if c.text == "Ten seconds left."]
        assert end_marks == [pytest.approx(hold.end_s - 10)]
        assert "Thirty seconds left." in texts or hold.movement == 0, texts


def test_no_reminder_is_repeated_on_the_second_side(timeline: Timeline, psoas: Routine) -> None:
    for index, movement in enumerate(psoas.movements):
        holds = [s for s in timeline.segments if s.coached and s.movement == index]
        said = [c.text for hold in holds for c in hold.cues if c.text in movement.hold_reminders]
        assert said, movement.id
        assert len(said) == len(set(said)), said


def test_position_round_trips_through_locate(timeline: Timeline) -> None:
    for segment in timeline.segments:
        middle = segment.start_s + segment.duration_s / 2
        location = timeline.locate(middle)
        assert location.segment == segment
        assert location.segment.start_s + location.offset_s == pytest.approx(middle)
    assert timeline.locate(-5).segment_index == 0
    assert timeline.locate(timeline.end_s + 99).segment.kind is SegmentKind.CLOSING


def test_steps_are_movements_then_sides(timeline: Timeline) -> None:
    kinds = [timeline.locate(step).segment.kind for step in timeline.steps]
    assert kinds.count(SegmentKind.SETUP) == 5
    assert kinds.count(SegmentKind.SWITCH) == 3
    assert kinds[-1] is SegmentKind.CLOSING
    assert list(timeline.steps) == sorted(timeline.steps)


def test_hold_span_is_the_whole_hold(timeline: Timeline) -> None:
    first_hold = next(s for s in timeline.segments if s.coached)
    span = timeline.hold_span(first_hold.start_s + 1)
    assert span is not None
    assert span[1] - span[0] == pytest.approx(120)
    assert timeline.hold_span(1.0) is None


def test_a_question_between_holds_is_about_the_next_one(timeline: Timeline) -> None:
    release = next(s for s in timeline.segments if s.kind is SegmentKind.RELEASE)
    focus = timeline.hold_in_focus(release.start_s + 1)
    assert focus is not None and focus.movement == 1


def test_after_title_skips_only_the_name_of_what_comes(timeline: Timeline) -> None:
    setup = timeline.segments[timeline.locate(timeline.movement_starts[2]).segment_index]
    assert timeline.after_title(setup.start_s) == setup.start_s + setup.cues[1].at_s
    switch = next(s for s in timeline.segments if s.kind is SegmentKind.SWITCH)
    side_setup = timeline.segments[timeline.locate(switch.end_s).segment_index]
    assert side_setup.cues[0].text == "Left side."
    assert timeline.after_title(switch.start_s) == side_setup.start_s + side_setup.cues[1].at_s


@given(st.floats(min_value=-20, max_value=200), st.floats(min_value=-20, max_value=200),
       st.floats(min_value=-20, max_value=200))
def test_offsets_for_a_cue_come_nearest_first_and_earlier_on_ties(
        target: float, low: float, high: float) -> None:
    """The placement rule, as the sort it replaces would give it."""
    every = [float(at) for at in range(max(0, int(low)), int(high) + 1)]
    assert list(_near(target, low, high)) == sorted(every, key=lambda at: (abs(at - target), at))
