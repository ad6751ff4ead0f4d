"""Cold start and peak memory: a fresh process imports a Lambda entry and answers one launch.

Each run is `python -c CHILD_CODE`: import the entry module, hand it the real LaunchRequest
envelope, print how long that took inside the process and the process's peak RSS. The parent
also times the whole process from spawn to exit, which is what a new Lambda container pays.
The two skills alternate run by run, so a busy machine slows both alike.

The launch envelope keeps its apiAccessToken, so the skill makes its real time-zone lookup
(one GET per new session): `apiEndpoint` points at a stub on 127.0.0.1 that answers at once.
The HTTP stack that lookup imports is part of the cold start; network latency is not.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from benchmarks.common import BENCHMARKS_DIR, LAMBDA_DIR, envelope, measured_env

CHILD_CODE = """\
import json, resource, sys, time
start = time.perf_counter()
sys.path.insert(0, sys.argv[1])
entry = __import__(sys.argv[2])
with open(sys.argv[3], encoding="utf-8") as handle:
    event = json.load(handle)
response = entry.lambda_handler(event, None)
seconds = time.perf_counter() - start
speech = ((response.get("response") or {}).get("outputSpeech") or {}).get("ssml") or ""
print(json.dumps({"seconds": seconds, "speech": speech,
                  "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""
"""Run with argv: the folder to import from, the entry module, the envelope file."""

TIME_ZONE = "Europe/Berlin"


@dataclass(frozen=True)
class Entry:
    """A Lambda entry point to start cold: `module` importable from `folder`."""

    label: str
    folder: Path
    module: str


PSOAS = Entry("psoas", LAMBDA_DIR, "lambda_function")
BARE = Entry("bare", BENCHMARKS_DIR, "bare_skill")


@dataclass
class Runs:
    """Every cold run of one entry: wall seconds, in-process seconds, peak RSS in KiB."""

    wall_s: list[float] = field(default_factory=list)
    inside_s: list[float] = field(default_factory=list)
    maxrss_kib: list[int] = field(default_factory=list)


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


def run_once(entry: Entry, envelope_file: Path, env: dict[str, str], cwd: Path) -> dict[str, Any]:
    """One fresh process: its wall time, and what it printed about itself."""
    command = [sys.executable, "-c", CHILD_CODE, str(entry.folder), entry.module,
               str(envelope_file)]
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                               check=False)
    wall_s = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"cold start of {entry.module} failed:\n{completed.stderr}")
    result: dict[str, Any] = json.loads(completed.stdout)
    if not result["speech"] or result["speech"].startswith("<speak>Sorry"):
        raise RuntimeError(f"{entry.module} did not answer the launch: {result['speech']!r}")
    result["wall_s"] = wall_s
    return result


def measure(repeats: int, work: Path) -> dict[str, Any]:
    """`repeats` cold starts of each entry, alternating, after one discarded warm-up each.

    The warm-up run writes the bytecode caches and creates the SQLite file, as a deployed
    artifact and its table would already exist.
    """
    runs = {entry.label: Runs() for entry in (PSOAS, BARE)}
    with time_zone_stub() as api_endpoint:
        launch = envelope("launch_request")
        launch["context"]["System"]["apiEndpoint"] = api_endpoint
        envelope_file = work / "launch_request.json"
        envelope_file.write_text(json.dumps(launch), encoding="utf-8")
        env = measured_env(work, "cold.sqlite3")
        served_before = _TimeZoneHandler.served
        for index in range(repeats + 1):
            for entry in (PSOAS, BARE) if index % 2 == 0 else (BARE, PSOAS):
                result = run_once(entry, envelope_file, env, work)
                if index == 0:
                    continue
                entry_runs = runs[entry.label]
                entry_runs.wall_s.append(result["wall_s"])
                entry_runs.inside_s.append(result["seconds"])
                entry_runs.maxrss_kib.append(result["maxrss_kib"])
        lookups = _TimeZoneHandler.served - served_before
    return {
        "repeats": repeats,
        "time_zone_lookups": lookups,
        **{label: vars(entry_runs) for label, entry_runs in runs.items()},
    }
