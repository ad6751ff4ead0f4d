"""`psoas-release preview`: hear a whole routine before Alexa does, and check its holds by ear.

The skill times every hold by speaking cues at the device's pace (the model's 150 words a
minute until it has learned the device's own) and filling the rest with breaks. A preview
renders the very SSML the skill sends, reply after reply from one "start" (and "continue" at
each movement boundary), to one WAV file: words through espeak-ng at the rate asked for,
breaks as exact silence. A returning person's device is one the skill has heard to the end of
a routine, so the preview first measures espeak-ng's pace the way the skill learns a device's,
then renders for it; a first-time person's device is unknown, so the holds are sized for the
model's voice. It then measures each hold in the audio, from the start of its first cue to
the start of the next words after it, next to the routine's figure and the skill's model of
that voice, so an author hears what a person on the mat hears and sees how long each hold
really lasts.

Only the standard library and the core are used; espeak-ng is a program found on the PATH.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import wave
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from psoas_release.core.events import Event, EventKind
from psoas_release.core.library import RoutineLibrary, load_library
from psoas_release.core.machine import Coach
from psoas_release.core.pace import VoicePace, with_pace
from psoas_release.core.reply import Reply
from psoas_release.core.routines import Routine
from psoas_release.core.speaking import WORDS_PER_MINUTE, speaking_seconds, word_count
from psoas_release.core.speech import lead_of, piece_seconds, render_reply
from psoas_release.core.ssml import Piece, Silence, Text, pieces_of
from psoas_release.core.state import SessionState
from psoas_release.core.timeline import Timeline

SAMPLE_RATE = 22050
"""espeak-ng's own output rate (its default voices): 16-bit mono PCM at 22,050 Hz."""
SAMPLE_WIDTH = 2
CHANNELS = 1

ESPEAK = "espeak-ng"
ESPEAK_VOICE = "en-us"

TURN_GAP_S = 1.0
"""Silence between two replies, where the person says "continue". No hold spans it."""

PLACE_TOLERANCE_S = 0.25
"""Breaks are rounded to the millisecond, so positions recovered from SSML drift a little;
cues are always seconds apart, so this tolerance never confuses one with another."""

START_AT = 1_700_000_000.0
"""The clock of the simulated session (epoch seconds); only differences matter."""

PREVIEW_DEVICE = "preview"
"""The device the preview's replies are for: its pace is what the skill would have learned."""

EXIT_UNAVAILABLE = 2

Speak = Callable[[str], bytes]
"""Words in, 16-bit mono PCM frames at SAMPLE_RATE out."""


class PreviewError(Exception):
    """A preview that cannot be made: the message says why, for the person at the terminal."""


@dataclass(frozen=True)
class Placed:
    """One piece of a reply, where it falls on the routine's timeline and on the model clock.

    `position_s` is None for words outside the coaching (an answer before it, a prompt after
    it); `model_s` counts from the start of the preview, with words at the pace the skill
    assumed for the voice.
    """

    piece: Piece
    position_s: float | None
    model_s: float


@dataclass(frozen=True)
class HoldTiming:
    """One hold: the routine's figure, its length under the skill's model of the voice, and
    the length heard."""

    name: str
    figure_s: float
    model_s: float | None
    heard_s: float | None


@dataclass(frozen=True)
class PreviewResult:
    """What was written and what it measured."""

    routine: Routine
    replies: int
    samples: int
    model_s: float
    holds: tuple[HoldTiming, ...]
    words: int
    speech_s: float
    """Seconds of audio the words took (espeak-ng's own pauses included)."""
    voice_pace: float | None = None
    """The voice's pace as the skill learned it and sized the holds for; None: unknown."""

    @property
    def audio_s(self) -> float:
        return self.samples / SAMPLE_RATE


# --- the session: the replies of one "start", then "continue" at each boundary ---------------


