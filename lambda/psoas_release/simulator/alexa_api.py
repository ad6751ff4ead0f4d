"""Alexa's APIs as a skill reaches them, on the loopback address: the Reminders API
(`/v1/alerts/reminders`) and the device's time zone from the settings API.

Why: the simulator and the tests must never reach Amazon, yet the skill should make its real
calls, through the ASK SDK's own client, over real HTTPS, and meet the API's real refusals. So
this serves the documented endpoints on 127.0.0.1 (an ephemeral port, TLS from
`loopback_tls`), checks every reminder as the API does (the request schema, the recurrence
rules, the length of the spoken text, the number of reminders per skill, the bearer token and
the person's permission) and answers with the API's statuses and error bodies
(`{"code": ..., "message": ...}`): 400, 401, 403, 404, and 429 when told to.

Each envelope's `apiAccessToken` is one account here: a person, whose reminders permission
is given or taken back as in the Alexa app (`allow_reminders`), whose reminders can be
deleted as in the app (`delete_in_app`), and whose device has a time zone (`set_time_zone`).
`fail_next` makes the next reminders calls fail (a rate limit, an outage); `hold_next` makes
the next call of a method wait until `release` (a hung API that still does what it was asked),
and `release` returns once that call is done, so a test never sleeps and hopes.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from psoas_release.simulator.loopback_tls import LOOPBACK, LoopbackTls, make_loopback_tls

REMINDERS_PATH = "/v1/alerts/reminders"
MAX_TEXT_CHARS = 140
"""The longest spoken text this stand-in accepts for a reminder."""
REMINDERS_PER_SKILL = 100
"""The most reminders one person may have from one skill here."""
MAX_RULES = 5
"""The most recurrence rules one reminder may carry here."""
STOP_WITHIN_S = 0.05
"""How soon `stop` returns: the server looks for it this often."""
HELD_FOR_AT_MOST_S = 30.0
"""A held call answers by then even if never released, so no test can hang on it."""

FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
DAYS = {"SU", "MO", "TU", "WE", "TH", "FR", "SA"}
RULE_RANGES = {"BYHOUR": range(24), "BYMINUTE": range(60), "BYSECOND": range(60),
               "INTERVAL": range(1, 1000)}
_LOCALE = re.compile(r"^[a-z]{2}-[A-Z]{2}$")
_SETTINGS_PATH = re.compile(r"^/v2/devices/([^/]+)/settings/System\.timeZone$")


@dataclass(frozen=True)
class Refusal:
    """An answer that is not a success: a status and the API's error body."""

    status: int
    code: str
    message: str = ""

    def body(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message or self.code}


@dataclass
class Account:
    """One person, as their access token knows them."""

    reminders_allowed: bool = False
    time_zone: str | None = None
    reminders: dict[str, dict[str, Any]] = field(default_factory=dict)


def reminder_refusal(body: Any) -> Refusal | None:
    """What the Reminders API would refuse in a create or update body; None when it is fine."""
    if not isinstance(body, dict):
        return Refusal(400, "INVALID_REQUEST", "The body is not a JSON object.")
    if not _is_time(body.get("requestTime"), local=False):
        return Refusal(400, "INVALID_REQUEST_TIME", "requestTime is not an ISO 8601 time.")
    return _trigger_refusal(body.get("trigger")) or _alert_refusal(body.get("alertInfo")) or \
        _push_refusal(body.get("pushNotification"))


def _trigger_refusal(trigger: Any) -> Refusal | None:
    if not isinstance(trigger, dict):
        return Refusal(400, "INVALID_TRIGGER", "trigger is missing.")
    kind = trigger.get("type")
    if kind == "SCHEDULED_RELATIVE":
        offset = trigger.get("offsetInSeconds")
        if not isinstance(offset, int) or isinstance(offset, bool) or offset <= 0:
            return Refusal(400, "INVALID_TRIGGER", "offsetInSeconds must be positive.")
        return None
    if kind != "SCHEDULED_ABSOLUTE":
        return Refusal(400, "INVALID_TRIGGER", f"Unknown trigger type {kind!r}.")
    if not _is_time(trigger.get("scheduledTime"), local=True):
        return Refusal(400, "INVALID_TRIGGER_SCHEDULED_TIME_FORMAT",
                       "scheduledTime must be ISO 8601 local time, without an offset.")
    zone = trigger.get("timeZoneId")
    if zone is not None and not _is_zone(zone):
        return Refusal(400, "INVALID_TIME_ZONE", f"Unknown time zone {zone!r}.")
    recurrence = trigger.get("recurrence")
    return None if recurrence is None else _recurrence_refusal(recurrence)


