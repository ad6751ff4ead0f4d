"""A person talking to the core machine: events in, state and reply out, with a fake clock."""

from __future__ import annotations

from typing import Any

from psoas_release.alexa.mapping import device_key
from psoas_release.core.clock_time import ClockTime
from psoas_release.core.events import Event, EventKind
from psoas_release.core.library import RoutineLibrary
from psoas_release.core.machine import Coach
from psoas_release.core.reminders import ReminderCall, ReminderOutcome, Result
from psoas_release.core.reply import Reply
from psoas_release.core.speech import render_reply
from psoas_release.core.ssml import plain_text
from psoas_release.core.state import SessionState
from psoas_release.core.timeline import Timeline, compile_timeline
from tests.voices import knowing

START_TIME = 1_800_000_000.0
DEVICE_ID = "amzn1.ask.device.CORE-TEST"


class Conversation:
    """Drives `Coach.step` the way the Alexa adapter does, one request at a time, from one
    device whose voice the skill has already learned (at the model's pace) unless told not.
    `reminders_allowed` is what the requests say of the person's reminders permission; a
    reminder call a reply asks for is answered by `api_says`, as the adapter would."""

    def __init__(self, library: RoutineLibrary, state: SessionState | None = None,
                 voice_known: bool = True) -> None:
        self.coach = Coach(library)
        self.state = state or SessionState()
        if voice_known:
            self.state = knowing(self.state, DEVICE_ID)
        self.now = START_TIME
        self.reply = Reply()
        self.reminders_allowed = False
        self._asked: tuple[SessionState, Event] | None = None

    def say(self, kind: EventKind, **details: Any) -> str:
        event = Event(kind, device=device_key(DEVICE_ID),
                      reminders_allowed=self.reminders_allowed, **details)
        return self._step(self.state, event)

    def api_says(self, result: Result, token: str | None = None,
                 time: ClockTime | None = None) -> str:
        """The outcome of the call the last reply asked for, stepped as the adapter does: from
        the state the request came to, at the same time."""
        assert self._asked is not None and isinstance(self.reply.effect, ReminderCall)
        state, event = self._asked
        outcome = ReminderOutcome(self.reply.effect, result, token, time)
        return self._step(state, event._replace(kind=EventKind.REMINDER_DONE, outcome=outcome))

    def _step(self, state: SessionState, event: Event) -> str:
        self._asked = (state, event)
        self.state, self.reply = self.coach.step(state, event, self.now)
        return plain_text(render_reply(self.reply))

    def wait(self, seconds: float) -> None:
        self.now += seconds

    @property
    def timeline(self) -> Timeline:
        routine = self.coach.library.get(self.state.routine_id or "")
        assert routine is not None
        return compile_timeline(routine)

    def hold_seconds_left(self) -> float:
        """Seconds of the current hold still to come when the reply's coaching starts."""
        span = self.timeline.hold_span(self.state.position_s)
        assert span is not None, "not in a hold"
        return span[1] - self.state.position_s

    def wait_until_hold(self, number: int, into_s: float) -> None:
        """Wait until `into_s` seconds into the `number`-th hold (0-based) of the reply
        playing now, as a person would hear it, then the request takes its usual time."""
        from psoas_release.core.position import SPOKEN_REQUEST_S, START_LATENCY_S
        from tests.core.spans import hold_spans

        start = hold_spans(self.timeline)[number][0]
        heard = self.state.anchor_at or self.now
        lead = self.state.lead_s + self.state.lead_silence_s
        target = heard + START_LATENCY_S + lead + (start + into_s - self.state.position_s)
        self.now = target + SPOKEN_REQUEST_S
