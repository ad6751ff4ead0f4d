"""A person's session state: versioned, serialisable, and never trusted on the way back in.

State travels through Alexa session attributes and the persistent store, so it comes back as
whatever JSON those hand over. `from_dict` checks every field; anything unknown or corrupt
gives a fresh state flagged `recovered`, so the reply can apologise instead of crashing.
"""

from datetime import date
from enum import StrEnum
from typing import Any, NamedTuple

from psoas_release.core.clock_time import ClockTime
from psoas_release.core.history import KEPT_DAYS, record_all
from psoas_release.core.local_time import LONGEST_ZONE_NAME, OffsetSpan
from psoas_release.core.pace import (
    SANE_PACES,
    Paces,
    SpokenReply,
    merged,
    paces_from_list,
    paces_to_list,
)
from psoas_release.core.preferences import DEFAULT_PREFERENCES, Preferences
from psoas_release.core.reminder_record import NO_REMINDER_RECORD, ReminderRecord
from psoas_release.core.values import is_finite, is_whole

STATE_VERSION = 6
MIGRATABLE_VERSIONS = {1, 2, 3, 4, 5}
"""Older versions whose fields are a subset of this one's: they load with defaults."""


class Phase(StrEnum):
    """Where the conversation is."""

    IDLE = "idle"
    OFFERING_RESUME = "offering_resume"
    COACHING = "coaching"
    PAUSED = "paused"
    FINISHED = "finished"
    OFFERING_REMINDER = "offering_reminder"
    """Finished, and asked whether to set a daily reminder."""


class SessionState(NamedTuple):
    """Everything needed to pick up where a person is, in plain values.

    Coaching is anchored: the last reply started speaking the timeline at `position_s`, after
    `lead_s` seconds of other words and `lead_silence_s` of silence, in answer to a request
    stamped `anchor_at` (epoch seconds), and its speech ran to `covers_until_s`. Outside
    coaching, `position_s` is simply the saved place.
    """

    phase: Phase = Phase.IDLE
    routine_id: str | None = None
    position_s: float = 0.0
    anchor_at: float | None = None
    lead_s: float = 0.0
    """Seconds of words (at the speaking model) the last reply says before its coaching."""
    lead_silence_s: float = 0.0
    """Seconds of silence the last reply keeps before its coaching (a resumed hold's resettle)."""
    covers_until_s: float = 0.0
    speech_pace: float = 1.0
    """The device pace the last reply's holds were sized for (see `core.speech`)."""
    spoken: SpokenReply | None = None
    """The last reply while it awaits an answer: what its end will teach of the voice."""
    paces: Paces = ()
    """Each of the person's devices' speaking pace, as learned so far (`core.pace`)."""
    advisory_heard: bool = False
    completed_count: int = 0
    """Runs that reached the end, however they got there (skips included)."""
    heard_s: float = 0.0
    """Coached seconds of the current run actually played (skips excluded)."""
    run_counted: bool = False
    run_started_at: float | None = None
    """When this run began (request time): the time of day the person practises."""
    offer_time: str | None = None
    """The time of day ("HH:MM") the last reply offers a daily reminder for, at its end."""
    completions: tuple[str, ...] = ()
    """ISO dates, in the person's time zone, of days with a counted run. Saved as one text,
    the dates joined by commas: sixty dates as a list were half the record's values, each
    one walked, written and read on every request."""
    time_zone: str | None = None
    time_zone_checked_at: float | None = None
    """When the time zone was last asked of Alexa (epoch seconds): it is asked again a week
    later, not on every launch."""
    utc_offset: OffsetSpan | None = None
    """The zone's UTC offset and how long it holds: dates without loading the zone's rules."""
    preferences: Preferences = DEFAULT_PREFERENCES
    reminder: ReminderRecord = NO_REMINDER_RECORD
    version: int = STATE_VERSION
    recovered: bool = False
    """Set when the stored state was unusable and this fresh one replaced it; never saved."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types only, so every store and Alexa's session attributes keep it as is."""
        data: dict[str, Any] = self._asdict()
        del data["recovered"]
        data["phase"] = self.phase.value
        data["completions"] = DATE_SEPARATOR.join(self.completions)
        data["preferences"] = self.preferences.to_dict()
        data["spoken"] = self.spoken.to_dict() if self.spoken else None
        data["paces"] = paces_to_list(self.paces)
        data["reminder"] = self.reminder.to_dict()
        data["utc_offset"] = self.utc_offset.to_dict() if self.utc_offset else None
        return data

    @classmethod
    def from_dict(cls, data: Any) -> "SessionState":
        """The state in `data`, or a fresh state with `recovered=True` if it is not usable."""
        if data is None or data == {}:
            return cls()
        try:
            return _checked(cls, data)
        except (TypeError, ValueError, KeyError):
            return cls(recovered=True)

    @property
    def run_uncounted(self) -> bool:
        """A run is under way and not counted yet: any request now may count it, on the
        person's own calendar, so this is when their time zone matters."""
        return self.phase is Phase.COACHING and not self.run_counted

    def history_only(self) -> "SessionState":
        """A fresh state with only what outlives a run: history, preferences, voices, the
        reminder."""
        return SessionState(
            advisory_heard=self.advisory_heard,
            completed_count=self.completed_count,
            completions=self.completions,
            time_zone=self.time_zone,
            time_zone_checked_at=self.time_zone_checked_at,
            utc_offset=self.utc_offset,
            preferences=self.preferences,
            paces=self.paces,
            reminder=self.reminder,
        )

    def merged_with(self, theirs: "SessionState", *, keep_my_preferences: bool) -> "SessionState":
        """This state (the newest request's place in a routine) with the history that `theirs`
        (the stored record) knows and this one may not: two devices, or a store that was down
        when this session began, must never erase completed days or counts."""
        time_zone = self.time_zone or theirs.time_zone
        return self._replace(
            completions=record_all(self.completions, theirs.completions),
            completed_count=max(self.completed_count, theirs.completed_count),
            advisory_heard=self.advisory_heard or theirs.advisory_heard,
            time_zone=time_zone,
            time_zone_checked_at=max(self.time_zone_checked_at or 0.0,
                                     theirs.time_zone_checked_at or 0.0) or None,
            utc_offset=next((span for span in (self.utc_offset, theirs.utc_offset)
                             if span is not None and span.zone == time_zone), None),
            preferences=self.preferences if keep_my_preferences else theirs.preferences,
            paces=merged(self.paces, theirs.paces),
            reminder=self.reminder.merged(theirs.reminder),
        )


