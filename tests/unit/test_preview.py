"""`psoas-release preview`: a routine's speech as one WAV file, and its holds measured there."""

from __future__ import annotations

import functools
import itertools
import re
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from psoas_release import preview
from psoas_release.cli import main
from psoas_release.core.library import RoutineLibrary
from psoas_release.core.routines import Routine
from psoas_release.core.speaking import word_count
from psoas_release.core.speech import plan_coaching
from psoas_release.core.ssml import Silence
from psoas_release.core.timeline import compile_timeline
from psoas_release.preview import SAMPLE_RATE, Placed, make_preview, routine_replies, silence
from tests.conftest import require_program

QUICK = "unlock-psoas-quick-release"


def fake_speaker(words_per_minute: float) -> preview.Speak:
    """A voice that takes exactly 60 / wpm seconds a word: silence as long as the words."""
    return lambda text: silence(word_count(text) * 60 / words_per_minute)


@pytest.fixture
def quick(library: RoutineLibrary) -> Routine:
    routine = library.get(QUICK)
    assert routine is not None
    return routine


def wav_frames(path: Path) -> int:
    with wave.open(str(path), "rb") as audio:
        assert (audio.getnchannels(), audio.getsampwidth(), audio.getframerate()) == (
            1, 2, SAMPLE_RATE)
        return audio.getnframes()


def test_without_espeak_it_says_so_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name, *args, **kwargs: None)
    output = tmp_path / "out.wav"
    assert main(["preview", "-o", str(output)]) == 2
    captured = capsys.readouterr()
    assert "needs espeak-ng, which is not installed" in captured.err
    assert captured.out == ""
    assert not output.exists()


def test_an_unknown_routine_exits_2_naming_the_known_ones(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name, *args, **kwargs: "/bin/espeak-ng")
    assert main(["preview", "no-such-routine", "-o", str(tmp_path / "out.wav")]) == 2
    assert QUICK in capsys.readouterr().err


@pytest.mark.parametrize("seconds", [0, 1, 2.5, 10, 61])
def test_silence_is_exactly_n_seconds_of_samples(seconds: float, tmp_path: Path) -> None:
    assert len(silence(seconds)) == 2 * round(seconds * SAMPLE_RATE)
    output = tmp_path / "silence.wav"
    starts = preview.write_audio([Placed(Silence(seconds), None, 0.0)] * 2, {}, output)
    assert starts == [0, round(seconds * SAMPLE_RATE), 2 * round(seconds * SAMPLE_RATE)]
    assert wav_frames(output) == 2 * round(seconds * SAMPLE_RATE)


def test_a_voice_at_150_words_a_minute_hears_every_hold_at_its_figure(
    library: RoutineLibrary, quick: Routine, tmp_path: Path
) -> None:
    output = tmp_path / "quick.wav"
    result = make_preview(library, quick, output, fake_speaker(150))
    assert [hold.name for hold in result.holds] == [
        "constructive-rest", "knee-to-chest right", "knee-to-chest left", "glute-bridge",
        "kneeling-psoas-stretch right", "kneeling-psoas-stretch left", "figure-four right",
        "figure-four left",
    ]
    for hold in result.holds:
        assert hold.heard_s == pytest.approx(hold.figure_s, abs=0.5), hold.name
        assert hold.model_s == pytest.approx(hold.figure_s, abs=0.05), hold.name
    assert result.audio_s == pytest.approx(result.model_s, abs=0.1)
    assert wav_frames(output) == result.samples


def test_a_slower_voice_not_yet_known_lengthens_each_hold_by_its_cues_overrun(
    library: RoutineLibrary, quick: Routine, tmp_path: Path
) -> None:
    """The measurement measures: every word past the model's time delays the words after it."""
    result = make_preview(library, quick, tmp_path / "slow.wav", fake_speaker(100),
                          first_time=True)
    assert result.voice_pace is None
    timeline = compile_timeline(quick)
    extra_per_word = 60 / 100 - 60 / 150
    for span, hold in zip(timeline.holds, result.holds, strict=True):
        words = sum(word_count(cue.text) for segment in timeline.segments
                    if segment.coached and span.start_s <= segment.start_s < span.end_s
                    for cue in segment.cues)
        assert hold.model_s == pytest.approx(hold.figure_s, abs=0.05)
        assert hold.heard_s is not None
        assert hold.heard_s - hold.figure_s == pytest.approx(words * extra_per_word, abs=0.05)


