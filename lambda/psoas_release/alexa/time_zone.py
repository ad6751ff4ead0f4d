"""The person's time zone from the Alexa settings API, so streaks follow their own calendar.

One GET per new session, with a short timeout: a streak is worth a few hundred milliseconds at
launch, never the answer itself. Any failure means "unknown", and the core falls back to UTC.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from urllib.parse import quote

from ask_sdk_core.handler_input import HandlerInput

log = logging.getLogger(__name__)

LOOKUP_TIMEOUT_S = 1.0
MAX_ANSWER_BYTES = 1024

Fetch = Callable[[str, str], bytes]
"""(url, bearer token) -> response body; raises OSError on failure."""


def urllib_fetch(url: str, token: str) -> bytes:
    # Imported on the first lookup, not with the skill: urllib.request brings http.client,
    # email and ssl (some 18 ms), which a cold start answering a mid-session request skips.
    import urllib.request

    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}",
                                                   "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=LOOKUP_TIMEOUT_S) as response:
        body: bytes = response.read(MAX_ANSWER_BYTES + 1)
    return body


class TimeZoneLookup:
    """Asks Alexa which time zone the device is set to."""

    def __init__(self, fetch: Fetch | None = None) -> None:
        self.fetch = fetch or urllib_fetch

    def __call__(self, handler_input: HandlerInput) -> str | None:
        system = getattr(handler_input.request_envelope.context, "system", None)
        endpoint = getattr(system, "api_endpoint", None)
        token = getattr(system, "api_access_token", None)
        device = getattr(getattr(system, "device", None), "device_id", None)
        if not all(isinstance(v, str) and v for v in (endpoint, token, device)):
            return None
        url = f"{endpoint}/v2/devices/{quote(str(device), safe='')}/settings/System.timeZone"
        try:
            body = self.fetch(url, str(token))
            zone = json.loads(body[:MAX_ANSWER_BYTES])
        except Exception as error:  # optional: any failure of any kind only means "unknown"
            log.info("time zone unavailable, using UTC: %r", error)
            return None
        return zone if isinstance(zone, str) and 0 < len(zone) <= 64 else None
