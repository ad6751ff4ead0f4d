"""Resolve a typed utterance to what Alexa would send, using only the interaction model.

Why: the simulator and the end-to-end tests speak *utterances* ("how much time is left"),
not hand-built intents, so a phrase missing from the model fails a test the way it would
fail on a device. There is no phrase list in code: every intent phrase comes from the model.

Rules, in order:

1. Normalise: lower case, "alexa," wake word dropped, digits spelt out ("10" -> "ten"),
   hyphens to spaces, punctuation other than apostrophes dropped.
2. A launch phrase followed by exactly the invocation name ("open psoas release",
   "start so as release", "ask psoas release") is a **launch**, as Alexa sends it. The
   invocation name is also accepted as speech recognition hears it (``heard_as`` in
   ``interaction_model/source.yaml``: "so as release", "soas release").
3. One-shot forms carry a request with the invocation name: "ask|tell psoas release [to] <x>",
   "open|start|... psoas release and <x>", "<x> using|with|from|on|in psoas release".
   <x> is matched as in rule 4; the resolution is marked ``one_shot`` (a new session).
   A request that matches nothing is ``UNMATCHED`` (Alexa sends AMAZON.FallbackIntent).
4. Anything else is matched as if said inside the session:
   a. a sample without slots, exactly;
   b. a sample with slots, each slot matching one of its type's values or synonyms (the
      value id is resolved); the sample with the most literal words wins;
   c. with ``open_slots`` (the default), a slot may hold any words, as Alexa fills custom
      slots with words it does not know; the slot's ``id`` is then None.

So "start psoas release" is a launch (rule 2), while "start the ten minute psoas release" is
not a launch phrase plus the invocation name: it resolves (rule 4b) to StartRoutineIntent with
the routine's id. A device outside a session may not route such a phrase to the skill at all;
the simulator treats it as said inside the session.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any

from psoas_release.core.numbers import number_words
from psoas_release.interaction_model import (
    DEFAULT_PACKAGE_DIR,
    SLOT_REFERENCE,
    SOURCE_FILE,
    load_source,
)

__all__ = [
    "FALLBACK_INTENT",
    "LAUNCH_WORDS",
    "Kind",
    "Resolution",
    "SlotValue",
    "normalise",
    "resolve",
]

FALLBACK_INTENT = "AMAZON.FallbackIntent"

#: Words Alexa accepts before the invocation name to open a skill (its launch phrases).
LAUNCH_WORDS = (
    "open",
    "start",
    "launch",
    "begin",
    "ask",
    "tell",
    "load",
    "run",
    "use",
    "play",
    "resume",
    "talk to",
)
_ASK_WORDS = ("ask", "tell")
_ASK_CONNECTORS = ("to", "for", "about", "if", "whether", "that")
_TRAILING_CONNECTORS = ("using", "with", "from", "on", "in")

_SLOT_REF = SLOT_REFERENCE


class Kind(StrEnum):
    """What kind of request Alexa would send for an utterance."""

    LAUNCH = "launch"
    INTENT = "intent"
    UNMATCHED = "unmatched"


@dataclass(frozen=True)
class SlotValue:
    """A filled slot: the words heard and, when they name a known value, its id and name.
    `type` is the slot's type: Alexa reports a built-in one (AMAZON.TIME) as its value."""

    raw: str
    id: str | None
    name: str | None
    type: str = ""


@dataclass(frozen=True)
class Resolution:
    """The outcome of :func:`resolve`.

    ``slots`` holds only the slots the utterance filled. ``one_shot`` is True when the
    utterance named the skill (Alexa starts a new session with it).
    """

    kind: Kind
    intent: str | None = None
    slots: Mapping[str, SlotValue] = field(default_factory=dict, hash=False)
    one_shot: bool = False

    @property
    def intent_or_fallback(self) -> str | None:
        """The intent Alexa would send: the matched one, FallbackIntent, or None for a launch."""
        if self.kind is Kind.LAUNCH:
            return None
        return self.intent if self.kind is Kind.INTENT else FALLBACK_INTENT


def normalise(text: str) -> str:
    """Reduce typed text to the lower-case words a speech recogniser would produce."""
    text = text.lower().replace("\u2019", "'")
    text = re.sub(r"[-_/]", " ", text)
    # Digits as words (larger numbers stay digits, which no sample contains).
    text = re.sub(r"\d+", lambda number: number_words(int(number.group())), text)
    text = re.sub(r"[^a-z0-9' ]", " ", text)
    words = [word.strip("'") for word in text.split()]
    words = [word for word in words if word]
    if words and words[0] == "alexa":
        words = words[1:]
    return " ".join(words)


def resolve(
    utterance: str,
    model: Mapping[str, Any],
    *,
    heard_as: Mapping[str, Sequence[str]] | None = None,
    open_slots: bool = True,
) -> Resolution:
    """Resolve ``utterance`` against an ASK interaction model (see the module docstring).

    ``model`` is an interaction model document as generated (``{"interactionModel": ...}``)
    or its ``languageModel``. ``heard_as`` maps a word to how speech recognition may hear it;
    by default it is read from ``interaction_model/source.yaml``.
    """
    language_model = model.get("interactionModel", {}).get("languageModel", model)
    if heard_as is None:
        heard_as = _default_heard_as()
    text = normalise(utterance)
    invocations = _invocation_forms(language_model["invocationName"], heard_as)
    invocation = "|".join(re.escape(form) for form in invocations)
    launch = "|".join(re.escape(word) for word in LAUNCH_WORDS)

    if re.fullmatch(rf"(?:{launch}) (?:{invocation})", text):
        return Resolution(Kind.LAUNCH)

    ask = "|".join(_ASK_WORDS)
    request = _one_shot_request(text, ask, launch, invocation)
    if request is not None:
        for candidate in _with_and_without_connector(request):
            resolution = _match_intent(candidate, language_model, open_slots)
            if resolution.kind is Kind.INTENT:
                return Resolution(Kind.INTENT, resolution.intent, resolution.slots, one_shot=True)
        return Resolution(Kind.UNMATCHED, one_shot=True)

    return _match_intent(text, language_model, open_slots)


