"""Alexa envelope -> core event: the one place request shapes are read, all of them untrusted."""

from __future__ import annotations

import time
import zlib
from datetime import datetime
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.intent_request import IntentRequest
from ask_sdk_model.launch_request import LaunchRequest
from ask_sdk_model.session_ended_request import SessionEndedRequest

from psoas_release.alexa.permission import consent_of, is_consent_answer, reminders_granted
from psoas_release.core.events import Event, EventKind

ROUTINE_SLOT = "routine"
TIME_SLOT = "time"
MAX_SLOT_CHARS = 100
EVENT = "event"
"""Where the request's event is kept among the request attributes (see `event_of`)."""
RESOLVED = "ER_SUCCESS_MATCH"
"""The entity-resolution status of a slot value matched to one of ours. Compared by value, so
that a launch does not import the SDK's entity-resolution models (some 1.4 ms cold)."""

PREFERENCE_SLOTS: dict[str, tuple[str, str]] = {
    "CueLevelIntent": ("cue_level", "level"),
    "CountdownIntent": ("countdown", "style"),
    "PaceIntent": ("pace", "pace"),
}
"""Intent -> (the preference it sets, the slot that holds the value)."""

INTENT_EVENTS: dict[str, EventKind] = {
    "StartRoutineIntent": EventKind.START,
    "FormCueIntent": EventKind.FORM_CUE,
    "TimeLeftIntent": EventKind.TIME_LEFT,
    "WhatsNextIntent": EventKind.WHATS_NEXT,
    "WhyIntent": EventKind.WHY,
    "PainIntent": EventKind.PAIN,
    "ListRoutinesIntent": EventKind.LIST_ROUTINES,
    "CueLevelIntent": EventKind.SET_PREFERENCE,
    "CountdownIntent": EventKind.SET_PREFERENCE,
    "PaceIntent": EventKind.SET_PREFERENCE,
    "ProgressIntent": EventKind.PROGRESS,
    "SetReminderIntent": EventKind.SET_REMINDER,
    "ReadReminderIntent": EventKind.READ_REMINDER,
    "StopReminderIntent": EventKind.STOP_REMINDER,
    "AMAZON.HelpIntent": EventKind.HELP,
    "AMAZON.StopIntent": EventKind.STOP,
    "AMAZON.CancelIntent": EventKind.STOP,
    "AMAZON.NavigateHomeIntent": EventKind.STOP,
    "AMAZON.FallbackIntent": EventKind.FALLBACK,
    "AMAZON.PauseIntent": EventKind.PAUSE,
    "AMAZON.ResumeIntent": EventKind.RESUME,
    "AMAZON.NextIntent": EventKind.NEXT,
    "AMAZON.PreviousIntent": EventKind.PREVIOUS,
    "AMAZON.RepeatIntent": EventKind.REPEAT,
    "AMAZON.StartOverIntent": EventKind.START_OVER,
    "AMAZON.YesIntent": EventKind.YES,
    "AMAZON.NoIntent": EventKind.NO,
}
"""Every intent the skill handles; a test checks this against the interaction model."""


def event_of(handler_input: HandlerInput) -> Event:
    """The request's core event, read from the envelope once per request: the time-zone check
    and the handler both ask for it."""
    attributes = handler_input.attributes_manager.request_attributes
    event = attributes.get(EVENT)
    if not isinstance(event, Event):
        event = attributes[EVENT] = to_event(handler_input)
    return event


def to_event(handler_input: HandlerInput) -> Event:
    """The core event for this request. Unknown intents become a fallback, never an error."""
    request = handler_input.request_envelope.request
    heard: dict[str, Any] = {"device": _device(handler_input),
                             "new_session": _new_session(handler_input),
                             "reminders_allowed": reminders_granted(handler_input)}
    if is_consent_answer(handler_input):
        return Event(EventKind.PERMISSION_ANSWER, consent=consent_of(handler_input), **heard)
    if isinstance(request, LaunchRequest):
        return Event(EventKind.LAUNCH, **heard)
    if isinstance(request, SessionEndedRequest):
        timed_out = getattr(request.reason, "value", None) == "EXCEEDED_MAX_REPROMPTS"
        return Event(EventKind.SESSION_ENDED, timed_out=timed_out, **heard)
    if not isinstance(request, IntentRequest) or request.intent is None:
        return Event(EventKind.FALLBACK, **heard)
    name = str(request.intent.name)
    kind = INTENT_EVENTS.get(name, EventKind.FALLBACK)
    if kind is EventKind.START:
        routine_id, routine_name = _slot(request, ROUTINE_SLOT)
        return Event(kind, routine_id=routine_id, routine_name=routine_name, **heard)
    if kind is EventKind.SET_PREFERENCE:
        preference, slot_name = PREFERENCE_SLOTS[name]
        return Event(kind, preference=preference, value=_slot(request, slot_name)[0], **heard)
    if kind is EventKind.SET_REMINDER:
        return Event(kind, value=_slot(request, TIME_SLOT)[1], **heard)
    return Event(kind, **heard)


def device_key(device_id: str) -> str:
    """A short key for a device: its pace is learned and kept under it. A digest, not Alexa's
    id, so the person's record holds no device identifier."""
    data = device_id.encode("utf-8", "replace")
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def _device(handler_input: HandlerInput) -> str | None:
    system = getattr(handler_input.request_envelope.context, "system", None)
    device_id = getattr(getattr(system, "device", None), "device_id", None)
    return device_key(device_id) if isinstance(device_id, str) and device_id else None


def _new_session(handler_input: HandlerInput) -> bool:
    session = handler_input.request_envelope.session
    return session is None or getattr(session, "new", True) is not False


def _slot(request: IntentRequest, name: str) -> tuple[str | None, str | None]:
    """(resolved value id, words heard) from a slot; either may be missing."""
    slots = request.intent.slots if request.intent is not None else None
    slot = slots.get(name) if isinstance(slots, dict) else None
    if slot is None or not isinstance(slot.value, str) or not slot.value.strip():
        return None, None
    heard = slot.value.strip()[:MAX_SLOT_CHARS]
    resolutions = getattr(slot.resolutions, "resolutions_per_authority", None) or []
    for resolution in resolutions:
        status = getattr(getattr(resolution, "status", None), "code", None)
        values = getattr(resolution, "values", None) or []
        if getattr(status, "value", None) == RESOLVED and values:
            resolved = getattr(getattr(values[0], "value", None), "id", None)
            if isinstance(resolved, str):
                return resolved[:MAX_SLOT_CHARS], heard
    return None, heard


def request_time(handler_input: HandlerInput) -> float:
    """The request's timestamp in epoch seconds: the clock the core reasons with.

    Alexa stamps every request; when a malformed one has no usable stamp, the server clock
    stands in, which at worst makes one barge-in estimate a little early.
    """
    stamp = getattr(handler_input.request_envelope.request, "timestamp", None)
    if isinstance(stamp, datetime):
        try:
            return stamp.timestamp()
        except (OverflowError, OSError, ValueError):
            pass
    return time.time()


def user_id(handler_input: HandlerInput) -> str | None:
    """Who this is, for the persistent store; None when the envelope does not say."""
    envelope = handler_input.request_envelope
    system = getattr(getattr(envelope, "context", None), "system", None)
    session = getattr(envelope, "session", None)
    for user in (getattr(system, "user", None), getattr(session, "user", None)):
        value = getattr(user, "user_id", None)
        if isinstance(value, str) and value:
            return value
    return None
