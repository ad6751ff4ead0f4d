"""Cold start and peak memory: a fresh process imports a Lambda entry and answers one launch.

Each run is `python -S -c CHILD_CODE`: import the entry module, hand it a LaunchRequest
envelope, print how long that took inside the process and the process's own peak resident
memory (`VmHWM` from /proc/self/status: `ru_maxrss` would include the parent's peak, which a
fresh process inherits on Linux). The parent also times the whole process, from spawn until
it has printed that and left with `os._exit`: what a new Lambda container pays before its first
answer. Interpreter teardown is left out, for every skill alike: a container is frozen after
answering, never torn down before it, and teardown's cost follows the heap and the collector's
settings rather than the cold start (a skill that freezes its objects would otherwise look
milliseconds faster than one that does not). Every entry answers the same envelope in a round,
and the order alternates round by round, so a busy machine slows them alike.

Round k is day k for the person: the launch envelope is stamped a day after the last, so every
launch but the first is a returning person's, a day later, whose last routine played out, and
the reply coaches the whole routine again. The envelope keeps its apiAccessToken, and
`apiEndpoint` points at a stub on 127.0.0.1 that answers at once, so the skill makes its real
time-zone lookup whenever it needs one (at most once a week per person).
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from benchmarks.common import BENCHMARKS_DIR, envelope, process_env
from benchmarks.interpreter import Interpreter

CHILD_CODE = """\
import json, os, sys, time
start = time.perf_counter()
entry = __import__(sys.argv[1])
with open(sys.argv[2], encoding="utf-8") as handle:
    event = json.load(handle)
response = entry.lambda_handler(event, None)
seconds = time.perf_counter() - start
speech = ((response.get("response") or {}).get("outputSpeech") or {}).get("ssml") or ""
with open("/proc/self/status", encoding="ascii") as status:
    peak_kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "speech": speech, "peak_kib": peak_kib}), flush=True)
os._exit(0)
"""
"""Run with argv: the entry module, the envelope file."""

TIME_ZONE = "Europe/Berlin"
FIRST_DAY = datetime(2026, 11, 26, 7, tzinfo=UTC)


@dataclass(frozen=True)
class Entry:
    """A Lambda entry point to start cold: `module`, from the built sources (`ours`) or from
    benchmarks/, on SQLite (`table` None) or on the DynamoDB table `table`."""

    label: str
    module: str
    ours: bool
    table: str | None = None


PSOAS = Entry("psoas", "lambda_function", ours=True)
FLOOR = Entry("floor", "floor_skill", ours=False)
BARE = Entry("bare", "bare_skill", ours=False)
PSOAS_DYNAMODB = Entry("psoas_dynamodb", "lambda_function", ours=True, table="psoas-state")
FLOOR_DYNAMODB = Entry("floor_dynamodb", "floor_skill", ours=False, table="floor-state")
ENTRIES = (PSOAS, FLOOR, BARE, PSOAS_DYNAMODB, FLOOR_DYNAMODB)
TABLES = tuple(entry.table for entry in ENTRIES if entry.table)


@dataclass
class Runs:
    """Every cold run of one entry: wall seconds, in-process seconds, peak memory in KiB."""

    wall_s: list[float] = field(default_factory=list)
    inside_s: list[float] = field(default_factory=list)
    peak_kib: list[int] = field(default_factory=list)


class _TimeZoneHandler(BaseHTTPRequestHandler):
    """Answers the Alexa settings API's time-zone question, instantly."""

    served = 0

    def do_GET(self) -> None:
        body = json.dumps(TIME_ZONE).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        type(self).served += 1

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the benchmark's output is the table."""


@contextmanager
def time_zone_stub() -> Iterator[str]:
    """A local stand-in for the Alexa settings API; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TimeZoneHandler)
    thread = threading.Thread(target=server.serve_forever, name="time-zone-stub", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def launch_on_day(day: int, api_endpoint: str) -> dict[str, Any]:
    """The real launch envelope, `day` days after the first, asking the stub for time zones."""
    launch = envelope("launch_request")
    launch["request"]["timestamp"] = f"{FIRST_DAY + timedelta(days=day):%Y-%m-%dT%H:%M:%SZ}"
    launch["context"]["System"]["apiEndpoint"] = api_endpoint
    return launch


def entry_env(entry: Entry, work: Path, artifact: Path, interpreter: Interpreter,
              dynamodb: Mapping[str, str]) -> dict[str, str]:
    """The environment of one entry's processes: its import path and its store."""
    folder = artifact if entry.ours else BENCHMARKS_DIR
    env = process_env(work, f"cold-{entry.label}.sqlite3",
                      [str(folder), interpreter.site_packages])
    if entry.table:
        env.update(dynamodb, TABLE_NAME=entry.table)
    return env


def run_once(entry: Entry, envelope_file: Path, env: dict[str, str], cwd: Path,
             interpreter: Interpreter) -> dict[str, Any]:
    """One fresh process: its wall time, and what it printed about itself."""
    command = interpreter.command("-c", CHILD_CODE, entry.module, str(envelope_file))
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                               check=False)
    wall_s = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"cold start of {entry.label} failed:\n{completed.stderr}")
    result: dict[str, Any] = json.loads(completed.stdout)
    if not result["speech"] or result["speech"].startswith("<speak>Sorry"):
        raise RuntimeError(f"{entry.label} did not answer the launch: {result['speech']!r}")
    result["wall_s"] = wall_s
    return result


def measure(repeats: int, work: Path, artifact: Path, interpreter: Interpreter,
            dynamodb: Mapping[str, str]) -> dict[str, Any]:
    """`repeats` cold starts of each entry, in rounds, after one discarded warm-up round.

    The warm-up round writes the bytecode caches (PYTHONPYCACHEPREFIX) and each store's first
    record, as a deployed artifact and its table would already exist.
    """
    runs = {entry.label: Runs() for entry in ENTRIES}
    envs = {entry.label: entry_env(entry, work, artifact, interpreter, dynamodb)
            for entry in ENTRIES}
    with time_zone_stub() as api_endpoint:
        served_before = _TimeZoneHandler.served
        for day in range(repeats + 1):
            envelope_file = work / "cold-launch.json"
            envelope_file.write_text(json.dumps(launch_on_day(day, api_endpoint)),
                                     encoding="utf-8")
            for entry in ENTRIES if day % 2 == 0 else reversed(ENTRIES):
                result = run_once(entry, envelope_file, envs[entry.label], work, interpreter)
                if day == 0:
                    continue
                entry_runs = runs[entry.label]
                entry_runs.wall_s.append(result["wall_s"])
                entry_runs.inside_s.append(result["seconds"])
                entry_runs.peak_kib.append(result["peak_kib"])
        lookups = _TimeZoneHandler.served - served_before
    return {
        "repeats": repeats,
        "launches": sum(entry.ours for entry in ENTRIES) * (repeats + 1),
        "time_zone_lookups": lookups,
        **{label: vars(entry_runs) for label, entry_runs in runs.items()},
    }