# --------------------------------------------------------------------------- helpers


@cache
def _default_heard_as() -> Mapping[str, tuple[str, ...]]:
    """The ``heard_as`` table of the repository's source.yaml, or none outside a checkout."""
    source_path = DEFAULT_PACKAGE_DIR / SOURCE_FILE
    if not source_path.is_file():
        return {}
    table = load_source(source_path).get("heard_as") or {}
    return {word: tuple(variants) for word, variants in table.items()}


def _invocation_forms(name: str, heard_as: Mapping[str, Sequence[str]]) -> list[str]:
    forms = [normalise(name)]
    for word, variants in heard_as.items():
        forms += [
            re.sub(rf"\b{re.escape(word)}\b", variant, form)
            for form in forms
            for variant in variants
        ]
    return sorted(set(forms), key=len, reverse=True)


def _one_shot_request(text: str, ask: str, launch: str, invocation: str) -> str | None:
    for pattern in (
        rf"(?:{ask}) (?:{invocation}) (?P<request>.+)",
        rf"(?:{launch}) (?:{invocation}) and (?P<request>.+)",
        rf"(?P<request>.+) (?:{'|'.join(_TRAILING_CONNECTORS)}) (?:{invocation})",
    ):
        found = re.fullmatch(pattern, text)
        if found:
            return found.group("request")
    return None


def _with_and_without_connector(request: str) -> list[str]:
    first, _, rest = request.partition(" ")
    if first in _ASK_CONNECTORS and rest:
        return [request, rest]
    return [request]


@dataclass(frozen=True)
class _Candidate:
    intent: str
    literal_words: int
    order: int
    slots: dict[str, SlotValue]


def _match_intent(text: str, language_model: Mapping[str, Any], open_slots: bool) -> Resolution:
    intents: Sequence[Mapping[str, Any]] = language_model.get("intents", ())
    values = _value_table(language_model.get("types", ()))

    for intent in intents:
        for sample in intent.get("samples", ()):
            if "{" not in sample and normalise(sample) == text:
                return Resolution(Kind.INTENT, intent["name"])

    passes = (False, True) if open_slots else (False,)
    for any_words in passes:
        candidates = list(_slot_candidates(text, intents, values, any_words))
        if candidates:
            best = min(candidates, key=lambda c: (-c.literal_words, c.order))
            return Resolution(Kind.INTENT, best.intent, best.slots)
    return Resolution(Kind.UNMATCHED)


def _slot_candidates(
    text: str,
    intents: Sequence[Mapping[str, Any]],
    values: Mapping[str, Mapping[str, tuple[str, str]]],
    any_words: bool,
) -> Iterable[_Candidate]:
    order = 0
    for intent in intents:
        slot_types = {slot["name"]: slot["type"] for slot in intent.get("slots", ())}
        for sample in intent.get("samples", ()):
            order += 1
            if "{" not in sample:
                continue
            pattern, slot_names = _compile(sample, slot_types, values, any_words)
            if pattern is None:
                continue
            found = pattern.fullmatch(text)
            if not found:
                continue
            slots = {}
            for index, slot_name in enumerate(slot_names):
                raw = found.group(f"s{index}")
                known = values.get(slot_types.get(slot_name, ""), {}).get(raw)
                slots[slot_name] = SlotValue(
                    raw=raw, id=known[0] if known else None, name=known[1] if known else None,
                    type=slot_types.get(slot_name, ""),
                )
            literal_words = len(_SLOT_REF.sub("", sample).split())
            yield _Candidate(intent["name"], literal_words, order, slots)


def _compile(
    sample: str,
    slot_types: Mapping[str, str],
    values: Mapping[str, Mapping[str, tuple[str, str]]],
    any_words: bool,
) -> tuple[re.Pattern[str] | None, list[str]]:
    parts: list[str] = []
    slot_names: list[str] = []
    for token in sample.split():
        reference = _SLOT_REF.fullmatch(token)
        if reference is None:
            parts.append(re.escape(normalise(token)))
            continue
        slot_name = reference.group(1)
        known = values.get(slot_types.get(slot_name, ""), {})
        if any_words:
            alternatives = r"[a-z' ]+?"
        elif known:
            alternatives = "|".join(
                re.escape(phrase) for phrase in sorted(known, key=len, reverse=True)
            )
        else:
            return None, []
        parts.append(f"(?P<s{len(slot_names)}>{alternatives})")
        slot_names.append(slot_name)
    return re.compile(" ".join(parts)), slot_names


def _value_table(types: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, tuple[str, str]]]:
    """Slot type -> spoken phrase -> (value id, value name)."""
    table: dict[str, dict[str, tuple[str, str]]] = {}
    for slot_type in types:
        phrases = table.setdefault(slot_type["name"], {})
        for value in slot_type.get("values", ()):
            name = value["name"]["value"]
            value_id = value.get("id") or name
            for phrase in (name, *value["name"].get("synonyms", ())):
                phrases.setdefault(normalise(phrase), (value_id, name))
    return table
