"""A core `ReminderCall` made through the ASK SDK's reminder management client, and what came
back as a `ReminderOutcome`.

The client reaches the Reminders API at the request's `apiEndpoint` with its `apiAccessToken`
(`handler_input.service_client_factory`, from the skill's API client). A daily reminder is a
SCHEDULED_ABSOLUTE trigger in the person's time zone (or the device's, when the skill does not
know it) that starts at the next time the clock shows and repeats by the rule
FREQ=DAILY;BYHOUR=h;BYMINUTE=m;BYSECOND=0, in the request's locale.

Every failure becomes a `Result`, never an exception: the API's code when it gives one
(MAX_REMINDERS_EXCEEDED, DEVICE_NOT_SUPPORTED), else its status (401 and 403: not allowed;
404: not found; 429: rate limited), and anything else (no answer, a timeout, a 500, a body
that is not a reminder) is "unavailable".
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.services.service_exception import ServiceException

from psoas_release.alexa.log import Logger
from psoas_release.core.clock_time import ClockTime
from psoas_release.core.reminders import Operation, ReminderCall, ReminderOutcome, Result

log = Logger(__name__)

DEFAULT_LOCALE = "en-US"
STATUS_RESULTS = {401: Result.NOT_ALLOWED, 403: Result.NOT_ALLOWED, 404: Result.NOT_FOUND,
                  429: Result.RATE_LIMITED}
CODE_RESULTS = {"MAX_REMINDERS_EXCEEDED": Result.TOO_MANY,
                "DEVICE_NOT_SUPPORTED": Result.UNSUPPORTED}
_RULE_TIME = re.compile(r"BYHOUR=(\d{1,2});BYMINUTE=(\d{1,2})")


def daily_rule(time: ClockTime) -> str:
    """The recurrence rule of a reminder every day at `time`."""
    return f"FREQ=DAILY;BYHOUR={time.hour};BYMINUTE={time.minute};BYSECOND=0"


def make_call(handler_input: HandlerInput, call: ReminderCall, now: float) -> ReminderOutcome:
    """Make `call` now (`now`: the request's time) and say how it went."""
    _mend_the_models_spoken_info_path()
    try:
        client = handler_input.service_client_factory.get_reminder_management_service()
        return _made(client, handler_input, call, now)
    except ServiceException as error:
        code = _code(error.body)
        result = (CODE_RESULTS.get(code) if code else None) or \
            STATUS_RESULTS.get(error.status_code)
        log.warning("reminders API %s refused: %s %s", call.operation.value,
                    error.status_code, code)
        return ReminderOutcome(call, result or Result.UNAVAILABLE)
    except Exception as error:  # the API's failures are the person's to hear, never a crash
        log.warning("reminders API %s failed: %r", call.operation.value, error)
        return ReminderOutcome(call, Result.UNAVAILABLE)


def _made(client: Any, handler_input: HandlerInput, call: ReminderCall,
          now: float) -> ReminderOutcome:
    if call.operation is Operation.FIND:
        alerts = getattr(client.get_reminders(), "alerts", None) or []
        active = [alert for alert in alerts
                  if getattr(getattr(alert, "status", None), "value", None) == "ON"]
        if not active:
            return ReminderOutcome(call, Result.DONE)
        return ReminderOutcome(call, Result.DONE, token=_token(active[0]),
                               time=_time_of(active[0]))
    if call.operation is Operation.CREATE:
        created = client.create_reminder(_request(handler_input, call, now))
        return ReminderOutcome(call, Result.DONE, token=_token(created))
    assert call.token is not None, "only a new reminder has no token"
    if call.operation is Operation.UPDATE:
        updated = client.update_reminder(call.token, _request(handler_input, call, now))
        return ReminderOutcome(call, Result.DONE, token=_token(updated, call.token))
    if call.operation is Operation.READ:
        reminder = client.get_reminder(call.token)
        return ReminderOutcome(call, Result.DONE, token=call.token, time=_time_of(reminder))
    client.delete_reminder(call.token)
    return ReminderOutcome(call, Result.DONE)


def _mend_the_models_spoken_info_path() -> None:
    """ask-sdk-model (1.82) types a reminder's spokenInfo as `...reminder_management.
    alert_info_spoken_info.SpokenInfo`, a module it does not ship, so every reminder read back
    fails to deserialize (alexa/alexa-apis-for-python#4, the same mismatch the other way
    round). The class it means is `...reminder_management.spoken_info.SpokenInfo`: name that
    module under the path the model asks for, once, until the SDK is fixed."""
    from ask_sdk_model.services.reminder_management import spoken_info

    sys.modules.setdefault(f"{spoken_info.__package__}.alert_info_spoken_info", spoken_info)


def _request(handler_input: HandlerInput, call: ReminderCall, now: float) -> Any:
    """The SDK's ReminderRequest for a daily reminder at `call.time`."""
    from ask_sdk_model.services.reminder_management.alert_info import AlertInfo
    from ask_sdk_model.services.reminder_management.push_notification import PushNotification
    from ask_sdk_model.services.reminder_management.push_notification_status import (
        PushNotificationStatus,
    )
    from ask_sdk_model.services.reminder_management.recurrence import Recurrence
    from ask_sdk_model.services.reminder_management.reminder_request import ReminderRequest
    from ask_sdk_model.services.reminder_management.spoken_info import SpokenInfo
    from ask_sdk_model.services.reminder_management.spoken_text import SpokenText
    from ask_sdk_model.services.reminder_management.trigger import Trigger
    from ask_sdk_model.services.reminder_management.trigger_type import TriggerType

    assert call.time is not None and call.starts is not None, "a reminder needs a time"
    starts = datetime.fromisoformat(call.starts)
    locale = getattr(handler_input.request_envelope.request, "locale", None) or DEFAULT_LOCALE
    trigger = Trigger(object_type=TriggerType.SCHEDULED_ABSOLUTE, scheduled_time=starts,
                      time_zone_id=call.time_zone,
                      recurrence=Recurrence(start_date_time=starts,
                                            recurrence_rules=[daily_rule(call.time)]))
    spoken = SpokenText(locale=locale, text=call.text)
    return ReminderRequest(
        request_time=datetime.fromtimestamp(now, tz=UTC).replace(tzinfo=None),
        trigger=trigger, alert_info=AlertInfo(spoken_info=SpokenInfo(content=[spoken])),
        push_notification=PushNotification(status=PushNotificationStatus.ENABLED))


def _token(response: Any, fallback: str | None = None) -> str:
    """The alert token the API answered with; a body without one is no answer at all."""
    token = getattr(response, "alert_token", None) or fallback
    if not isinstance(token, str) or not token:
        raise ValueError("the reminders API answered without an alert token")
    return token


def _time_of(reminder: Any) -> ClockTime | None:
    """The time of day a reminder goes off, as the API reports it."""
    trigger = getattr(reminder, "trigger", None)
    rules = getattr(getattr(trigger, "recurrence", None), "recurrence_rules", None) or []
    for rule in rules:
        found = _RULE_TIME.search(str(rule))
        if found and int(found[1]) < 24 and int(found[2]) < 60:
            return ClockTime(int(found[1]), int(found[2]))
    scheduled = getattr(trigger, "scheduled_time", None)
    return ClockTime(scheduled.hour, scheduled.minute) if isinstance(scheduled, datetime) else None


def _code(body: Any) -> str | None:
    code = getattr(body, "code", None)
    if code is None and isinstance(body, dict):
        code = body.get("code")
    return code if isinstance(code, str) else None