def _recurrence_refusal(recurrence: Any) -> Refusal | None:
    if not isinstance(recurrence, dict):
        return Refusal(400, "INVALID_RECURRENCE", "recurrence is not an object.")
    rules = recurrence.get("recurrenceRules")
    if rules is None:
        if recurrence.get("freq") not in {"DAILY", "WEEKLY"}:
            return Refusal(400, "UNSUPPORTED_TRIGGER_RECURRENCE", "freq must be DAILY or WEEKLY.")
        return None
    if not isinstance(rules, list) or not 1 <= len(rules) <= MAX_RULES:
        return Refusal(400, "INVALID_RECURRENCE", f"1 to {MAX_RULES} recurrence rules.")
    for name in ("startDateTime", "endDateTime"):
        value = recurrence.get(name)
        if value is not None and not _is_time(value, local=True):
            return Refusal(400, "INVALID_RECURRENCE", f"{name} must be ISO 8601 local time.")
    for rule in rules:
        problem = rule_problem(rule)
        if problem:
            return Refusal(400, "INVALID_RECURRENCE_RULE", f"{rule!r}: {problem}")
    return None


def rule_problem(rule: Any) -> str:
    """What is wrong with an RFC 5545 rule ("FREQ=DAILY;BYHOUR=7;BYMINUTE=0"); '' if nothing."""
    if not isinstance(rule, str) or not rule:
        return "a rule is text"
    parts: dict[str, str] = {}
    for part in rule.removeprefix("RRULE:").split(";"):
        key, equals, value = part.partition("=")
        if not equals or key in parts:
            return f"{part!r} is not a single KEY=VALUE"
        parts[key] = value
    unknown = set(parts) - {"FREQ", "BYDAY", *RULE_RANGES}
    if unknown:
        return f"unsupported {sorted(unknown)}"
    if parts.get("FREQ") not in FREQUENCIES:
        return f"FREQ must be one of {sorted(FREQUENCIES)}"
    if "BYDAY" in parts and not set(parts["BYDAY"].split(",")) <= DAYS:
        return "BYDAY names days as SU, MO, ..."
    for key, allowed in RULE_RANGES.items():
        if key in parts and not (parts[key].isdigit() and int(parts[key]) in allowed):
            return f"{key} is out of range"
    return ""


def _alert_refusal(alert: Any) -> Refusal | None:
    spoken = alert.get("spokenInfo") if isinstance(alert, dict) else None
    content = spoken.get("content") if isinstance(spoken, dict) else None
    if not isinstance(content, list) or not content:
        return Refusal(400, "INVALID_ALERT_INFO", "alertInfo.spokenInfo.content is empty.")
    for text in content:
        if not isinstance(text, dict) or not _LOCALE.match(str(text.get("locale"))):
            return Refusal(400, "INVALID_ALERT_INFO", "each content names its locale.")
        words = text.get("text")
        if not isinstance(words, str) or not words.strip():
            return Refusal(400, "INVALID_ALERT_INFO", "each content has text.")
        if len(words) > MAX_TEXT_CHARS:
            return Refusal(400, "INVALID_ALERT_INFO",
                           f"text is {len(words)} characters, over {MAX_TEXT_CHARS}.")
    return None


def _push_refusal(push: Any) -> Refusal | None:
    if push is None or (isinstance(push, dict) and push.get("status") in {"ENABLED", "DISABLED"}):
        return None
    return Refusal(400, "INVALID_PUSH_NOTIFICATION", "status is ENABLED or DISABLED.")


def _is_time(value: Any, *, local: bool) -> bool:
    """An ISO 8601 date and time; `local` ones carry no offset."""
    if not isinstance(value, str):
        return False
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return parsed.tzinfo is None or not local


