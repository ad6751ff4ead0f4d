"""Where the person is now, from request timestamps alone, and the timing model it rests on.

Alexa reports no playback offset for speech. When someone interrupts a long coaching reply
("Alexa, repeat the form cue"), the speech stops and the next request carries only its own
timestamp (whole seconds). So each reply records where on the timeline its coaching starts
(`position_s`) and ends (`covers_until_s`), what it says first (`lead_s` seconds of words at
the speaking model, `lead_silence_s` of silence), the pace its holds were sized for
(`speech_pace`) and the timestamp of the request it answered (`anchor_at`). On the next
request the speech has been playing for

    talk = (now - anchor_at) - START_LATENCY_S - SPOKEN_REQUEST_S - rounding
           - pace * lead_s - lead_silence_s

and the person is where the reply's speech gets to after `talk` seconds on a device of that
`pace` (`position_after`: words stretch with the voice, breaks never do), never before where
the reply started and never past where it ends.

The pace (seconds a device takes per second of the 150-words-a-minute model) is learned per
device in `core.pace`, from replies known to have played to their end:
- timed out: a SessionEndedRequest (EXCEEDED_MAX_REPROMPTS) after a reply with a reprompt
  arrives after start latency + the reply (breaks + pace * words) + `LISTEN_S` + the
  reprompt (pace * words) + `LISTEN_S`. No person is in that timing, so one long reply pins
  the pace to the timestamps' rounding over its words: about 1 s in 300 s.
- answered: "stop" or "start over" to the closing question, "continue" or "next" to a reply
  that stopped at a movement, "yes" or "no" to "Shall we carry on?", "resume" after a pause.
  It arrives after the reply plus `ANSWER_AFTER_S` to react and `SPOKEN_REQUEST_S` to say
  it. The person's own time varies, so its band allows up to `ANSWER_AFTER_S` less and, on
  the slow side, everything up to the session's end (both windows and the reprompt); an
  answer so late that the voice would be slower than any expected one is taken as an answer
  to the reprompt.
Each observation is a point and a band; the estimate is the precision-weighted mean, kept in
the intersection of the bands, so a late answer never moves a pace a timed-out session
measured. An observation the bands rule out means the model did not hold: one as precise as
the earlier ones were replaces them (the voice's speed was changed in the Alexa app); a
vaguer one widens the band, and until the pace is pinned again interruptions are placed never
late. Each device keeps its own pace: a kitchen Echo and the one by the mat may differ.

Before a device's pace is known: never late. The estimate takes the slowest voice expected
(120 words a minute, pace 1.25), or the slowest the observations so far allow, and the full
timestamp rounding, so for any voice from 120 to 180 words a minute it never lands after
where the speech stopped: an interruption may repeat part of a hold, never cut one. A pace is
known once its band allows it to be at most 1 % slower than the estimate: one long reply
heard to its end does that; a short question answered ("yes" to "Shall we carry on?") only
narrows it. The repeat is at most 2 s plus (1.25 - the device's pace) times the seconds of
words the reply said before the interruption: at 150 words a minute, 0.25 s per second of
words heard, which in a first ten-minute routine (about 300 s of words) is about 10 s in its
first hold and about 70 s in its last. The count restarts with each reply, so a second
question soon after the first repeats little. One routine heard to its end removes it.

Once learned: within 2 s. The estimate is centred: the timestamps' rounding of the gap (under
1 s either way) plus the pace's error (under 1 s either way, times the words before the
interruption over the words it was learned from) stay within 2 s, never more than 2 s late,
for voices from 120 to 180 words a minute. Holds are sized for that pace (`core.speech`), so
each hold as heard lasts its figure on the device to within the same error over its words.

Before a voice is known, holds are sized for the model's: a faster voice plays a hold with
many words a little short (at 180 words a minute, about 2 s of a one-minute hold and 5 s of
the glute bridge's two minutes), a slower one a little long. The first routine heard to its
end fixes that too.

Error budget and limits. The model's constants (start latency, the length of the spoken
request, the listening windows, the time to react) are Alexa's typical figures; each that
varies by half a second on a real device widens both budgets by that much. The pace is one
ratio for all words: a voice that pauses longer at full stops than the model makes short cues
(the quiet breath cues) take longer than their words predict. An answer said over the last
seconds of a reply, before it ended, looks like a faster voice; the band it gives is checked
against what is already known, but a first observation of that kind can make the estimate
late by as much as the answer was early. Clocks that go backwards count as no time passed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from psoas_release.core.reply import Coaching
from psoas_release.core.speaking import SLOWEST_PACE
from psoas_release.core.speech import coaching_spans, piece_seconds

if TYPE_CHECKING:
    from psoas_release.core.state import SessionState
    from psoas_release.core.timeline import Timeline

START_LATENCY_S = 1.0
"""From the skill's answer (stamped by the request it answers) to Alexa starting to speak."""
SPOKEN_REQUEST_S = 1.5
"""From the wake word, which stops the speech, to the end of the spoken request it stamps."""
TIMESTAMP_ROUNDING_S = 1.0
"""Two whole-second timestamps: their difference reads up to 1 s long or short."""
LISTEN_S = 8.0
"""How long an Echo keeps the microphone open after speaking, before reprompting or closing."""
ANSWER_AFTER_S = 1.0
"""How long a person usually takes to start answering a question once it has been asked."""


def coaching_of(timeline: Timeline, state: SessionState) -> Coaching:
    """The coaching the last reply spoke, rebuilt from what the state recorded of it."""
    until = max(state.covers_until_s, state.position_s)
    return Coaching(timeline, state.position_s, until, state.speech_pace)


def position_after(coaching: Coaching, seconds: float, voice_pace: float) -> float:
    """The timeline position `seconds` into `coaching`'s speech on a device whose voice takes
    `voice_pace` seconds per second of the model: where the speech is after that long."""
    if seconds > longest_play_s(coaching, voice_pace):
        return coaching.until_s
    clock = 0.0
    for span in coaching_spans(coaching):
        length = piece_seconds(span.piece, voice_pace)
        if clock + length > seconds:
            share = max(0.0, seconds - clock) / length
            return span.from_s + share * (span.until_s - span.from_s)
        clock += length
    return coaching.until_s


def longest_play_s(coaching: Coaching, voice_pace: float) -> float:
    """How long `coaching` plays at most on a device of `voice_pace`, without walking it (a
    day-later launch must not, on a cold start): its silences fit between its ends, and its
    words take `voice_pace` seconds per second of the model."""
    words_s = coaching.timeline.words_s_between(coaching.from_s, coaching.until_s)
    return coaching.until_s - coaching.from_s + voice_pace * words_s


def heard_position(timeline: Timeline, state: SessionState, now: float,
                   pace: float = SLOWEST_PACE, centred: bool = False) -> float:
    """The timeline position where the last reply's speech was when this request came, on a
    device of voice `pace` (`core.pace.listening_pace`). A `centred` estimate is the best one;
    otherwise it leans early by the timestamps' rounding, so it is never late (see above)."""
    if state.anchor_at is None:
        return state.position_s
    rounding = 0.0 if centred else TIMESTAMP_ROUNDING_S
    elapsed = max(0.0, now - state.anchor_at)
    talk = (elapsed - START_LATENCY_S - SPOKEN_REQUEST_S - rounding
            - pace * state.lead_s - state.lead_silence_s)
    return position_after(coaching_of(timeline, state), talk, pace)
