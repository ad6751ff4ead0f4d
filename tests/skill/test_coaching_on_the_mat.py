"""The routine as a person lying on the mat hears it, from one "Alexa, start psoas release":
time to get into position, paced breathing, coached releases, holds that last their figure.

Everything is measured from the SSML the real `lambda_handler` answers with (breaks exact,
words at the speaking model's 150 a minute), as someone with eyes closed would live it.
"""

from __future__ import annotations

import itertools
import re

import pytest

from psoas_release.core.library import RoutineLibrary
from psoas_release.core.routines import TAKE_YOUR_TIME_S, Routine
from psoas_release.core.speech import LEAD_GAP_S
from psoas_release.core.timeline import TAKE_YOUR_TIME, compile_timeline
from tests.skill.device import EchoDevice, Heard
from tests.skill.listening import Said, holds, length_s, said, silence_between

FIRST_TIME_LIMIT_S = 870.0
"""The whole first-time routine, hands-free: 14 min 30 s."""


@pytest.fixture
def routine_heard(device: EchoDevice, psoas: Routine) -> Heard:
    """The one reply that coaches the whole ten-minute routine for a first-time person."""
    heard = device.say("start psoas release")
    assert heard.text.startswith("A safety note:")
    assert heard.state.covers_until_s == compile_timeline(psoas).end_s, "one reply, hands-free"
    return heard


def test_every_break_is_a_whole_number_of_milliseconds_or_seconds(routine_heard: Heard) -> None:
    times = re.findall(r'<break time="([^"]*)"/>', routine_heard.ssml)
    assert len(times) > 80
    assert all(re.fullmatch(r"[1-9]\d*(ms|s)", time) for time in times), times


def test_the_first_time_routine_stays_within_fourteen_and_a_half_minutes(
    routine_heard: Heard,
) -> None:
    assert length_s(routine_heard.ssml) <= FIRST_TIME_LIMIT_S


def test_each_hold_as_heard_lasts_its_figure(routine_heard: Heard, psoas: Routine) -> None:
    heard = holds(said(routine_heard.ssml), psoas)
    figures = [hold.hold_s for movement in psoas.movements for hold in movement.holds]
    assert [round(hold.length_s, 1) for hold in heard] == pytest.approx(figures, abs=0.5)


def test_five_seconds_to_get_into_position_before_every_hold(routine_heard: Heard,
                                                             psoas: Routine) -> None:
    heard = said(routine_heard.ssml)
    for hold in holds(heard, psoas):
        assert heard[hold.start].silence_before_s >= 5.0, heard[hold.start - 1].words


def test_eight_seconds_of_silence_in_every_change_between_holds(routine_heard: Heard,
                                                                psoas: Routine) -> None:
    heard = said(routine_heard.ssml)
    spans = holds(heard, psoas)
    for before, after in itertools.pairwise(spans):
        assert silence_between(heard, before.end, after.start) >= 8.0, heard[before.end].words


def test_a_change_of_level_or_a_prop_says_take_your_time_and_gives_ten_seconds(
    routine_heard: Heard, psoas: Routine
) -> None:
    heard = said(routine_heard.ssml)
    slow_changes = [m for m in psoas.movements if m.takes_time]
    assert [m.id for m in slow_changes] == ["kneeling-psoas-stretch", "figure-four"]
    ending = [i for i, words in enumerate(heard) if words.words.endswith(TAKE_YOUR_TIME)]
    assert len(ending) == len(slow_changes)
    for index in ending:
        assert heard[index + 1].silence_before_s >= TAKE_YOUR_TIME_S
    kneeling = next(i for i in ending if "kneeling" in heard[i].words)
    assert "cushion" in heard[kneeling].words


def test_every_hold_ends_with_a_release_and_three_seconds_to_do_it(
    routine_heard: Heard, psoas: Routine
) -> None:
    heard = said(routine_heard.ssml)
    for hold in holds(heard, psoas):
        release = heard[hold.end]
        assert release.words.startswith(("And release.", "Good.")), release.words
        assert heard[hold.end + 1].silence_before_s >= 3.0, release.words
    bridge = psoas.movements[2]
    assert "lower your hips" in bridge.release_cue


