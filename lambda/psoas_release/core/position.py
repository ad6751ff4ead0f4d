"""Where the person is now, from request timestamps alone (barge-in reconciliation).

Alexa reports no playback offset for speech. When someone interrupts a long coaching reply
("Alexa, repeat the form cue"), the speech stops and the next request carries only its own
timestamp. So each reply records where on the timeline its coaching starts (`position_s`),
how many seconds of other words come first (`lead_s`), the timestamp of the request it
answered (`anchor_at`) and where its speech ends (`covers_until_s`). On the next request:

    heard = position_s + (now - anchor_at) - lead_s - LATENCY_ALLOWANCE_S

clamped to [position_s, covers_until_s]: never before where the reply started (so the
position never moves backwards by itself) and never past what the reply actually said.

The allowance covers time that passes between the two timestamps but is not playback:
about 1 s from our answer to Alexa starting to speak, about 1.5 s from the wake word (which
stops the speech) to the end of the spoken request that is stamped, and 1 s for timestamps
having one-second resolution (the difference of two whole-second stamps can read up to 1 s
long), so that rounding can only make the estimate early.

Error budget (goal: within 2 s of where the speech stopped, never after it):
- timestamp resolution: the estimate lands 0 to 2 s early (the 1 s margin plus rounding);
- the start latency varies by about +/- 0.5 s;
- the spoken request varies by about +/- 0.5 s ("next" vs "how much time is left").
Errors lean early on purpose: an estimate a little early repeats a second or two of a hold,
which is harmless; one too late would cut a hold short, which the product promises never to
do. A clock that goes backwards counts as no time passed.

The budget assumes the speech model (150 words a minute, `core.speaking`) that also times
every hold. Breaks are exact, but if a device's voice runs slower than the model (pauses at
full stops add up over a long reply), playback falls behind it sentence by sentence and the
estimate drifts late by that difference. Measure a device and calibrate the model before
relying on barge-in late in a long reply.
"""

from __future__ import annotations

from psoas_release.core.state import SessionState

START_LATENCY_S = 1.0
SPOKEN_REQUEST_S = 1.5
TIMESTAMP_ROUNDING_S = 1.0
LATENCY_ALLOWANCE_S = START_LATENCY_S + SPOKEN_REQUEST_S + TIMESTAMP_ROUNDING_S


def heard_position(state: SessionState, now: float) -> float:
    """The timeline position where the last reply's speech was when this request came."""
    if state.anchor_at is None:
        return state.position_s
    elapsed = max(0.0, now - state.anchor_at)
    played = max(0.0, elapsed - state.lead_s - state.lead_silence_s - LATENCY_ALLOWANCE_S)
    return min(state.position_s + played, max(state.covers_until_s, state.position_s))
