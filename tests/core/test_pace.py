"""Learning a device's speaking pace: each kind of observation, outliers, and records that
cannot be trusted."""

from __future__ import annotations

import math

import pytest

from psoas_release.core.pace import (
    KEPT_DEVICES,
    Ending,
    Observation,
    SpokenReply,
    VoicePace,
    learn,
    listening_pace,
    measure,
    merged,
    paces_from_list,
    paces_to_list,
    speaking_pace,
)
from psoas_release.core.position import (
    ANSWER_AFTER_S,
    LISTEN_S,
    SPOKEN_REQUEST_S,
    START_LATENCY_S,
)
from psoas_release.core.speaking import SLOWEST_PACE
from psoas_release.core.state import SessionState

ROUTINE_REPLY = SpokenReply(at=1_800_000_000.0, device="kitchen", words_s=280.0,
                            silence_s=600.0, reprompt_s=2.8,
                            answers=frozenset({"stop", "start_over"}))


def ended_at(reply: SpokenReply, pace: float, ending: Ending, late_s: float = 0.0) -> float:
    """The whole-second timestamp of the request that proves `reply` ended, on a device of
    `pace`: as Alexa stamps it, rounded down."""
    end = reply.at + START_LATENCY_S + reply.silence_s + pace * reply.words_s
    if ending is Ending.TIMED_OUT:
        end += LISTEN_S + pace * reply.reprompt_s + LISTEN_S
    else:
        end += ANSWER_AFTER_S + late_s + SPOKEN_REQUEST_S
    return math.floor(end)


def timed_out_at(pace: float) -> Observation | None:
    """What the routine's reply teaches when its session times out on a device of `pace`."""
    return measure(ROUTINE_REPLY, ended_at(ROUTINE_REPLY, pace, Ending.TIMED_OUT),
                   Ending.TIMED_OUT)


@pytest.mark.parametrize("pace", [0.8, 0.9, 1.0, 1.13, 1.25])
def test_a_timed_out_session_pins_the_pace_to_the_timestamps_rounding(pace: float) -> None:
    observed = timed_out_at(pace)
    assert observed is not None
    words = ROUTINE_REPLY.words_s + ROUTINE_REPLY.reprompt_s
    assert abs(observed.ratio - pace) * words <= 1.0
    assert observed.low <= pace <= observed.high
    assert learn(None, observed).known


@pytest.mark.parametrize("pace", [0.85, 1.0, 1.2])
def test_a_prompt_answer_is_a_known_pace_within_a_second_over_the_reply(pace: float) -> None:
    observed = measure(ROUTINE_REPLY, ended_at(ROUTINE_REPLY, pace, Ending.ANSWERED),
                       Ending.ANSWERED)
    assert observed is not None
    assert abs(observed.ratio - pace) * ROUTINE_REPLY.words_s <= 1.0
    assert observed.low <= pace <= observed.high
    assert learn(None, observed).known


def test_a_short_question_answered_narrows_the_pace_but_does_not_make_it_known() -> None:
    question = SpokenReply(at=1_800_000_000.0, device="kitchen", words_s=9.0, silence_s=0.0,
                           reprompt_s=3.0, answers=frozenset({"yes", "no"}))
    observed = measure(question, ended_at(question, 1.0, Ending.ANSWERED), Ending.ANSWERED)
    assert observed is not None
    pace = learn(None, observed)
    assert not pace.known
    listening, centred = listening_pace(pace)
    assert not centred and listening >= 1.0, "still never late"
    assert speaking_pace(pace) == 1.0


def test_a_late_stop_never_moves_a_pace_a_timed_out_session_measured() -> None:
    timed_out = timed_out_at(1.1)
    late = measure(ROUTINE_REPLY, ended_at(ROUTINE_REPLY, 1.1, Ending.ANSWERED, late_s=6.0),
                   Ending.ANSWERED)
    assert timed_out is not None and late is not None
    known = learn(None, timed_out)
    after = learn(known, late)
    assert abs(after.ratio - known.ratio) * ROUTINE_REPLY.words_s <= 0.3
    assert after.low <= 1.1 <= after.high


def test_a_late_stop_alone_only_ever_makes_the_voice_look_slower() -> None:
    late = measure(ROUTINE_REPLY, ended_at(ROUTINE_REPLY, 1.0, Ending.ANSWERED, late_s=6.0),
                   Ending.ANSWERED)
    assert late is not None
    pace = learn(None, late)
    assert pace.ratio > 1.0, "placed early, never late"
    assert pace.low <= 1.0


def test_a_reprompt_answered_after_a_long_pause_is_never_taken_for_a_faster_voice() -> None:
    pace = 1.2
    reply = ROUTINE_REPLY
    after_reprompt = math.floor(reply.at + START_LATENCY_S + reply.silence_s
                                + pace * reply.words_s + LISTEN_S + pace * reply.reprompt_s
                                + ANSWER_AFTER_S + SPOKEN_REQUEST_S)
    observed = measure(reply, after_reprompt, Ending.ANSWERED)
    assert observed is not None
    assert observed.ratio >= pace, "placed early, never late"
    assert observed.low <= pace <= observed.high
    timed_out = measure(reply, ended_at(reply, pace, Ending.TIMED_OUT), Ending.TIMED_OUT)
    assert timed_out is not None
    corrected = learn(learn(None, observed), timed_out)
    assert abs(corrected.ratio - pace) * reply.words_s <= 1.0, "the next timed-out session"


