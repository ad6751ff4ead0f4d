"""The stand-in for Alexa's APIs holds the skill to what the Reminders API documents: the
request schema, recurrence rules, the limits, the bearer token and the permission, and the
statuses and error bodies it answers with. Spoken to over HTTPS, as the skill speaks to it."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import requests

from psoas_release.core.reminders import REMINDER_TEXT
from psoas_release.simulator.alexa_api import (
    MAX_RULES,
    MAX_TEXT_CHARS,
    AlexaApi,
    reminder_refusal,
    rule_problem,
)

TOKEN = "a-token"
REMINDER: dict[str, Any] = {
    "requestTime": "2026-11-26T07:00:00",
    "trigger": {
        "type": "SCHEDULED_ABSOLUTE", "scheduledTime": "2026-11-27T07:00:00",
        "timeZoneId": "Europe/London",
        "recurrence": {"startDateTime": "2026-11-27T07:00:00",
                       "recurrenceRules": ["FREQ=DAILY;BYHOUR=7;BYMINUTE=0;BYSECOND=0"]},
    },
    "alertInfo": {"spokenInfo": {"content": [{"locale": "en-GB", "text": REMINDER_TEXT}]}},
    "pushNotification": {"status": "ENABLED"},
}


class Client:
    """HTTPS to the stand-in, trusting only its own authority."""

    def __init__(self, api: AlexaApi, token: str | None = TOKEN) -> None:
        self.api = api
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def __call__(self, method: str, path: str, body: Any = None) -> requests.Response:
        return requests.request(method, f"{self.api.endpoint}{path}", json=body,
                                headers=self.headers, verify=str(self.api.ca_file), timeout=5)


@pytest.fixture
def call(alexa_api: AlexaApi) -> Client:
    alexa_api.allow_reminders(TOKEN)
    return Client(alexa_api)


def changed(path: str, value: Any) -> dict[str, Any]:
    """REMINDER with the field at dotted `path` set to `value` (or removed, for None)."""
    body = copy.deepcopy(REMINDER)
    *parents, last = path.split(".")
    node = body
    for key in parents:
        node = node[key]
    if value is None:
        del node[last]
    else:
        node[last] = value
    return body


def test_a_reminder_is_created_read_listed_changed_and_deleted(call: Client) -> None:
    created = call("POST", "/v1/alerts/reminders", REMINDER)
    assert created.status_code == 200
    token = created.json()["alertToken"]
    assert created.json()["status"] == "ON"
    read = call("GET", f"/v1/alerts/reminders/{token}").json()
    assert (read["trigger"], read["alertInfo"]) == (REMINDER["trigger"], REMINDER["alertInfo"])
    listed = call("GET", "/v1/alerts/reminders").json()
    assert listed["totalCount"] == "1" and listed["alerts"][0]["alertToken"] == token
    later = changed("trigger.recurrence.recurrenceRules", ["FREQ=DAILY;BYHOUR=8;BYMINUTE=30"])
    assert call("PUT", f"/v1/alerts/reminders/{token}", later).status_code == 200
    assert call("GET", f"/v1/alerts/reminders/{token}").json()["trigger"] == later["trigger"]
    assert call("DELETE", f"/v1/alerts/reminders/{token}").status_code == 200
    gone = call("GET", f"/v1/alerts/reminders/{token}")
    assert (gone.status_code, gone.json()["code"]) == (404, "ALERT_NOT_FOUND")


def test_the_skills_spoken_text_is_within_the_limit() -> None:
    assert len(REMINDER_TEXT) <= MAX_TEXT_CHARS
    assert reminder_refusal(REMINDER) is None


@pytest.mark.parametrize(("path", "value", "code"), [
    ("requestTime", None, "INVALID_REQUEST_TIME"),
    ("requestTime", "this morning", "INVALID_REQUEST_TIME"),
    ("trigger", None, "INVALID_TRIGGER"),
    ("trigger.type", "SCHEDULED_SOMETIME", "INVALID_TRIGGER"),
    ("trigger.scheduledTime", "2026-11-27T07:00:00Z", "INVALID_TRIGGER_SCHEDULED_TIME_FORMAT"),
    ("trigger.scheduledTime", None, "INVALID_TRIGGER_SCHEDULED_TIME_FORMAT"),
    ("trigger.timeZoneId", "Europe/Atlantis", "INVALID_TIME_ZONE"),
    ("trigger.recurrence.recurrenceRules", [], "INVALID_RECURRENCE"),
    ("trigger.recurrence.recurrenceRules", ["FREQ=DAILY"] * (MAX_RULES + 1),
     "INVALID_RECURRENCE"),
    ("trigger.recurrence.recurrenceRules", ["FREQ=HOURLY"], "INVALID_RECURRENCE_RULE"),
    ("trigger.recurrence.recurrenceRules", ["FREQ=DAILY;BYHOUR=24"], "INVALID_RECURRENCE_RULE"),
    ("trigger.recurrence.recurrenceRules", ["FREQ=DAILY;FREQ=WEEKLY"],
     "INVALID_RECURRENCE_RULE"),
    ("trigger.recurrence.startDateTime", "2026-11-27T07:00:00+01:00", "INVALID_RECURRENCE"),
    ("trigger.recurrence", {"freq": "HOURLY"}, "UNSUPPORTED_TRIGGER_RECURRENCE"),
    ("alertInfo.spokenInfo.content", [], "INVALID_ALERT_INFO"),
    ("alertInfo.spokenInfo.content", [{"locale": "english", "text": "hi"}],
     "INVALID_ALERT_INFO"),
    ("alertInfo.spokenInfo.content", [{"locale": "en-GB", "text": " "}], "INVALID_ALERT_INFO"),
    ("alertInfo.spokenInfo.content", [{"locale": "en-GB", "text": "x" * (MAX_TEXT_CHARS + 1)}],
     "INVALID_ALERT_INFO"),
    ("pushNotification.status", "LOUD", "INVALID_PUSH_NOTIFICATION"),
])
def test_a_reminder_the_api_would_refuse_is_refused(
    call: Client, path: str, value: Any, code: str
) -> None:
    refused = call("POST", "/v1/alerts/reminders", changed(path, value))
    assert (refused.status_code, refused.json()["code"]) == (400, code)
    assert call.api.reminders(TOKEN) == []


@pytest.mark.parametrize(("rule", "problem"), [
    ("FREQ=DAILY;BYHOUR=7;BYMINUTE=0;BYSECOND=0", ""),
    ("RRULE:FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=18;INTERVAL=2", ""),
    ("BYHOUR=7", "FREQ must be one of"),
    ("FREQ=WEEKLY;BYDAY=MONDAY", "BYDAY names days"),
    ("FREQ=DAILY;BYMINUTE=x", "BYMINUTE is out of range"),
    ("FREQ=DAILY;COUNT=3", "unsupported ['COUNT']"),
    ("FREQ=DAILY;", "is not a single KEY=VALUE"),
])
def test_recurrence_rules_are_read_as_rfc_5545(rule: str, problem: str) -> None:
    found = rule_problem(rule)
    assert problem in found if problem else found == ""


def test_the_token_and_the_permission_are_checked(alexa_api: AlexaApi) -> None:
    nobody = Client(alexa_api, token=None)("POST", "/v1/alerts/reminders", REMINDER)
    assert (nobody.status_code, nobody.json()["code"]) == (401, "UNAUTHORIZED")
    stranger = Client(alexa_api, "no-such-token")("GET", "/v1/alerts/reminders")
    assert stranger.status_code == 401
    alexa_api.allow_reminders(TOKEN, False)
    revoked = Client(alexa_api)("GET", "/v1/alerts/reminders")
    assert (revoked.status_code, revoked.json()["code"]) == (403, "ACCESS_DENIED")


def test_the_number_of_reminders_per_skill_is_limited(call: Client) -> None:
    call.api.reminders_per_skill = 2
    assert [call("POST", "/v1/alerts/reminders", REMINDER).status_code
            for _ in range(3)] == [200, 200, 403]
    refused = call("POST", "/v1/alerts/reminders", REMINDER)
    assert refused.json()["code"] == "MAX_REMINDERS_EXCEEDED"


def test_failures_on_demand_answer_once_each(call: Client) -> None:
    call.api.fail_next(429, "TOO_MANY_REQUESTS", times=2)
    assert [call("GET", "/v1/alerts/reminders").status_code for _ in range(3)] == \
        [429, 429, 200]


def test_a_held_call_is_answered_once_released(call: Client) -> None:
    call.api.hold_next("POST")
    with pytest.raises(requests.Timeout):
        requests.post(f"{call.api.endpoint}/v1/alerts/reminders", json=REMINDER,
                      headers=call.headers, verify=str(call.api.ca_file), timeout=0.2)
    call.api.release()
    assert len(call.api.reminders(TOKEN)) == 1


def test_the_device_time_zone_is_served_to_its_token(alexa_api: AlexaApi) -> None:
    path = "/v2/devices/amzn1.ask.device.X/settings/System.timeZone"
    alexa_api.set_time_zone(TOKEN, "Asia/Tokyo")
    assert Client(alexa_api)("GET", path).json() == "Asia/Tokyo"
    alexa_api.set_time_zone(TOKEN, None)
    assert Client(alexa_api)("GET", path).status_code == 404
    assert Client(alexa_api, "no-such-token")("GET", path).status_code == 401