def routine_replies(library: RoutineLibrary, routine: Routine, first_time: bool = False,
                    voice_pace: float | None = None) -> list[Reply]:
    """Every reply that coaches `routine` from a "start" to its end, as the core gives them.

    A returning person (the default) skips the safety advisory; `first_time` includes it.
    `voice_pace` is the device's pace as the skill knows it once learned; None: unknown.
    """
    coach = Coach(library)
    state = SessionState(advisory_heard=not first_time)
    if voice_pace is not None:
        known = VoicePace(voice_pace, voice_pace, voice_pace, 1.0, 1)
        state = state._replace(paces=with_pace(state.paces, PREVIEW_DEVICE, known))
    now = START_AT
    start = Event(EventKind.START, routine_id=routine.id, device=PREVIEW_DEVICE)
    state, reply = coach.step(state, start, now)
    replies = [reply]
    for _ in range(len(routine.movements) + 2):
        coaching = reply.coaching
        if coaching is None or coaching.reaches_end:
            break
        lead = lead_of(reply)
        now += lead.words_s + lead.silence_s + (coaching.until_s - coaching.from_s) + 60.0
        state, reply = coach.step(state, Event(EventKind.NEXT, device=PREVIEW_DEVICE), now)
        replies.append(reply)
    return replies


def place(replies: Sequence[Reply]) -> list[Placed]:
    """The pieces of every reply's SSML in order, with a turn gap between replies.

    Two clocks run through them: the timeline (words in a hold take the pace the hold was
    sized for, elsewhere the model's time) places each piece in the routine; the model of
    the voice (every word at that pace) times it."""
    placed: list[Placed] = []
    clock = 0.0
    for number, reply in enumerate(replies):
        if number:
            placed.append(Placed(Silence(TURN_GAP_S), None, clock))
            clock += TURN_GAP_S
        coaching = reply.coaching
        pace = coaching.pace if coaching is not None else 1.0
        lead = lead_of(reply)
        timeline_at = None
        if coaching is not None:
            timeline_at = coaching.from_s - pace * lead.words_s - lead.silence_s
        for piece in pieces_of(render_reply(reply)):
            position = None
            if coaching is not None and timeline_at is not None:
                if coaching.from_s - PLACE_TOLERANCE_S <= timeline_at < coaching.until_s - \
                        PLACE_TOLERANCE_S:
                    position = max(timeline_at, coaching.from_s)
                coached = position is not None and \
                    coaching.timeline.locate(position + PLACE_TOLERANCE_S).segment.coached
                timeline_at += piece_seconds(piece, pace if coached else 1.0)
            placed.append(Placed(piece, position, clock))
            clock += piece_seconds(piece, pace)
    return placed


# --- audio ------------------------------------------------------------------------------------


def silence(seconds: float, sample_rate: int = SAMPLE_RATE) -> bytes:
    """`seconds` of 16-bit mono silence: exactly round(seconds * rate) samples."""
    return b"\x00" * (SAMPLE_WIDTH * CHANNELS * max(0, round(seconds * sample_rate)))


def read_pcm(path: Path) -> bytes:
    """The frames of a WAV file, which must be 16-bit mono at SAMPLE_RATE."""
    with wave.open(str(path), "rb") as audio:
        shape = (audio.getnchannels(), audio.getsampwidth(), audio.getframerate())
        if shape != (CHANNELS, SAMPLE_WIDTH, SAMPLE_RATE):
            raise PreviewError(f"{path.name}: {shape[0]} channel(s), {8 * shape[1]}-bit at "
                               f"{shape[2]} Hz; expected mono 16-bit at {SAMPLE_RATE} Hz")
        return audio.readframes(audio.getnframes())


def espeak_speaker(executable: str, voice: str = ESPEAK_VOICE,
                   words_per_minute: int = WORDS_PER_MINUTE) -> Speak:
    """A speaker that runs espeak-ng once per text, at `words_per_minute` (its nominal rate:
    espeak-ng's own pauses make it a little slower)."""

    def speak(text: str) -> bytes:
        with tempfile.TemporaryDirectory(prefix="psoas-preview-") as folder:
            path = Path(folder) / "speech.wav"
            command = [executable, "-v", voice, "-s", str(words_per_minute), "-w", str(path),
                       "--stdin"]
            done = subprocess.run(command, input=text, text=True, capture_output=True,
                                  check=False)
            if done.returncode or not path.exists():
                raise PreviewError(f"{ESPEAK} failed ({done.returncode}) on {text!r}: "
                                   f"{done.stderr.strip()}")
            return read_pcm(path)

    return speak