def test_after_a_short_reply_an_answer_after_the_reprompt_is_recognised() -> None:
    pace = 1.0
    question = SpokenReply(at=1_800_000_000.0, device="kitchen", words_s=20.0, silence_s=0.0,
                           reprompt_s=3.0, answers=frozenset({"yes", "no"}))
    after_reprompt = math.floor(question.at + START_LATENCY_S + pace * question.words_s
                                + LISTEN_S + pace * question.reprompt_s + ANSWER_AFTER_S
                                + SPOKEN_REQUEST_S)
    observed = measure(question, after_reprompt, Ending.ANSWERED)
    assert observed is not None
    assert observed.low <= pace <= observed.high
    assert abs(observed.ratio - pace) * (question.words_s + question.reprompt_s) <= 1.0


def test_an_answer_said_over_the_reply_teaches_nothing() -> None:
    too_soon = ROUTINE_REPLY.at + ROUTINE_REPLY.silence_s + 0.5 * ROUTINE_REPLY.words_s
    assert measure(ROUTINE_REPLY, too_soon, Ending.ANSWERED) is None


def test_a_reply_with_few_words_teaches_nothing() -> None:
    short = SpokenReply(at=0.0, device="d", words_s=3.0, silence_s=0.0, reprompt_s=1.0,
                        answers=frozenset({"yes"}))
    assert measure(short, 20.0, Ending.TIMED_OUT) is None


def test_a_precise_contradiction_replaces_the_pace_a_vague_one_unsettles_it() -> None:
    precise = timed_out_at(1.0)
    assert precise is not None
    known = learn(None, precise)
    changed = timed_out_at(1.2)
    assert changed is not None
    assert learn(known, changed).ratio == pytest.approx(1.2, abs=0.01), \
        "the voice's speed was changed in the app: the new pace is learned at once"
    twice = learn(known, precise)
    assert learn(twice, changed).ratio == pytest.approx(1.2, abs=0.01), \
        "however many routines came before"
    slower = measure(ROUTINE_REPLY, ended_at(ROUTINE_REPLY, 1.2, Ending.ANSWERED),
                     Ending.ANSWERED)
    assert slower is not None and slower.weight < known.weight
    unsettled = learn(known, slower)
    assert unsettled.ratio == known.ratio
    assert not unsettled.known, "a slower voice, vaguely seen: never late until relearned"
    assert listening_pace(unsettled)[0] >= 1.2


def test_before_anything_is_known_the_estimate_is_the_slowest_voice_leaning_early() -> None:
    assert listening_pace(None) == (SLOWEST_PACE, False)
    assert speaking_pace(None) == 1.0


def test_paces_round_trip_and_corrupt_entries_are_dropped_not_trusted() -> None:
    pace = VoicePace(1.1, 1.09, 1.11, 1000.0, 2)
    stored = paces_to_list((("kitchen", pace),))
    assert paces_from_list(stored) == (("kitchen", pace),)
    corrupt = [{"device": "kitchen", "ratio": "fast", "low": 1, "high": 1, "weight": 1,
                "observations": 1},
               {"device": "bedroom", "ratio": 9.0, "low": 8.0, "high": 10.0, "weight": 1,
                "observations": 1},
               {"device": "hall", "ratio": 1.0, "low": 1.1, "high": 1.2, "weight": 1,
                "observations": 1},
               "not a pace", {"ratio": 1.0}]
    assert paces_from_list(corrupt) == ()
    assert paces_from_list("nonsense") == ()


def test_a_corrupt_pace_record_keeps_the_rest_of_the_state() -> None:
    state = SessionState(completed_count=3, paces=(("kitchen", VoicePace(1, 1, 1, 1, 1)),))
    data = state.to_dict()
    data["paces"] = [{"device": "kitchen", "ratio": None}]
    data["spoken"] = {"at": "yesterday"}
    data["speech_pace"] = -4
    loaded = SessionState.from_dict(data)
    assert not loaded.recovered
    assert loaded.completed_count == 3
    assert loaded.paces == () and loaded.spoken is None and loaded.speech_pace == 1.0


def test_two_records_keep_every_device_and_the_better_founded_pace() -> None:
    weak, strong = VoicePace(1.0, 0.9, 1.1, 10.0, 1), VoicePace(1.2, 1.19, 1.21, 900.0, 1)
    mine = (("kitchen", weak), ("bedroom", strong))
    theirs = (("kitchen", strong), ("hall", weak))
    assert merged(mine, theirs) == (("kitchen", strong), ("bedroom", strong), ("hall", weak))
    many = tuple((f"device-{n}", weak) for n in range(KEPT_DEVICES + 3))
    assert len(merged(many, theirs)) == KEPT_DEVICES


def test_a_wild_contradiction_never_leaves_a_record_that_cannot_be_read_back() -> None:
    precise = timed_out_at(1.0)
    assert precise is not None
    known = learn(None, precise)
    wild = timed_out_at(1.999)
    assert wild is not None
    for after in (learn(known, wild), learn(learn(known, precise), wild)):
        assert after.high <= 2.0
        assert paces_from_list(paces_to_list((("kitchen", after),))) == (("kitchen", after),)
