"""What the terminal shows: a transcript of the conversation and a live progress line.

Why: a person lying on a mat hears only speech; a person at a keyboard trying the skill wants
to see *when* each cue comes and where in the routine it is, so every line carries its
simulated time and the progress line below them keeps the hold's countdown. Text from the
skill and the person is never read as rich markup.
"""

from __future__ import annotations

import math

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from psoas_release.core.state import Phase
from psoas_release.simulator.clock import SimulatedClock
from psoas_release.simulator.progress import Progress
from psoas_release.simulator.session import LISTEN_S

SPEAKER_WIDTH = 5


def clock_face(seconds: float) -> str:
    """'03:47' or '1:03:47': simulated time since the simulator started."""
    whole = max(0, math.floor(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def duration_face(seconds: float) -> str:
    """'0:25', '10:05': a countdown, rounded up so it reaches 0:00 only at the end."""
    whole = max(0, math.ceil(seconds - 1e-6))
    return f"{whole // 60}:{whole % 60:02d}"


def progress_text(progress: Progress, activity: str) -> Text:
    """One line: what Alexa is doing, the movement and side, the time left in hold and all."""
    line = Text()
    line.append(f"{activity:<11} ", style="bold cyan" if activity != "closed" else "dim")
    if progress.phase in {Phase.IDLE, Phase.FINISHED} or progress.movement_count is None:
        line.append("routine finished" if progress.phase is Phase.FINISHED else "no routine")
        return line
    if progress.phase is not Phase.COACHING:
        line.append(f"{progress.phase.value.replace('_', ' ')}  ", style="yellow")
    if progress.movement_number is None:
        line.append(progress.routine_title or "", style="bold")
    else:
        line.append(f"{progress.movement_number}/{progress.movement_count} ", style="dim")
        line.append(progress.movement_name or "", style="bold")
    if progress.side is not None:
        line.append(f" · {progress.side.value} side")
    if progress.hold_left_s is not None:
        line.append(" · hold ")
        line.append(f"{duration_face(progress.hold_left_s)} left", style="bold green")
    else:
        line.append(" · getting into position", style="dim")
    if progress.total_left_s is not None:
        line.append(f" · {duration_face(progress.total_left_s)} left in all")
    return line


def status_line(progress: Progress, activity: str, clock: SimulatedClock) -> Text:
    """The progress line after the simulated time, like a transcript line."""
    line = Text(f"{clock_face(clock.elapsed())} ", style="dim")
    line.append_text(progress_text(progress, activity))
    return line


def speed_face(clock: SimulatedClock) -> str:
    """'instant', 'real time', or 'x20' with a word that Alexa's listening is not sped up."""
    if clock.instant:
        return "instant"
    if clock.speed == 1:
        return "real time"
    return f"x{clock.speed:g} for speech; Alexa listens {LISTEN_S:g} s in real time"


def live_view(status: Text, typing: str) -> RenderableType:
    """The live area under the transcript: the status line and what is being typed."""
    prompt = Text("> ", style="bold magenta")
    prompt.append(typing)
    prompt.append("▏", style="blink")
    return Group(status, prompt)


class TerminalTranscript:
    """A `Transcript` that prints each event as one line, with its simulated time."""

    def __init__(self, console: Console, clock: SimulatedClock) -> None:
        self.console = console
        self.clock = clock

    def _line(self, at: float, speaker: str, words: str, style: str = "") -> None:
        """One row: time, speaker, words; long words wrap under the words, not the time."""
        row = Table.grid(padding=(0, 1))
        row.add_column(no_wrap=True, style="dim")
        row.add_column(width=SPEAKER_WIDTH, no_wrap=True, style="bold")
        row.add_column(overflow="fold")
        row.add_row(clock_face(at - self.clock.started_at), speaker, Text(words, style=style))
        self.console.print(row)

    def speech(self, at: float, words: str, *, reprompt: bool) -> None:
        self._line(at, "Alexa", words, style="italic" if reprompt else "")

    def request(self, at: float, utterance: str | None, summary: str) -> None:
        if utterance is not None:
            self._line(at, "you", utterance, style="bold magenta")
        self._line(at, "", f"→ {summary}", style="dim")

    def notice(self, at: float, message: str) -> None:
        self._line(at, "", f"· {message}", style="dim italic")

    def problem(self, at: float, message: str) -> None:
        self._line(at, "!", message, style="bold red")