def test_constructive_rest_paces_most_of_its_two_minutes_on_the_four_second_grid(
    routine_heard: Heard, psoas: Routine
) -> None:
    heard = said(routine_heard.ssml)
    rest = holds(heard, psoas)[0]
    breathing = psoas.breathing
    cues = {breathing.inhale_cue, breathing.exhale_cue, breathing.quiet_inhale_cue,
            breathing.quiet_exhale_cue}
    breaths = [words for words in heard[rest.start:rest.end] if words.words in cues]
    assert len(breaths) // 2 >= 8
    assert breaths[-1].at_s - rest.start_s >= 0.6 * 120, "most of the two minutes"
    for words in breaths:
        offset = words.at_s - rest.start_s
        assert offset == pytest.approx(round(offset / 4) * 4, abs=0.001), words
    quiet = [words.words for words in breaths[-4:]]
    assert set(quiet) == {breathing.quiet_inhale_cue, breathing.quiet_exhale_cue}
    after = [w.words for w in heard[heard.index(breaths[-1]) + 1:rest.end]
             if not w.words.endswith("seconds left.")]
    assert after[0] == breathing.rhythm_cue
    assert '<prosody volume="soft">In.</prosody>' in routine_heard.ssml, "quieter cues"


def test_the_glute_bridge_reminds_to_keep_breathing(routine_heard: Heard, psoas: Routine) -> None:
    heard = said(routine_heard.ssml)
    bridge = holds(heard, psoas)[3]
    words = " ".join(w.words for w in heard[bridge.start:bridge.end])
    assert psoas.breathing.inhale_cue in words
    assert "Keep breathing" in words


def test_words_for_the_ear(routine_heard: Heard, psoas: Routine) -> None:
    text = routine_heard.text
    assert "Thirty seconds left." in text and "Ten seconds left." in text
    assert "Ten more seconds" not in text
    for movement in psoas.movements:
        for hold in movement.holds:
            assert hold.feel_cue is None or hold.feel_cue in text
    holds_heard = holds(said(routine_heard.ssml), psoas)
    heard = said(routine_heard.ssml)
    for first, second in ((1, 2), (4, 5), (6, 7)):
        one = {w.words for w in heard[holds_heard[first].start:holds_heard[first].end]}
        two = {w.words for w in heard[holds_heard[second].start:holds_heard[second].end]}
        repeated = (one & two) - {"One minute, starting now.", "Thirty seconds left.",
                                  "Ten seconds left."}
        assert not repeated, f"the second side repeats {repeated}"
    left_sides = [hold.setup_cue or "" for m in psoas.movements for hold in m.holds
                  if hold.side and hold.side.value == "left"]
    assert all(("fingers" in cue) or ("Hands" in cue) or ("Clasp" in cue) for cue in left_sides)
    spoken = [c.text for s in compile_timeline(psoas).segments for c in s.cues]
    assert not [c for c in spoken if re.search(r"\bhold\b", c, re.IGNORECASE)], \
        "'hold' means the timed hold only, and the coach never says it in another sense"


def _resumed_hold(device: EchoDevice, psoas: Routine) -> tuple[Heard, float]:
    device.say("start psoas release")
    device.wait_until_heard("One minute, starting now.", plus=20, occurrence=3)
    paused = device.say("pause")
    assert paused.text.startswith("Paused on the kneeling stretch, right side.")
    left = compile_timeline(psoas).hold_span(paused.state.position_s)
    assert left is not None
    device.wait(30)
    return device.say("resume"), left[1] - paused.state.position_s


