"""The words of every answer: what a coach says when asked, written once for the ear.

Answers are short because the person is holding a stretch while listening, and every answer
is followed by the rest of the hold, so none of them needs to say "let's continue".
"""

from __future__ import annotations

from psoas_release.core.library import RoutineLibrary
from psoas_release.core.numbers import duration_words, number_words, sentence
from psoas_release.core.routines import Hold, Movement, Routine
from psoas_release.core.timeline import HoldSpan, SegmentKind, Timeline

SAFETY_STOP = "If the pain is sharp, or doesn't ease, stop for today and check with a doctor."


def _movement_at(timeline: Timeline, position_s: float) -> Movement | None:
    index = timeline.locate(position_s).segment.movement
    return None if index is None else timeline.routine.movements[index]


def _in_focus(timeline: Timeline, position_s: float) -> tuple[Movement, Hold] | None:
    """The movement and hold a question means: the hold playing now, or during a release, a
    switch or a setup the one coming next. None before the first movement and after the last."""
    if timeline.locate(position_s).segment.movement is None:
        return None
    span = timeline.hold_in_focus(position_s)
    if span is None:
        return None
    movement = timeline.routine.movements[span.movement]
    return movement, next(h for h in movement.holds if h.side == span.side)


def _span_name(timeline: Timeline, span: HoldSpan, same_movement: bool = False) -> str:
    movement = timeline.routine.movements[span.movement]
    if span.side is None:
        return movement.spoken_name
    if same_movement:
        return f"the {span.side.value} side"
    return f"{movement.spoken_name}, {span.side.value} side"


def seconds_phrase(seconds: float) -> str:
    """'about 25 seconds', rounded the way a coach would say it."""
    whole = max(1, round(seconds))
    if whole > 20:
        whole = round(whole / 5) * 5
    return f"about {whole} second{'s' if whole != 1 else ''}"


def minutes_phrase(seconds: float) -> str:
    """'about nine minutes', or 'under a minute'."""
    if seconds < 60:
        return "under a minute"
    minutes = round(seconds / 60)
    return f"about {number_words(minutes)} minute{'s' if minutes != 1 else ''}"


def describe_place(timeline: Timeline, position_s: float) -> str:
    """'the kneeling stretch, left side': where a position is, in a person's words."""
    segment = timeline.locate(position_s).segment
    if segment.kind is SegmentKind.CLOSING or position_s >= timeline.end_s:
        return "the last few seconds of the routine"
    if segment.movement is None:
        return f"the start of {timeline.routine.spoken_title}"
    movement = timeline.routine.movements[segment.movement]
    side = segment.side if segment.kind is not SegmentKind.SETUP else None
    return f"{movement.spoken_name}, {side.value} side" if side else movement.spoken_name


def _instruction(timeline: Timeline, position_s: float) -> str:
    """How to get into position for the hold at (or coming up after) `position_s`."""
    focus = _in_focus(timeline, position_s)
    if focus is None:
        return ""
    movement, hold = focus
    return hold.setup_cue or movement.setup_cue


def reorientation(timeline: Timeline, position_s: float) -> str:
    """Said on resuming a hold: where we are, and how to get back into position."""
    return f"Back to {describe_place(timeline, position_s)}. {_instruction(timeline, position_s)}"


def restart_cue(seconds_left: float) -> str:
    """Said once the person is back in position: the hold restarts with the time it had."""
    return f"{sentence(seconds_phrase(seconds_left))} to go, starting now."


def form_cue_answer(timeline: Timeline | None, position_s: float) -> str:
    if timeline is None:
        return "We haven't started a movement yet."
    focus = _in_focus(timeline, position_s)
    if focus is not None:
        return focus[0].form_cue
    if position_s < timeline.movement_starts[0]:
        first = timeline.routine.movements[0]
        return f"We haven't started a movement yet. First up is {first.spoken_name}."
    return "That was the last movement. We're just finishing."


def repeat_instruction(timeline: Timeline | None, position_s: float) -> str:
    if timeline is None or _in_focus(timeline, position_s) is None:
        return "Here we go again."
    return _instruction(timeline, position_s)


def time_left_answer(timeline: Timeline | None, position_s: float) -> str:
    """The hold's remainder and when the whole routine ends, so the answer is honest about
    the talk and transitions the intro's "ten minutes of holds" leaves out."""
    if timeline is None:
        return "We haven't started a routine yet."
    ends = f"The routine ends in {minutes_phrase(timeline.end_s - position_s)}."
    span = timeline.hold_at(position_s)
    if span is None:
        upcoming = timeline.next_hold(position_s)
        if upcoming is None:
            return "We're just finishing."
        length = duration_words(round(upcoming.end_s - upcoming.start_s))
        return f"The next hold lasts {length}. {ends}"
    where = "on this side" if span.side else "in this one"
    return f"{sentence(seconds_phrase(span.end_s - position_s))} {where}. {ends}"


def whats_next_answer(timeline: Timeline | None, position_s: float) -> str:
    if timeline is None:
        return "We haven't started a routine yet."
    current = timeline.hold_at(position_s)
    upcoming = timeline.next_hold(position_s)
    if upcoming is None:
        return "This is the last one. Then we're done."
    same = current is not None and current.movement == upcoming.movement
    return f"Next, {_span_name(timeline, upcoming, same_movement=same)}."


def why_answer(timeline: Timeline | None, position_s: float) -> str:
    focus = _in_focus(timeline, position_s) if timeline else None
    if focus is None:
        return ("This routine eases a psoas that has grown tight from sitting, with slow "
                "breathing and gentle holds instead of forcing a stretch.")
    return focus[0].why


def help_answer(timeline: Timeline | None) -> str:
    if timeline is None:
        return ("I coach a gentle routine to release your hip flexors, hands-free. "
                "Say start to begin, or ask what routines there are.")
    return ("You can say: repeat the form cue, how much time is left, what's next, "
            "why does this help, pause, next, previous, or stop. If anything hurts, say: "
            "it hurts.")


def pain_advice(timeline: Timeline | None, position_s: float) -> str:
    movement = _movement_at(timeline, position_s) if timeline else None
    if movement is None:
        return f"Stop and rest. {SAFETY_STOP}"
    return f"Stop and rest. {movement.if_it_hurts} {SAFETY_STOP}"


def list_routines_answer(library: RoutineLibrary) -> str:
    """The catalogue, module by module: each routine by its spoken name, which says its length."""
    modules: dict[str, list[Routine]] = {}
    for routine in library.routines:
        modules.setdefault(routine.catalogue.module_title.replace(":", ""), []).append(routine)
    parts = []
    for module, routines in modules.items():
        levels = {routine.catalogue.level for routine in routines}
        level = f" for {levels.pop()}s" if len(levels) == 1 else ""
        names = [routine.spoken_title for routine in routines]
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])}, and {names[-1]}"
        count = "is one routine" if len(names) == 1 else f"are {len(names)} routines"
        parts.append(f"In {module}, there {count}{level}: {listed}.")
    return " ".join(parts)
