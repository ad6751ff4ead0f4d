"""What the core asks of Alexa's reminders, and what comes back: effects as plain data.

The core cannot call the Reminders API or ask Alexa for a permission: it never does I/O. So a
reply may carry an effect. A `ReminderCall` is made by the adapter while it answers the same
request, and its `ReminderOutcome` comes back to the core as an event, from the same state at
the same time (`core.machine.Coach.step`), so what the person hears is what the API said.
`AskPermission` is not made by the adapter: it becomes Alexa's own consent prompt, and the
person's answer arrives later as a request of its own (a `Consent`).
"""

from enum import StrEnum
from typing import NamedTuple

from psoas_release.core.clock_time import ClockTime
from psoas_release.core.reminder_record import Wish

REMINDER_TEXT = "Time for your psoas release. Say: Alexa, start psoas release."
"""What Alexa says when the reminder goes off: an invitation back, with the words that do it."""


class Operation(StrEnum):
    """The Reminders API's operations: four on one reminder, and finding the skill's own."""

    CREATE = "create"
    UPDATE = "update"
    READ = "read"
    DELETE = "delete"
    FIND = "find"
    """List the person's reminders from this skill: when the record knows none, the API may
    (a record lost, a call that timed out but went through), and a second one is never made."""


class ReminderCall(NamedTuple):
    """One call to the Reminders API, for the adapter to make now.

    `time` is when the daily reminder goes off on the person's clock (create and update),
    `starts` the first time it does, as local wall time; `token` names the reminder (update,
    read, delete). `time_zone` is the person's, or None to let Alexa use the device's. A FIND
    carries the `wish` it looks on behalf of, and the time a reminder it does not find is set
    for.
    """

    operation: Operation
    wish: Wish
    time: ClockTime | None = None
    starts: str | None = None
    token: str | None = None
    time_zone: str | None = None
    replacing: bool = False
    """Created because the reminder it replaces was deleted in the Alexa app."""
    after_consent: bool = False
    """Made right after the person allowed reminders: a refusal now is not theirs to fix."""

    @property
    def text(self) -> str:
        return REMINDER_TEXT


class Result(StrEnum):
    """How a call went, in the terms the person hears."""

    DONE = "done"
    NOT_FOUND = "not_found"
    """The reminder is gone: deleted in the Alexa app (HTTP 404)."""
    NOT_ALLOWED = "not_allowed"
    """The permission was refused or revoked (HTTP 401 or 403)."""
    RATE_LIMITED = "rate_limited"
    """Too many calls for now (HTTP 429)."""
    TOO_MANY = "too_many"
    """The person has as many reminders from this skill as Alexa allows."""
    UNSUPPORTED = "unsupported"
    """The device cannot do reminders."""
    UNAVAILABLE = "unavailable"
    """Anything else: the API down, slow, or answering nonsense."""


class ReminderOutcome(NamedTuple):
    """What a call did: its result, the reminder's token after it, and the time the API says
    the reminder goes off (read back or found, so the record follows the API). A FIND that
    finds nothing is DONE without a token."""

    call: ReminderCall
    result: Result
    token: str | None = None
    time: ClockTime | None = None


class Consent(StrEnum):
    """The person's answer to Alexa's consent prompt."""

    ACCEPTED = "accepted"
    DENIED = "denied"
    NOT_ANSWERED = "not_answered"


class AskPermission:
    """Ask the person, by voice, to allow this skill's reminders. It carries nothing, so every
    one is the same (a plain class: a dataclass costs a cold start 0.3 ms to create)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AskPermission)

    def __hash__(self) -> int:
        return hash(AskPermission)

    def __repr__(self) -> str:
        return "AskPermission()"


Effect = ReminderCall | AskPermission
