"""What the person's record keeps of their daily reminder, the offer of one, and the
permission: enough to follow what the Reminders API says and never to ask twice.

The reminder itself lives in Alexa; the record keeps its token and time so the skill can
change, read and stop it, and learns from every answer the API gives (a 404 clears it). The
offer is made once and a "no" is remembered; the advice on allowing reminders in the Alexa
app is said once. A request that waits for the person (the offer's yes, Alexa's consent
prompt) is `pending` until it is answered.
"""

from enum import StrEnum
from typing import Any, NamedTuple

from psoas_release.core.clock_time import ClockTime
from psoas_release.core.values import is_finite

LONGEST_TOKEN = 512
"""Alert tokens are ids; anything longer in a stored record is corruption, not a token."""


class Offer(StrEnum):
    """The offer of a reminder after a second day in a row: made once, its answer kept."""

    NOT_MADE = "not_made"
    MADE = "made"
    """Heard, never answered."""
    ACCEPTED = "accepted"
    DECLINED = "declined"


class Wish(StrEnum):
    """What the person asked of their reminder."""

    SET = "set"
    READ = "read"
    STOP = "stop"


class Pending(NamedTuple):
    """A wish waiting for the person: a yes to the offer, or Alexa's consent prompt."""

    wish: Wish
    time: ClockTime | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"wish": self.wish.value, "time": self.time.text if self.time else None}

    @classmethod
    def from_dict(cls, data: Any) -> "Pending | None":
        if data is None:
            return None
        if not isinstance(data, dict) or set(data) - {"wish", "time"}:
            raise TypeError("pending is not a wish")
        time = data.get("time")
        parsed = ClockTime.parse(time)
        if time is not None and parsed is None:
            raise ValueError("pending time is not a time of day")
        return cls(Wish(data["wish"]), parsed)


class ReminderRecord(NamedTuple):
    """The person's daily reminder as the skill knows it (token and time), and their answers."""

    token: str | None = None
    time: ClockTime | None = None
    changed_at: float | None = None
    """When the token or time last changed (request time): the newer record wins a merge."""
    offer: Offer = Offer.NOT_MADE
    advice_given: bool = False
    """The person has heard how to allow reminders in the Alexa app."""
    pending: Pending | None = None

    @property
    def offer_due(self) -> bool:
        """Whether a daily reminder may still be offered: never offered, none set, nothing
        waiting for the person, and no "no" to Alexa's consent prompt (that is never nagged)."""
        return self.offer is Offer.NOT_MADE and self.token is None and self.pending is None \
            and not self.advice_given

    def with_reminder(self, token: str | None, time: ClockTime | None,
                      at: float) -> "ReminderRecord":
        """The record after the API said the reminder is now `token` at `time` (None: gone)."""
        if token is None:
            time = None
        return self._replace(token=token, time=time, changed_at=at, pending=None)

    def merged(self, theirs: "ReminderRecord") -> "ReminderRecord":
        """This record with what `theirs` (another device's save) knows and this one may not:
        the newer reminder, the furthest answer to the offer, the advice once heard."""
        newer = theirs if (theirs.changed_at or 0.0) > (self.changed_at or 0.0) else self
        offer = max(self.offer, theirs.offer, key=list(Offer).index)
        return self._replace(token=newer.token, time=newer.time, changed_at=newer.changed_at,
                             offer=offer, advice_given=self.advice_given or theirs.advice_given)

    def to_dict(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "time": self.time.text if self.time else None,
            "changed_at": self.changed_at,
            "offer": self.offer.value,
            "advice_given": self.advice_given,
            "pending": self.pending.to_dict() if self.pending else None,
        }

    @classmethod
    def from_dict(cls, data: Any) -> "ReminderRecord":
        """The record in stored data; raises TypeError/ValueError on anything unusable."""
        if not isinstance(data, dict):
            raise TypeError("the reminder record is not a mapping")
        if set(data) - {"token", "time", "changed_at", "offer", "advice_given", "pending"}:
            raise ValueError("unknown reminder field")
        token = data.get("token")
        if token is not None and (not isinstance(token, str) or not 0 < len(token)
                                  <= LONGEST_TOKEN):
            raise TypeError("token is not an alert token")
        time = ClockTime.parse(data.get("time"))
        if data.get("time") is not None and time is None:
            raise ValueError("time is not a time of day")
        changed_at = data.get("changed_at")
        if changed_at is not None and not is_finite(changed_at):
            raise TypeError("changed_at is not a time")
        if not isinstance(data.get("advice_given", False), bool):
            raise TypeError("advice_given is not true or false")
        return cls(token=token, time=time,
                   changed_at=float(changed_at) if changed_at is not None else None,
                   offer=Offer(data.get("offer", Offer.NOT_MADE.value)),
                   advice_given=data.get("advice_given", False),
                   pending=Pending.from_dict(data.get("pending")))


NO_REMINDER_RECORD = ReminderRecord()
