"""How a person likes to be coached, remembered between sessions and changed by voice."""

from enum import StrEnum
from typing import NamedTuple


class CueLevel(StrEnum):
    """How much is said during a hold: form reminders too, or only the time marks."""

    FULL = "full"
    BRIEF = "brief"


class Countdown(StrEnum):
    """How often the time left in a hold is called out."""

    STANDARD = "standard"
    """One minute to go, thirty seconds, ten more seconds."""
    FREQUENT = "frequent"
    """Every ten seconds."""
    MINIMAL = "minimal"
    """Only ten more seconds."""


class Pace(StrEnum):
    """Normal holds, or holds lengthened within the routine's allowed range."""

    NORMAL = "normal"
    SLOW = "slow"


class Preferences(NamedTuple):
    cue_level: CueLevel = CueLevel.FULL
    countdown: Countdown = Countdown.STANDARD
    pace: Pace = Pace.NORMAL

    def to_dict(self) -> dict[str, str]:
        return {"cue_level": self.cue_level.value, "countdown": self.countdown.value,
                "pace": self.pace.value}

    @classmethod
    def from_dict(cls, data: object) -> "Preferences":
        """Preferences from stored data; raises ValueError/TypeError on anything unusable."""
        if not isinstance(data, dict):
            raise TypeError("preferences are not a mapping")
        if set(data) - {"cue_level", "countdown", "pace"}:
            raise ValueError("unknown preference")
        return cls(
            cue_level=CueLevel(data.get("cue_level", CueLevel.FULL.value)),
            countdown=Countdown(data.get("countdown", Countdown.STANDARD.value)),
            pace=Pace(data.get("pace", Pace.NORMAL.value)),
        )


DEFAULT_PREFERENCES = Preferences()

CONFIRMATIONS = {
    ("cue_level", CueLevel.BRIEF): "Okay, fewer cues: just the timing.",
    ("cue_level", CueLevel.FULL): "Okay, more cues: I'll remind you about form.",
    ("countdown", Countdown.FREQUENT): "Okay, I'll count down every ten seconds.",
    ("countdown", Countdown.STANDARD): "Okay, the usual countdown.",
    ("countdown", Countdown.MINIMAL): "Okay, I'll only call the last ten seconds.",
    ("pace", Pace.SLOW): "Okay, a slower pace. The holds get a little longer.",
    ("pace", Pace.NORMAL): "Okay, back to the normal pace.",
}
SETTINGS: dict[str, type[StrEnum]] = {"cue_level": CueLevel, "countdown": Countdown, "pace": Pace}


def updated_preferences(
    current: Preferences, name: str | None, value: str | None, *, slow_allowed: bool
) -> tuple[Preferences, str] | str:
    """The preferences with `name` set to `value` and what to say about it, or only what to
    say when the request cannot be honoured. Both arrive from speech: untrusted."""
    if name is None or name not in SETTINGS or value not in set(SETTINGS[name]):
        return "Sorry, I can't change that. You can ask for fewer cues, more cues, or a " \
               "slower pace."
    setting = SETTINGS[name](value)
    if setting is Pace.SLOW and not slow_allowed:
        return "This routine's holds can't be made any longer."
    changed = Preferences.from_dict({**current.to_dict(), name: setting.value})
    return changed, CONFIRMATIONS[(name, setting)]
