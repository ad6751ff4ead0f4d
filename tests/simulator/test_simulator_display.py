"""The progress line and the transcript, as a person at a terminal reads them."""

from __future__ import annotations

import io
import math

import pytest
from rich.console import Console

from psoas_release.cli import main
from psoas_release.core.library import RoutineLibrary
from psoas_release.core.state import Phase, SessionState
from psoas_release.core.timeline import compile_timeline
from psoas_release.simulator.clock import SimulatedClock
from psoas_release.simulator.display import (
    TerminalTranscript,
    clock_face,
    duration_face,
    progress_text,
    speed_face,
)
from psoas_release.simulator.progress import playing_position, progress_of


def coaching(library: RoutineLibrary, position_s: float, lead_s: float = 0.0) -> SessionState:
    timeline = compile_timeline(library.default)
    return SessionState(phase=Phase.COACHING, routine_id=library.default.id,
                        position_s=position_s, anchor_at=100.0, lead_s=lead_s,
                        covers_until_s=timeline.end_s)


def test_the_position_counts_only_speech_after_the_lead(library: RoutineLibrary) -> None:
    timeline = compile_timeline(library.default)
    state = coaching(library, 195.4, lead_s=4.0)
    assert playing_position(state, timeline, None) == 195.4
    assert playing_position(state, timeline, 3.0) == 195.4
    assert playing_position(state, timeline, 39.0) == pytest.approx(230.4)
    assert playing_position(state, timeline, 10_000) == timeline.end_s


def test_a_slower_voice_is_further_behind_after_each_sentence(library: RoutineLibrary) -> None:
    timeline = compile_timeline(library.default)
    start = timeline.intro_s
    state = coaching(library, start)
    model = playing_position(state, timeline, 10.0)
    slow = playing_position(state, timeline, 10.0, voice_pace=1.25)
    fast = playing_position(state, timeline, 10.0, voice_pace=0.8)
    assert model == pytest.approx(start + 10.0)
    assert slow == pytest.approx(start + 8.0), "all words: they play 25 % longer"
    assert fast == pytest.approx(start + 12.5)


def test_a_two_sided_hold(library: RoutineLibrary) -> None:
    timeline = compile_timeline(library.default)
    start = timeline.holds[1].start_s
    line = progress_text(progress_of(coaching(library, start), library, 35.0), "speaking")
    left = math.ceil(timeline.end_s - start - 35)
    assert line.plain == ("speaking    2/5 Knee to chest hug · right side · hold 0:25 left"
                          f" · {left // 60}:{left % 60:02d} left in all")


def test_between_holds_the_line_says_so(library: RoutineLibrary) -> None:
    line = progress_text(progress_of(coaching(library, 0.0), library, 20.0), "speaking")
    assert line.plain.startswith("speaking    the ten minute psoas release · getting into")


def test_paused_idle_and_finished(library: RoutineLibrary) -> None:
    paused = coaching(library, 200.0)._replace(phase=Phase.PAUSED, anchor_at=None)
    assert "paused  2/5 Knee to chest hug" in progress_text(
        progress_of(paused, library, 50.0), "closed").plain
    assert progress_text(progress_of(SessionState(), library), "closed").plain.endswith(
        "no routine")
    done = SessionState(phase=Phase.FINISHED, completed_count=1)
    assert progress_text(progress_of(done, library), "listening").plain.endswith("finished")


def test_the_speed_says_that_listening_is_not_sped_up() -> None:
    assert speed_face(SimulatedClock(0.0, 10)) == (
        "x10 for speech; Alexa listens 8 s in real time")
    assert speed_face(SimulatedClock(0.0, 1)) == "real time"
    assert speed_face(SimulatedClock(0.0, 0)) == "instant"


def test_the_listening_countdown_stands_apart_from_the_routine(library: RoutineLibrary) -> None:
    paused = coaching(library, 200.0)._replace(phase=Phase.PAUSED, anchor_at=None)
    line = progress_text(progress_of(paused, library), "listening 8s").plain
    assert line.startswith("listening 8s paused  2/5 Knee to chest hug")


def test_faces() -> None:
    assert (clock_face(227.9), clock_face(3725)) == ("03:47", "1:02:05")
    assert (duration_face(24.2), duration_face(0.0), duration_face(605)) == \
        ("0:25", "0:00", "10:05")


def test_skill_words_are_never_read_as_markup() -> None:
    console = Console(file=io.StringIO(), width=80)
    TerminalTranscript(console, SimulatedClock(0.0, 0)).speech(3.0, "[bold]x[/bold]",
                                                              reprompt=False)
    assert "[bold]x[/bold]" in console.file.getvalue()  # type: ignore[attr-defined]


@pytest.mark.parametrize("speed", ["-1", "inf", "nan"])
def test_a_speed_that_is_not_a_finite_number_of_0_or_more_is_refused_by_the_cli(
    capsys: pytest.CaptureFixture[str], speed: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["simulate", "--speed", speed])
    assert exit_info.value.code == 2
    assert "must be a number, 0 or more" in capsys.readouterr().err
