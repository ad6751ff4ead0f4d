"""What the session machine answers: plain data that the speech renderer turns into SSML."""

from typing import NamedTuple

from psoas_release.core.reminders import Effect
from psoas_release.core.timeline import Timeline


class Coaching(NamedTuple):
    """A stretch of the timeline to coach, from one position to another (seconds)."""

    timeline: Timeline
    from_s: float
    until_s: float
    pace: float = 1.0
    """Seconds the device takes per second of the speaking model: in holds, the silence after
    each cue is what is left once the device has said it (see `core.speech`)."""

    @property
    def reaches_end(self) -> bool:
        return self.until_s >= self.timeline.end_s


class Reply(NamedTuple):
    """One turn of the conversation.

    `lead` is said first (an answer, an apology, where we are); resuming a hold then allows
    `resettle_s` of silence to get back into position and says `restart` (the hold is starting
    again); then the `coaching` plays, then the `prompt` (a question or an invitation to
    continue). `reprompt` is said if the person stays silent; `end_session` closes the
    conversation after speaking. An `effect` asks the adapter for what the core cannot do
    (`core.reminders`).
    """

    lead: str = ""
    resettle_s: float = 0.0
    restart: str = ""
    coaching: Coaching | None = None
    prompt: str = ""
    reprompt: str | None = None
    end_session: bool = False
    effect: Effect | None = None