_NUMBER_FIELDS = {"position_s", "lead_s", "lead_silence_s", "covers_until_s", "heard_s"}


DATE_SEPARATOR = ","

_STORED_FIELDS = frozenset(SessionState._fields) - {"recovered"}


def _checked(cls: type[SessionState], data: Any) -> SessionState:
    if not isinstance(data, dict):
        raise TypeError("state is not a mapping")
    version = data.get("version")
    if version != STATE_VERSION and version not in MIGRATABLE_VERSIONS:
        raise ValueError(f"unknown state version {version!r}")
    unknown = data.keys() - _STORED_FIELDS
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    values = dict(data, version=STATE_VERSION)
    values["phase"] = Phase(data.get("phase", Phase.IDLE.value))
    values["preferences"] = Preferences.from_dict(data.get("preferences", {}))
    values["completions"] = _dates(data.get("completions", []))
    values["spoken"] = SpokenReply.from_dict(data.get("spoken"))
    values["speech_pace"] = _pace(data.get("speech_pace", 1.0))
    values["paces"] = paces_from_list(data.get("paces", []))
    values["reminder"] = ReminderRecord.from_dict(data.get("reminder", {}))
    values["utc_offset"] = OffsetSpan.from_dict(data.get("utc_offset"))
    if data.get("run_started_at") is not None:
        values["run_started_at"] = _finite(data["run_started_at"], minimum=0.0)
    offer_time = data.get("offer_time")
    if offer_time is not None and ClockTime.parse(offer_time) is None:
        raise ValueError("offer_time is not a time of day")
    zone = data.get("time_zone")
    if zone is not None and (not isinstance(zone, str) or len(zone) > LONGEST_ZONE_NAME):
        raise TypeError("time_zone is not a zone name")
    for flag in ("advisory_heard", "run_counted"):
        if not isinstance(data.get(flag, False), bool):
            raise TypeError(f"{flag} is not true or false")
    for name in _NUMBER_FIELDS & set(data):
        values[name] = _finite(data[name], minimum=0.0)
    for name in ("anchor_at", "time_zone_checked_at"):
        if data.get(name) is not None:
            values[name] = _finite(data[name], minimum=0.0)
    if not isinstance(data.get("routine_id", None), str | None):
        raise TypeError("routine_id is not text")
    count = data.get("completed_count", 0)
    if not is_whole(count) or count < 0:
        raise TypeError("completed_count is not a count")
    return cls(**values)


def _dates(value: Any) -> tuple[str, ...]:
    """The dates saved as one text (version 6), or as a list (versions 1 to 5); in order and
    each once, as `history` keeps them, whatever order they came in."""
    if isinstance(value, str):
        value = value.split(DATE_SEPARATOR) if value else []
    if not isinstance(value, list) or len(value) > KEPT_DAYS:
        raise TypeError("completions is not a short list")
    for day in value:
        # date.fromisoformat also takes "20260101" and "2026-W01-1": only YYYY-MM-DD passes,
        # and only a real day (ValueError otherwise, as a streak would raise on it later).
        if not isinstance(day, str) or len(day) != len("2026-01-01") or day[4] != "-" \
                or day[7] != "-":
            raise ValueError("completions holds something that is not a date")
        date.fromisoformat(day)
    return record_all(tuple(value), ())


def _pace(value: Any) -> float:
    """A reply's speech pace, or the model's own when it is not a sane one: it only sizes the
    silences of a hold already said, so the fallback costs at most a second of estimate."""
    try:
        pace = _finite(value, minimum=SANE_PACES[0])
    except (TypeError, ValueError):
        return 1.0
    return pace if pace <= SANE_PACES[1] else 1.0


def _finite(value: Any, minimum: float) -> float:
    if not is_finite(value):
        raise TypeError(f"{value!r} is not a finite number")
    if value < minimum:
        raise ValueError(f"{value!r} is out of range")
    return float(value)