def _is_zone(name: Any) -> bool:
    try:
        ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def reminder_time(reminder: dict[str, Any]) -> str:
    """'every day at 07:15 (Europe/London)': a stored reminder, for the simulator's screen."""
    trigger = reminder.get("trigger", {})
    rules = trigger.get("recurrence", {}).get("recurrenceRules") or []
    found = re.search(r"BYHOUR=(\d+);BYMINUTE=(\d+)", rules[0]) if rules else None
    at = f"{int(found[1]):02d}:{int(found[2]):02d}" if found else trigger.get("scheduledTime")
    zone = trigger.get("timeZoneId") or "the device's time zone"
    return f"every day at {at} ({zone})" if found else f"at {at} ({zone})"


class AlexaApi:
    """The stand-in server; use it as a context manager, or `start` and `stop` it."""

    def __init__(self, folder: Path, *, reminders_per_skill: int = REMINDERS_PER_SKILL) -> None:
        self.tls: LoopbackTls = make_loopback_tls(folder)
        self.reminders_per_skill = reminders_per_skill
        self.accounts: dict[str, Account] = {}
        self.calls: list[tuple[str, str]] = []
        """Every reminders call, as (method, path), in order."""
        self._failures: deque[Refusal] = deque()
        self._hold: _Hold | None = None
        self._lock = threading.Lock()
        self._stopped = False
        self._server = _Server((LOOPBACK, 0), _Handler, self)
        self._server.socket = self.tls.server_context().wrap_socket(
            self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": STOP_WITHIN_S}, daemon=True)

    @property
    def endpoint(self) -> str:
        """The apiEndpoint to put in envelopes."""
        return f"https://{LOOPBACK}:{self._server.server_address[1]}"

    @property
    def ca_file(self) -> Path:
        return self.tls.ca_file

    def fetch(self, url: str, token: str) -> bytes:
        """GET `url` over TLS that trusts this server alone: the time zone lookup's fetch."""
        import urllib.request

        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=HELD_FOR_AT_MOST_S,
                                    context=self.tls.client_context()) as response:
            body: bytes = response.read()
        return body

    def start(self) -> AlexaApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop answering: calls are refused from now on, as when the API is down."""
        if self._stopped:
            return
        self._stopped = True
        self.release()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> AlexaApi:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    # ----------------------------------------------------------------------- as in the app

    def account(self, token: str) -> Account:
        with self._lock:
            return self.accounts.setdefault(token, Account())

    def allow_reminders(self, token: str, allowed: bool = True) -> None:
        """Give (or take back) the skill's reminders permission, as in the Alexa app."""
        self.account(token).reminders_allowed = allowed

    def set_time_zone(self, token: str, zone: str | None) -> None:
        self.account(token).time_zone = zone

    def reminders(self, token: str) -> list[dict[str, Any]]:
        """The person's reminders from the skill, oldest first."""
        with self._lock:
            return [dict(reminder) for reminder in self._account(token).reminders.values()]

    def delete_in_app(self, token: str, alert_token: str) -> None:
        with self._lock:
            del self._account(token).reminders[alert_token]

    def fail_next(self, status: int, code: str, times: int = 1) -> None:
        """The next `times` reminders calls answer `status` with `code`."""
        with self._lock:
            self._failures.extend([Refusal(status, code)] * times)

    def hold_next(self, method: str) -> None:
        """The next reminders call with `method` waits for `release` (at most
        `HELD_FOR_AT_MOST_S`), then is answered as usual."""
        self._hold = _Hold(method)

    def release(self) -> None:
        """Let a held call go on, and return once it has been answered."""
        hold, self._hold = self._hold, None
        if hold is not None:
            hold.go.set()
            if hold.arrived.is_set():
                hold.answered.wait(HELD_FOR_AT_MOST_S)

    # ----------------------------------------------------------------------- the API

    def _account(self, token: str) -> Account:
        return self.accounts.setdefault(token, Account())

    def answer(self, method: str, path: str, token: str | None,
               body: Any) -> tuple[int, Any]:
        """(status, JSON body) for one request."""
        settings = _SETTINGS_PATH.match(path)
        if settings:
            return self._time_zone(token)
        if not path.startswith(REMINDERS_PATH):
            return 404, Refusal(404, "NOT_FOUND").body()
        hold = self._hold
        held = hold is not None and hold.method == method and not hold.arrived.is_set()
        if hold is not None and held:
            hold.arrived.set()
            hold.go.wait(HELD_FOR_AT_MOST_S)
        try:
            with self._lock:
                self.calls.append((method, path))
                refusal = self._failures.popleft() if self._failures else self._refusal(token)
                if refusal is not None:
                    return refusal.status, refusal.body()
                assert token is not None
                return self._reminders(method, unquote(path.removeprefix(REMINDERS_PATH)),
                                       self._account(token), body)
        finally:
            if hold is not None and held:
                hold.answered.set()

    def _refusal(self, token: str | None) -> Refusal | None:
        if token is None or token not in self.accounts:
            return Refusal(401, "UNAUTHORIZED", "The authentication token is not valid.")
        if not self.accounts[token].reminders_allowed:
            return Refusal(403, "ACCESS_DENIED", "Access denied with reason: ACCESS_NOT_REQUESTED")
        return None

    def _time_zone(self, token: str | None) -> tuple[int, Any]:
        with self._lock:
            account = self.accounts.get(token or "")
        if account is None:
            return 401, Refusal(401, "UNAUTHORIZED").body()
        if account.time_zone is None:
            return 404, Refusal(404, "NOT_FOUND", "No time zone is set.").body()
        return 200, account.time_zone

    def _reminders(self, method: str, rest: str, account: Account,
                   body: Any) -> tuple[int, Any]:
        alert_token = rest.removeprefix("/")
        if not alert_token:
            if method == "GET":
                alerts = list(account.reminders.values())
                return 200, {"totalCount": str(len(alerts)), "alerts": alerts, "links": None}
            if method != "POST":
                return 405, Refusal(405, "METHOD_NOT_ALLOWED").body()
            if len(account.reminders) >= self.reminders_per_skill:
                return 403, Refusal(403, "MAX_REMINDERS_EXCEEDED",
                                    "The customer has too many reminders from this skill.").body()
            return self._stored(account, f"amzn1.alert.{uuid.uuid4()}", body, created=None)
        stored = account.reminders.get(alert_token)
        if stored is None:
            return 404, Refusal(404, "ALERT_NOT_FOUND", "No such reminder.").body()
        if method == "GET":
            return 200, stored
        if method == "DELETE":
            del account.reminders[alert_token]
            return 200, ""
        if method == "PUT":
            return self._stored(account, alert_token, body, created=stored["createdTime"])
        return 405, Refusal(405, "METHOD_NOT_ALLOWED").body()

    def _stored(self, account: Account, alert_token: str, body: Any,
                created: str | None) -> tuple[int, Any]:
        refusal = reminder_refusal(body)
        if refusal is not None:
            return refusal.status, refusal.body()
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        reminder = {
            "alertToken": alert_token, "createdTime": created or now, "updatedTime": now,
            "status": "ON", "trigger": body["trigger"], "alertInfo": body["alertInfo"],
            "pushNotification": body.get("pushNotification", {"status": "ENABLED"}),
            "version": "1",
        }
        account.reminders[alert_token] = reminder
        return 200, {key: reminder[key] for key in
                     ("alertToken", "createdTime", "updatedTime", "status", "version")} | {
            "href": f"{REMINDERS_PATH}/{alert_token}"}


@dataclass
class _Hold:
    """A call held back: which method, and when it arrived, may go, and was answered."""

    method: str
    arrived: threading.Event = field(default_factory=threading.Event)
    go: threading.Event = field(default_factory=threading.Event)
    answered: threading.Event = field(default_factory=threading.Event)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler],
                 api: AlexaApi) -> None:
        self.api = api
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the simulator's screen is the person's."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        bearer = self.headers.get("Authorization", "")
        token = bearer.removeprefix("Bearer ") if bearer.startswith("Bearer ") else None
        status, answer = self.server.api.answer(self.command, self.path, token or None, body)
        data = b"" if answer == "" else json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def all_reminders(api: AlexaApi, token: str) -> Iterator[str]:
    """Each of the person's reminders in a few words, for the simulator's screen."""
    for reminder in api.reminders(token):
        texts = reminder["alertInfo"]["spokenInfo"]["content"]
        yield f"{reminder_time(reminder)}: \"{texts[0]['text']}\""
