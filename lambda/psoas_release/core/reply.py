"""What the session machine answers: plain data that the speech renderer turns into SSML."""

from __future__ import annotations

from dataclasses import dataclass

from psoas_release.core.timeline import Timeline


@dataclass(frozen=True)
class Coaching:
    """A stretch of the timeline to coach, from one position to another (seconds)."""

    timeline: Timeline
    from_s: float
    until_s: float

    @property
    def reaches_end(self) -> bool:
        return self.until_s >= self.timeline.end_s


@dataclass(frozen=True)
class Reply:
    """One turn of the conversation.

    `lead` is said first (an answer, an apology, where we are), then the `coaching` plays,
    then the `prompt` (a question or an invitation to continue). `reprompt` is said if the
    person stays silent; `end_session` closes the conversation after speaking.
    """

    lead: str = ""
    coaching: Coaching | None = None
    prompt: str = ""
    reprompt: str | None = None
    end_session: bool = False
