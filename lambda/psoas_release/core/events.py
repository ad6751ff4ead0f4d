"""What a request is to the core: one of a few things a person (or Alexa) can do."""

from enum import StrEnum
from typing import NamedTuple

from psoas_release.core.reminders import Consent, ReminderOutcome


class EventKind(StrEnum):
    """Everything a person (or Alexa) can do, independent of how Alexa phrases it."""

    LAUNCH = "launch"
    START = "start"
    NEXT = "next"
    PREVIOUS = "previous"
    START_OVER = "start_over"
    REPEAT = "repeat"
    FORM_CUE = "form_cue"
    TIME_LEFT = "time_left"
    WHATS_NEXT = "whats_next"
    WHY = "why"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"
    PAIN = "pain"
    HELP = "help"
    FALLBACK = "fallback"
    YES = "yes"
    NO = "no"
    LIST_ROUTINES = "list_routines"
    SET_PREFERENCE = "set_preference"
    SESSION_ENDED = "session_ended"
    PROGRESS = "progress"
    SET_REMINDER = "set_reminder"
    READ_REMINDER = "read_reminder"
    STOP_REMINDER = "stop_reminder"
    REMINDER_DONE = "reminder_done"
    """The adapter made the reminder call a reply asked for: `outcome` says how it went."""
    PERMISSION_ANSWER = "permission_answer"
    """The person answered Alexa's consent prompt for reminders: `consent`."""


class Event(NamedTuple):
    """One request, as the core sees it. `routine_id` and `routine_name` come with START:
    the catalogue id Alexa resolved, and the words the person said (untrusted).
    `preference` and `value` come with SET_PREFERENCE, equally untrusted; `value` comes with
    SET_REMINDER too, as Alexa heard the time ("07:30", "MO")."""

    kind: EventKind
    routine_id: str | None = None
    routine_name: str | None = None
    preference: str | None = None
    value: str | None = None
    device: str | None = None
    """Which device asked (a key, not Alexa's id): each keeps its own speaking pace."""
    new_session: bool = False
    """The request opens a session, so it cannot answer a question asked in another."""
    timed_out: bool = False
    """A session that ended because no one answered the reply and its reprompt."""
    reminders_allowed: bool = False
    """The person has allowed this skill's reminders (as the request says)."""
    outcome: ReminderOutcome | None = None
    consent: Consent | None = None