@pytest.mark.parametrize("words_per_minute", [100, 120, 180, 200])
def test_a_returning_persons_voice_is_learned_and_every_hold_lasts_its_figure(
    library: RoutineLibrary, quick: Routine, tmp_path: Path, words_per_minute: int
) -> None:
    result = make_preview(library, quick, tmp_path / "known.wav", fake_speaker(words_per_minute))
    assert result.voice_pace == pytest.approx(150 / words_per_minute, abs=0.001)
    for hold in result.holds:
        assert hold.heard_s == pytest.approx(hold.figure_s, abs=0.5), hold.name
        assert hold.model_s == pytest.approx(hold.figure_s, abs=0.05), hold.name
    assert result.audio_s == pytest.approx(result.model_s, abs=0.1)


def test_a_routine_in_several_replies_continues_at_each_boundary_and_keeps_its_holds(
    library: RoutineLibrary, quick: Routine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = functools.partial(plan_coaching, budget_chars=1500)
    monkeypatch.setattr("psoas_release.core.coaching.plan_coaching", small)
    replies = routine_replies(library, quick)
    spans = [(r.coaching.from_s, r.coaching.until_s) for r in replies if r.coaching]
    assert len(spans) == len(replies) > 2
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))
    assert replies[-1].coaching is not None and replies[-1].coaching.reaches_end
    assert all(r.prompt for r in replies[:-1])

    result = make_preview(library, quick, tmp_path / "split.wav", fake_speaker(150))
    assert result.replies == len(replies)
    for hold in result.holds:
        assert hold.heard_s == pytest.approx(hold.figure_s, abs=0.5), hold.name


def test_the_safety_advisory_is_heard_only_the_first_time(
    library: RoutineLibrary, quick: Routine
) -> None:
    timeline = compile_timeline(quick)
    first = routine_replies(library, quick, first_time=True)[0]
    again = routine_replies(library, quick)[0]
    assert first.coaching is not None and first.coaching.from_s == 0.0
    assert again.coaching is not None and again.coaching.from_s == timeline.intro_s


@pytest.fixture
def espeak() -> str:
    return require_program("espeak-ng", "apt-get install espeak-ng")


@pytest.mark.usefixtures("espeak")
def test_espeak_renders_the_five_minute_routine_end_to_end(
    quick: Routine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "quick.wav"
    assert main(["preview", QUICK, "-o", str(output)]) == 0
    timeline = compile_timeline(quick)
    played_s = wav_frames(output) / SAMPLE_RATE
    assert timeline.end_s - timeline.intro_s - 15 < played_s < timeline.end_s + 60
    out = capsys.readouterr().out
    assert "knee-to-chest right" in out
    assert "Holds sized for this voice as the skill learns it" in out
    rows = re.findall(r"^(\S+(?: right| left)?) +(\d+) s +[\d.]+ s +([\d.]+) s", out, re.M)
    assert [name for name, _, _ in rows] == [
        preview.hold_name(quick, span.movement, span.side) for span in timeline.holds]
    for name, figure, heard in rows:
        assert abs(float(heard) - float(figure)) < 5, name


@pytest.mark.usefixtures("espeak")
@pytest.mark.parametrize("where", ["no-such-folder/out.wav", "a-folder", "a-file/out.wav"])
def test_an_output_that_cannot_be_written_is_one_clean_line(tmp_path: Path, where: str) -> None:
    (tmp_path / "a-folder").mkdir()
    (tmp_path / "a-file").write_text("not a folder\n")
    output = tmp_path / where
    done = subprocess.run([sys.executable, "-m", "psoas_release.cli", "preview", QUICK,
                           "-o", str(output)], capture_output=True, text=True, check=False,
                          timeout=120)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith(f"preview failed: cannot write {output}: ")
    assert done.stderr.count("\n") == 1, done.stderr
