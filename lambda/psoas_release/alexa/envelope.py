"""A request envelope read into the SDK's models, with Alexa's timestamp read by the stdlib.

The SDK reads every datetime with dateutil's general-purpose parser: importing it costs some
5 ms of a cold start, and parsing the request's stamp some 40 µs of every request. Alexa stamps
requests in ISO 8601 (`2026-11-26T07:00:00Z`), which `datetime.fromisoformat` reads in
microseconds; so the stamp is taken out before the SDK reads the rest and put back parsed. A
stamp it refuses goes to dateutil as before, so no request reads differently.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model.request_envelope import RequestEnvelope

from psoas_release.alexa.log import Logger

log = Logger(__name__)

_serializer = DefaultSerializer()

TIMESTAMP = "timestamp"


def read_envelope(event: Any) -> RequestEnvelope | None:
    """The request envelope in `event`, or None if even the request cannot be read.

    Session attributes are ours, echoed back by Alexa; if they are damaged they are dropped
    (the state then comes from the store) rather than costing the person their answer.
    """
    for candidate in _readings(event):
        try:
            unstamped, stamp = _unstamped(candidate)
            envelope = _serializer.deserialize(json.dumps(unstamped), RequestEnvelope)
            if isinstance(envelope, RequestEnvelope) and envelope.request is not None \
                    and stamp is not None:
                envelope.request.timestamp = request_timestamp(stamp)
        except Exception as error:
            log.warning("unreadable request envelope: %s", error)
            continue
        if isinstance(envelope, RequestEnvelope) and envelope.request is not None:
            return _with_system(envelope)
    return None


def request_timestamp(stamp: Any) -> datetime:
    """Alexa's request stamp as a datetime, as the SDK would read it; raises ValueError or
    TypeError when it is not a time."""
    if not isinstance(stamp, str):
        raise TypeError(f"request timestamp is not text: {stamp!r}")
    try:
        return datetime.fromisoformat(stamp)
    except ValueError:
        from dateutil.parser import parse

        return parse(stamp)


def _unstamped(event: Any) -> tuple[Any, Any]:
    """`event` without its request's timestamp, and that timestamp (None if it has none)."""
    request = event.get("request") if isinstance(event, dict) else None
    if not isinstance(request, dict) or request.get(TIMESTAMP) is None:
        return event, None
    rest = {key: value for key, value in request.items() if key != TIMESTAMP}
    return {**event, "request": rest}, request[TIMESTAMP]


def _with_system(envelope: RequestEnvelope) -> RequestEnvelope:
    """`envelope` with a `context.System`, empty if the request had none: the SDK reads the
    API endpoint and token from it on every request, and a request without them is answered
    like any other, only without the APIs."""
    if envelope.context is not None and envelope.context.system is not None:
        return envelope
    # Imported here: reading an envelope that has them imports these models anyway.
    from ask_sdk_model.context import Context
    from ask_sdk_model.interfaces.system.system_state import SystemState

    if envelope.context is None:
        envelope.context = Context()
    session = envelope.session
    envelope.context.system = SystemState(
        application=getattr(session, "application", None),
        user=getattr(session, "user", None))
    return envelope


def _readings(event: Any) -> Iterator[Any]:
    """`event` as it came, then without its session attributes: the copy is made only when
    the first reading failed."""
    yield event
    if isinstance(event, dict) and isinstance(event.get("session"), dict):
        yield {**event, "session": {**event["session"], "attributes": {}}}
