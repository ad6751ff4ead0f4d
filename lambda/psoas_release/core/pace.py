"""Each device's speaking pace, learned from the skill's own request timestamps.

A pace is seconds the device takes per second of the speaking model (150 words a minute):
1.25 for a voice at 120 words a minute, 0.83 at 180. Nothing reports it, so it is learned
from replies known to have played to their end: the gap between the request a reply answered
and the request that proves it ended measures how long the device took to say it. The model,
the observations, the error budget and the limits are set out in `core.position`.

Plain data in, plain data out: the person's record carries one `VoicePace` per device, and
`observe` returns the next one.
"""

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, NamedTuple

from psoas_release.core.position import (
    ANSWER_AFTER_S,
    LISTEN_S,
    SPOKEN_REQUEST_S,
    START_LATENCY_S,
    TIMESTAMP_ROUNDING_S,
)
from psoas_release.core.speaking import FASTEST_PACE, SLOWEST_PACE
from psoas_release.core.values import is_finite

SHORTEST_OBSERVED_WORDS_S = 8.0
"""A reply with fewer seconds of words says too little about a voice to learn from."""

SANE_PACES = (0.5, 2.0)
"""Paces outside this range are not a voice but a broken observation (a clock, a crash)."""

KEPT_DEVICES = 8
"""Paces kept per person, most recently heard first: a household's devices, bounded."""

KNOWN_WITHIN = 0.01
"""A pace is known once the band allows it to be at most this much slower than its estimate:
1 s in 100 s of words, so a reply's worth of words stays within the 2-s budget."""

PLAUSIBLE_MARGIN = 1.1
"""How far beyond the expected voices (120 to 180 words a minute) an answer may put a pace:
slower, and it answered the reprompt; faster, and it was said over the reply."""


class Ending(StrEnum):
    """How a request proves that the reply before it played to its end."""

    TIMED_OUT = "timed_out"
    """SessionEndedRequest, EXCEEDED_MAX_REPROMPTS: the reply, a listening window, the
    reprompt and a second window all passed, with no person in the timing."""
    ANSWERED = "answered"
    """The person answered the reply's closing question or invitation."""


class SpokenReply(NamedTuple):
    """What the skill said last, kept until the next request shows how long it took."""

    at: float
    """The timestamp (epoch seconds) of the request the reply answered."""
    device: str
    words_s: float
    """Seconds of words in the reply, at the speaking model."""
    silence_s: float
    """Seconds of breaks in the reply: the same on every device."""
    reprompt_s: float
    """Seconds of words in its reprompt, at the speaking model."""
    answers: frozenset[str]
    """The event kinds that answer its closing question or invitation."""

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at, "device": self.device, "words_s": self.words_s,
                "silence_s": self.silence_s, "reprompt_s": self.reprompt_s,
                "answers": sorted(self.answers)}

    @classmethod
    def from_dict(cls, data: Any) -> "SpokenReply | None":
        """The record in stored data; None when it is missing or unusable (nothing is learned
        from this reply, which is always safe)."""
        try:
            answers = data["answers"]
            if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
                return None
            device = data["device"]
            if not isinstance(device, str):
                return None
            return cls(_number(data["at"]), device, _number(data["words_s"]),
                       _number(data["silence_s"]), _number(data["reprompt_s"]),
                       frozenset(answers))
        except (KeyError, TypeError, ValueError):
            return None


class VoicePace(NamedTuple):
    """What is known of one device's pace: the best estimate, the band every observation so far
    allows (how sure it is), and how much evidence stands behind it."""

    ratio: float
    low: float
    high: float
    weight: float
    observations: int

    @property
    def known(self) -> bool:
        """Whether the estimate can be trusted as it is: the voice cannot be much slower."""
        return self.high - self.ratio <= KNOWN_WITHIN

    def to_dict(self) -> dict[str, float | int]:
        return {"ratio": self.ratio, "low": self.low, "high": self.high,
                "weight": self.weight, "observations": self.observations}

    @classmethod
    def from_dict(cls, data: Any) -> "VoicePace | None":
        """The pace in stored data; None when it is missing or corrupt, so the device is
        treated as unknown: the safe estimate, never a guess."""
        try:
            pace = cls(_number(data["ratio"]), _number(data["low"]), _number(data["high"]),
                       _number(data["weight"]), int(_number(data["observations"])))
        except (KeyError, TypeError, ValueError):
            return None
        sane = SANE_PACES[0] <= pace.low <= pace.ratio <= pace.high <= SANE_PACES[1]
        return pace if sane and pace.weight > 0 and pace.observations > 0 else None


class Observation(NamedTuple):
    """One measurement of a device's pace: a point, and the band it guarantees."""

    ratio: float
    low: float
    high: float
    weight: float