def synthesize(texts: Iterable[str], speak: Speak, workers: int = 4) -> dict[str, bytes]:
    """Each distinct text spoken once (cues repeat: every breath says the same words)."""
    distinct = list(dict.fromkeys(texts))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(zip(distinct, pool.map(speak, distinct), strict=True))


def write_audio(placed: Sequence[Placed], speech: dict[str, bytes], output: Path) -> list[int]:
    """Write the pieces in order to `output` as one WAV.

    Returns the sample where each piece starts, then the sample where the audio ends.
    """
    starts: list[int] = []
    cursor = 0
    frame = SAMPLE_WIDTH * CHANNELS
    try:
        handle = output.open("wb")
    except OSError as error:  # opened here: wave.open would leave a half-made writer behind
        raise PreviewError(f"cannot write {output}: {error.strerror or error}") from None
    with handle, wave.open(handle, "wb") as audio:
        audio.setnchannels(CHANNELS)
        audio.setsampwidth(SAMPLE_WIDTH)
        audio.setframerate(SAMPLE_RATE)
        for item in placed:
            piece = item.piece
            frames = silence(piece.seconds) if isinstance(piece, Silence) else speech[piece.words]
            starts.append(cursor)
            audio.writeframes(frames)
            cursor += len(frames) // frame
    return [*starts, cursor]


# --- measuring --------------------------------------------------------------------------------


def hold_name(routine: Routine, movement: int, side: str | None) -> str:
    return f"{routine.movements[movement].id}{f' {side}' if side else ''}"


def _in_hold(item: Placed, start_s: float, end_s: float) -> bool:
    position = item.position_s
    return position is not None and start_s - PLACE_TOLERANCE_S <= position < end_s


def _after_hold(item: Placed, end_s: float) -> bool:
    """Words that follow the hold: the next cue, or words outside coaching (a prompt)."""
    return item.position_s is None or item.position_s >= end_s - PLACE_TOLERANCE_S


def measure_holds(timeline: Timeline, placed: Sequence[Placed],
                  starts: Sequence[int]) -> list[HoldTiming]:
    """Each hold from the start of its first cue to the start of the next words after it.

    `starts` holds the sample where each of the `placed` pieces starts in the audio.
    """
    words = [(item, start) for item, start in zip(placed, starts[:len(placed)], strict=True)
             if isinstance(item.piece, Text)]
    timings = []
    for span in timeline.holds:
        movement = timeline.routine.movements[span.movement]
        figure = next(h.hold_s for h in movement.holds if h.side == span.side)
        name = hold_name(timeline.routine, span.movement, span.side)
        first = next((i for i, (item, _) in enumerate(words)
                      if _in_hold(item, span.start_s, span.end_s)), None)
        after = None if first is None else next(
            (i for i in range(first + 1, len(words)) if _after_hold(words[i][0], span.end_s)),
            None)
        if first is None or after is None:
            timings.append(HoldTiming(name, figure, None, None))
            continue
        (begin, begin_sample), (end, end_sample) = words[first], words[after]
        timings.append(HoldTiming(name, figure, end.model_s - begin.model_s,
                                  (end_sample - begin_sample) / SAMPLE_RATE))
    return timings


def make_preview(library: RoutineLibrary, routine: Routine, output: Path, speak: Speak,
                 first_time: bool = False) -> PreviewResult:
    """Render `routine`'s replies to `output` with `speak`, and measure its holds there.

    A returning person's device is known: the voice's pace is measured over every word the
    routine says, as the skill learns it over a reply, and the replies are sized for it."""
    replies = routine_replies(library, routine, first_time)
    speech = synthesize(_texts(replies), speak)
    pace = None if first_time else _seconds_said(_texts(replies), speech) / sum(
        speaking_seconds(text) for text in _texts(replies))
    if pace is not None:
        replies = routine_replies(library, routine, first_time, pace)
        speech |= synthesize([text for text in _texts(replies) if text not in speech], speak)
    texts = _texts(replies)
    timeline = next(r.coaching.timeline for r in replies if r.coaching is not None)
    placed = place(replies)
    starts = write_audio(placed, speech, output)
    return PreviewResult(
        routine=routine,
        replies=len(replies),
        samples=starts[-1],
        model_s=placed[-1].model_s + piece_seconds(placed[-1].piece, pace or 1.0),
        holds=tuple(measure_holds(timeline, placed, starts)),
        words=sum(word_count(text) for text in texts),
        speech_s=_seconds_said(texts, speech),
        voice_pace=pace,
    )


