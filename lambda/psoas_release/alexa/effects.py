"""Answering one request when the core needs the world: step, make the call it asks for, step
again with the outcome, from the same state at the same time.

The core is pure, so a reply may ask for a Reminders API call instead of answering (a
`ReminderCall` effect). The call is made here, while Alexa waits, and the outcome goes back to
the core as the event REMINDER_DONE; the reply to that is what the person hears. One wish can
take three calls (look for the skill's reminder, change it, and set a new one if it was
deleted meanwhile), so a request makes at most `MOST_CALLS`. Nothing is saved until the last
reply, so the record follows what the API said.
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput

from psoas_release.core.coaching import Outcome
from psoas_release.core.events import Event, EventKind
from psoas_release.core.machine import Coach
from psoas_release.core.reminders import ReminderCall
from psoas_release.core.state import SessionState

MOST_CALLS = 3


def answer(coach: Coach, handler_input: HandlerInput, state: SessionState, event: Event,
           now: float) -> Outcome:
    """The state to save and the reply to send for `event`, with any calls the core asks for
    made on the way."""
    outcome = coach.step(state, event, now)
    for _ in range(MOST_CALLS):
        call = outcome[1].effect
        if not isinstance(call, ReminderCall):
            return outcome
        # Imported on the first call: a launch never makes one (some 0.5 ms of a cold start).
        from psoas_release.alexa.reminders_api import make_call

        made = make_call(handler_input, call, now)
        outcome = coach.step(state, event._replace(kind=EventKind.REMINDER_DONE, outcome=made),
                             now)
    if isinstance(outcome[1].effect, ReminderCall):
        raise RuntimeError(f"the core asked for more than {MOST_CALLS} calls in one request")
    return outcome