def measure(spoken: SpokenReply, now: float, ending: Ending) -> Observation | None:
    """What a request at `now` that proves `spoken` ended says about the device's pace.

    Timed out: elapsed = start latency + silence + pace * (words + reprompt) + two listening
    windows, exactly. Answered: elapsed = start latency + silence + pace * words + the
    answer's own time (about a second to react, then the spoken request). An answer may come
    late, even after the reprompt, which makes the voice look slower, never faster: the band
    allows for all of it on the slow side.
    """
    elapsed = now - spoken.at - START_LATENCY_S - spoken.silence_s
    if ending is Ending.TIMED_OUT:
        words = spoken.words_s + spoken.reprompt_s
        return _observation(elapsed - 2 * LISTEN_S, words, early_s=0.0, late_s=0.0)
    answered_at = elapsed - SPOKEN_REQUEST_S - ANSWER_AFTER_S
    late_s = 2 * LISTEN_S + SLOWEST_PACE * spoken.reprompt_s
    observed = _observation(answered_at, spoken.words_s, early_s=ANSWER_AFTER_S, late_s=late_s)
    if observed is not None and observed.ratio > SLOWEST_PACE * PLAUSIBLE_MARGIN \
            and spoken.reprompt_s:
        # Too slow to be any expected voice answering at once: they answered the reprompt.
        observed = _observation(answered_at - LISTEN_S, spoken.words_s + spoken.reprompt_s,
                                early_s=ANSWER_AFTER_S, late_s=LISTEN_S)
    plausible = FASTEST_PACE / PLAUSIBLE_MARGIN, SLOWEST_PACE * PLAUSIBLE_MARGIN
    if observed is None or not plausible[0] <= observed.ratio <= plausible[1]:
        return None  # said over the reply (no voice is that fast), or no answer to it at all
    return observed


def _observation(speaking_s: float, words_s: float, *, early_s: float,
                 late_s: float) -> Observation | None:
    """`words_s` of model speech took `speaking_s` on the device, give or take the timestamps'
    rounding, up to `early_s` less and `late_s` more of the person's own time."""
    if words_s < SHORTEST_OBSERVED_WORDS_S:
        return None
    ratio = speaking_s / words_s
    if not SANE_PACES[0] <= ratio <= SANE_PACES[1]:
        return None
    low = max((speaking_s - late_s - TIMESTAMP_ROUNDING_S) / words_s, SANE_PACES[0])
    high = min((speaking_s + early_s + TIMESTAMP_ROUNDING_S) / words_s, SANE_PACES[1])
    spread = TIMESTAMP_ROUNDING_S + (early_s + late_s) / 2
    return Observation(ratio, low, high, (words_s / spread) ** 2)


def learn(known: VoicePace | None, observed: Observation) -> VoicePace:
    """The pace after one more observation: the estimate weighted by how precise each
    observation is, kept inside the band all of them allow.

    An observation the band rules out means the model did not hold (the voice's speed was
    changed in the Alexa app, or an answer was said over the reply): one at least as precise
    as the observations before it were on average replaces them; a vaguer one widens the band
    to take it in, so the pace is no longer known and interruptions are placed never late
    until it is again."""
    if known is None:
        return VoicePace(observed.ratio, observed.low, observed.high, observed.weight, 1)
    count = known.observations + 1
    low, high = max(known.low, observed.low), min(known.high, observed.high)
    if low > high and observed.weight >= known.weight / known.observations:
        return VoicePace(observed.ratio, observed.low, observed.high, observed.weight, count)
    if low > high:
        return VoicePace(known.ratio, min(known.low, observed.low),
                         max(known.high, observed.high), known.weight, count)
    total = known.weight + observed.weight
    ratio = (known.ratio * known.weight + observed.ratio * observed.weight) / total
    return VoicePace(min(max(ratio, low), high), low, high, total, count)


def speaking_pace(pace: VoicePace | None) -> float:
    """The pace to size a device's holds for: its own once known, else the model's."""
    return pace.ratio if pace is not None and pace.known else 1.0


def listening_pace(pace: VoicePace | None) -> tuple[float, bool]:
    """(the pace to place an interruption with, whether that estimate is centred). Known: the
    estimate itself, centred. Otherwise the slowest voice the evidence and the expected range
    allow, leaning early, so an interruption is never placed late."""
    if pace is None:
        return SLOWEST_PACE, False
    if pace.known:
        return pace.ratio, True
    return max(pace.ratio, min(pace.high, SLOWEST_PACE)), False


Paces = tuple[tuple[str, VoicePace], ...]
"""Known devices and their paces, most recently heard first."""


def pace_of(paces: Paces, device: str | None) -> VoicePace | None:
    return next((pace for key, pace in paces if key == device), None)


def with_pace(paces: Paces, device: str, pace: VoicePace) -> Paces:
    """`paces` with `device`'s pace replaced and moved first, at most KEPT_DEVICES kept."""
    others = tuple((key, known) for key, known in paces if key != device)
    return ((device, pace), *others)[:KEPT_DEVICES]


def merged(mine: Paces, theirs: Paces) -> Paces:
    """Both records' devices, this one's first; where both know one, the better-founded pace."""
    best = dict(theirs)
    for device, pace in mine:
        if device not in best or pace.weight >= best[device].weight:
            best[device] = pace
    order = [device for device, _ in mine]
    order += [device for device, _ in theirs if device not in order]
    return tuple((device, best[device]) for device in order)[:KEPT_DEVICES]


def paces_to_list(paces: Paces) -> list[dict[str, Any]]:
    return [{"device": device, **pace.to_dict()} for device, pace in paces]


def paces_from_list(data: Any) -> Paces:
    """Known paces in stored data; entries that are corrupt are dropped, never trusted."""
    if not isinstance(data, list):
        return ()
    paces: list[tuple[str, VoicePace]] = []
    for entry in data[:KEPT_DEVICES]:
        device = entry.get("device") if isinstance(entry, Mapping) else None
        pace = VoicePace.from_dict(entry)
        if isinstance(device, str) and 0 < len(device) <= 64 and pace is not None:
            paces.append((device, pace))
    return tuple(paces)


def _number(value: Any) -> float:
    if not is_finite(value):
        raise ValueError(f"{value!r} is not a number")
    return float(value)