def _texts(replies: Sequence[Reply]) -> list[str]:
    """Every run of words the replies say, in order, repeats included."""
    return [piece.words for reply in replies for piece in pieces_of(render_reply(reply))
            if isinstance(piece, Text)]


def _seconds_said(texts: Sequence[str], speech: dict[str, bytes]) -> float:
    frame = SAMPLE_WIDTH * CHANNELS
    return sum(len(speech[text]) // frame for text in texts) / SAMPLE_RATE


# --- the report -------------------------------------------------------------------------------


def _clock(seconds: float) -> str:
    """'1:59.9', '2:00.0': rounded to tenths first, so 119.96 s is never '1:60.0'."""
    minutes, rest = divmod(round(seconds, 1), 60)
    return f"{int(minutes)}:{rest:04.1f}"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


def report(result: PreviewResult, output: Path) -> list[str]:
    """The table printed after a preview: every hold's figure, model and measured length."""
    gaps = f"; {TURN_GAP_S:g} s between replies for \"continue\"" if result.replies > 1 else ""
    lines = [
        f"{output}: {_clock(result.audio_s)} of audio, {result.replies} "
        f"repl{'y' if result.replies == 1 else 'ies'} of {result.routine.id} "
        f"(model {_clock(result.model_s)}{gaps})",
        "",
    ]
    width = max((len(hold.name) for hold in result.holds), default=4)
    lines.append(f"{'hold'.ljust(width)}  figure    model    heard  heard - figure")
    for hold in result.holds:
        difference = "" if hold.heard_s is None else f"{hold.heard_s - hold.figure_s:+.1f} s"
        lines.append(f"{hold.name.ljust(width)}  {hold.figure_s:4g} s  {_seconds(hold.model_s):>7}"
                     f"  {_seconds(hold.heard_s):>7}  {difference:>14}")
    if result.speech_s > 0:
        rate = result.words / result.speech_s * 60
        said = (f"espeak-ng said {result.words} words in {result.speech_s:.1f} s ({rate:.0f} a "
                "minute, its pauses included)")
        if result.voice_pace is None:
            lines += ["", f"Holds sized for the model's {WORDS_PER_MINUTE} words a minute, as "
                          "for a device the skill has not heard yet (--first-time). Why heard is "
                          f"not the model: {said}, and the silence after a cue is cut by the "
                          "model's time, so a hold is off by its cues' difference."]
        else:
            lines += ["", f"Holds sized for this voice as the skill learns it from a routine "
                          f"heard to its end: {said}, pace {result.voice_pace:.2f} of the "
                          "model's. Why heard is not the model: the pace is one figure for all "
                          "words, and espeak-ng ends every clip with a pause of its own, so a "
                          "hold of many short cues runs a little long."]
    return lines


def run(routine_id: str | None, output: Path, first_time: bool = False,
        library: RoutineLibrary | None = None,
        words_per_minute: int = WORDS_PER_MINUTE) -> int:
    """The `preview` subcommand: 0 on success, 2 if espeak-ng or the routine is missing."""
    executable = shutil.which(ESPEAK)
    if executable is None:
        print(f"preview needs {ESPEAK}, which is not installed (not found on PATH). "
              f"On Debian or Ubuntu: apt-get install {ESPEAK}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    library = library or load_library()
    routine = library.get(routine_id) if routine_id else library.default
    if routine is None:
        known = ", ".join(r.id for r in library.routines)
        print(f"no routine {routine_id!r}; known: {known}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    try:
        speaker = espeak_speaker(executable, words_per_minute=words_per_minute)
        result = make_preview(library, routine, output, speaker, first_time)
    except (PreviewError, OSError) as error:
        print(f"preview failed: {error}", file=sys.stderr)
        return 1
    print("\n".join(report(result, output)))
    return 0