def test_resume_after_a_pause_sets_the_position_again_and_restarts_the_hold_intact(
    device: EchoDevice, psoas: Routine
) -> None:
    resumed, left = _resumed_hold(device, psoas)
    heard = said(resumed.ssml)
    kneeling = psoas.movements[3]
    assert heard[0].words == (f"Back to the kneeling stretch, right side. "
                              f"{kneeling.holds[0].setup_cue}")
    restart = heard[1]
    assert restart.silence_before_s >= 5.0, "time to get back into position"
    assert restart.words == "About 40 seconds to go, starting now."
    release = next(w for w in heard if w.words == kneeling.switch_cue)
    restart_end = restart.at_s + len(restart.words.split()) / 2.5
    assert release.at_s - restart_end - LEAD_GAP_S == pytest.approx(left, abs=0.5)


def test_a_form_cue_between_holds_is_the_next_movements_and_never_rewinds(
    device: EchoDevice, psoas: Routine
) -> None:
    device.say("start psoas release")
    device.wait_until_heard(psoas.movements[0].release_cue, plus=2.5)
    asked = device.say("repeat the form cue")
    assert asked.text.startswith(psoas.movements[1].form_cue)
    rest_end = compile_timeline(psoas).holds[0].end_s
    assert asked.state.position_s >= rest_end, "not back into constructive rest"
    before_next = asked.text.partition("Next, the knee to chest hug.")[0]
    assert before_next, "the next movement is still set up"
    assert psoas.breathing.quiet_inhale_cue not in before_next


def test_a_form_cue_as_a_movement_is_announced_continues_with_that_movement(
    device: EchoDevice, psoas: Routine
) -> None:
    device.say("start psoas release")
    device.wait_until_heard("Next, the glute bridge.", plus=1)
    asked = device.say("repeat the form cue")
    assert asked.text.startswith(psoas.movements[2].form_cue)
    bridge_start = compile_timeline(psoas).holds[3].start_s
    knee_end = compile_timeline(psoas).holds[2].end_s
    assert knee_end <= asked.state.position_s < bridge_start


def test_a_question_in_the_intro_goes_on_where_the_intro_was(device: EchoDevice) -> None:
    first = device.say("start psoas release")
    device.wait_until_heard("Any time, you can say", plus=1)
    asked = device.say("what's next")
    assert asked.text.startswith("Next, constructive rest. Any time, you can say: Alexa,")
    assert "This is the psoas release" not in asked.text
    assert "A safety note" not in asked.text
    assert first.text.count("This is the psoas release") == 1


def test_previous_names_the_movement_once(device: EchoDevice, psoas: Routine) -> None:
    device.say("start psoas release")
    device.wait_until_heard("Next, the kneeling stretch.", plus=30)
    back = device.say("previous")
    assert back.text.startswith(f"Going back to the glute bridge. {psoas.movements[2].setup_cue}")
    assert back.text.count("the glute bridge") == 1


def test_time_left_between_holds_names_the_next_hold_and_the_end(
    device: EchoDevice, psoas: Routine
) -> None:
    device.say("start psoas release")
    device.wait_until_heard(psoas.movements[1].release_cue, plus=4)
    asked = device.say("how much time is left")
    assert asked.text.startswith("The next hold lasts two minutes. The routine ends in about ")


@pytest.mark.parametrize("routine_id", ["unlock-psoas-flex-foundations",
                                        "unlock-psoas-quick-release"])
def test_every_routine_keeps_the_same_promises(
    device: EchoDevice, library: RoutineLibrary, routine_id: str
) -> None:
    routine = library.get(routine_id)
    assert routine is not None
    heard_reply = device.say(f"ask psoas release to start {routine.spoken_names[0]}")
    heard: list[Said] = said(heard_reply.ssml)
    spans = holds(heard, routine)
    figures = [hold.hold_s for movement in routine.movements for hold in movement.holds]
    assert [hold.length_s for hold in spans] == pytest.approx(figures, abs=0.5)
    for before, after in itertools.pairwise(spans):
        assert heard[after.start].silence_before_s >= 5.0
        assert silence_between(heard, before.end, after.start) >= 8.0
