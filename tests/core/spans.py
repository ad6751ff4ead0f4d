"""Test helper: each hold of a timeline as (start, end, the routine's figure)."""

from __future__ import annotations

from psoas_release.core.timeline import Timeline


def hold_spans(timeline: Timeline) -> list[tuple[float, float, int]]:
    spans: list[tuple[float, float, int]] = []
    routine = timeline.routine
    for index, movement in enumerate(routine.movements):
        for hold in movement.holds:
            coached = [
                s for s in timeline.segments
                if s.coached and s.movement == index and s.side == hold.side
            ]
            spans.append((coached[0].start_s, coached[-1].end_s, hold.hold_s))
    return spans
