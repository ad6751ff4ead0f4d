"""The person's time zone from the Alexa settings API, so streaks follow their own calendar.

The zone decides the day a run is counted on and the time of day a reminder rings. So it is
asked only on a request that may count a run (a run under way, not counted yet) or set a
reminder, and only when the person's record has no zone or it was asked a week ago or more:
at most once a week per person, and never on a launch that only greets. "How am I doing" is
the exception: its answer is nothing but the calendar and the question is rare, so it always
asks, and a person who has moved hears their new week at once. One GET with a short timeout;
any failure means "unknown": the zone already known stays, else the core falls back to UTC
(a reminder to the device's own zone), and it is asked again a week later.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import quote

from ask_sdk_core.handler_input import HandlerInput

from psoas_release.alexa.log import Logger
from psoas_release.alexa.mapping import event_of, request_time
from psoas_release.core.events import EventKind
from psoas_release.core.state import Phase, SessionState

log = Logger(__name__)

LOOKUP_TIMEOUT_S = 1.0
MAX_ANSWER_BYTES = 1024
ASK_AGAIN_AFTER_S = 7 * 86_400.0
"""A person who moves, or travels with their Echo, is on the new calendar within a week."""
SETS_A_REMINDER = frozenset({EventKind.SET_REMINDER, EventKind.PERMISSION_ANSWER})
"""Requests that may set a daily reminder (a wish, or the consent that lets one go ahead)."""

Fetch = Callable[[str, str], bytes]
"""(url, bearer token) -> response body; raises OSError on failure."""


def urllib_fetch(url: str, token: str) -> bytes:
    # Imported on the first lookup, not with the skill: urllib.request brings http.client,
    # email and ssl (some 40 ms), which a cold start that asks nothing skips.
    import urllib.request

    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}",
                                                   "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=LOOKUP_TIMEOUT_S) as response:
        body: bytes = response.read(MAX_ANSWER_BYTES + 1)
    return body


def due(state: SessionState, kind: EventKind, now: float) -> bool:
    """Whether this request should ask for the time zone: a week's summary always; a request
    that may count a run or set a reminder when the zone is unknown or was asked a week ago
    or more (or, by a clock gone wrong, in the future)."""
    if kind is EventKind.PROGRESS:
        return True
    if not (state.run_uncounted or kind in SETS_A_REMINDER
            or state.phase is Phase.OFFERING_REMINDER):
        return False
    checked = state.time_zone_checked_at
    return checked is None or not 0 <= now - checked < ASK_AGAIN_AFTER_S


class TimeZoneLookup:
    """Asks Alexa which time zone the device is set to, when the state needs it."""

    def __init__(self, fetch: Fetch | None = None) -> None:
        self.fetch = fetch or urllib_fetch

    def refreshed(self, state: SessionState, handler_input: HandlerInput) -> SessionState:
        """`state` with the zone asked now, if it is due and the request lets us ask; the
        attempt is remembered, answered or not, so a failing API is not asked on every
        request."""
        now = request_time(handler_input)
        if not due(state, event_of(handler_input).kind, now):
            return state
        url_and_token = _settings_url(handler_input)
        if url_and_token is None:
            return state
        zone = self.ask(*url_and_token)
        return state._replace(time_zone=zone or state.time_zone, time_zone_checked_at=now)

    def ask(self, url: str, token: str) -> str | None:
        """The zone Alexa names at `url`, or None on any failure."""
        try:
            body = self.fetch(url, token)
            zone = json.loads(body[:MAX_ANSWER_BYTES])
        except Exception as error:  # optional: any failure of any kind only means "unknown"
            log.info("time zone unavailable, using UTC: %r", error)
            return None
        return zone if isinstance(zone, str) and 0 < len(zone) <= 64 else None


def _settings_url(handler_input: HandlerInput) -> tuple[str, str] | None:
    """(the time-zone setting's URL for this device, the bearer token), if the request
    carries what it takes to ask."""
    system = getattr(handler_input.request_envelope.context, "system", None)
    endpoint = getattr(system, "api_endpoint", None)
    token = getattr(system, "api_access_token", None)
    device = getattr(getattr(system, "device", None), "device_id", None)
    if not (isinstance(endpoint, str) and isinstance(token, str) and isinstance(device, str)
            and endpoint and token and device):
        return None
    return f"{endpoint}/v2/devices/{quote(device, safe='')}/settings/System.timeZone", token
