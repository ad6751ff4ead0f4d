"""Run every benchmark and print the table: `python -m benchmarks [--quick] [--markdown FILE]`.

A report, not a test: the exit code is 0 whether targets are met or missed, and non-zero only
when a benchmark could not run at all.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks import cold
from benchmarks.common import checkout_env, median, percentile, run_child
from benchmarks.dynamodb import dynamodb_tables
from benchmarks.interpreter import build_sources, lambda_python
from benchmarks.report import Row, markdown_table, ratio_row, text_table
from psoas_release.core.ssml import MAX_SPEECH_CHARS, TARGET_SPEECH_CHARS

COLD_START_TARGET = 1.15
RSS_TARGET = 1.15
WARM_P99_TARGET = 1.5
VERIFY_TARGET_MS = 0.3
MAX_SSML_CHARS = MAX_SPEECH_CHARS
REPLY_SHARE_TARGET = TARGET_SPEECH_CHARS / MAX_SPEECH_CHARS
MAX_RESPONSE_BYTES = 24 * 1024


@dataclass(frozen=True)
class Plan:
    """How much to measure: the defaults, or a few repetitions for the smoke test."""

    cold_repeats: int
    warm_iterations: int
    warm_warmup: int
    verify_calls: int


FULL = Plan(cold_repeats=15, warm_iterations=1000, warm_warmup=50, verify_calls=5000)
QUICK = Plan(cold_repeats=2, warm_iterations=20, warm_warmup=3, verify_calls=50)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="a few repetitions only: checks the harness runs, not the numbers")
    parser.add_argument("--markdown", type=Path, metavar="FILE",
                        help="also write the Markdown report to FILE")
    parser.add_argument("--repeats", type=int, help="cold starts per skill (default 15)")
    parser.add_argument("--iterations", type=int,
                        help="warm sessions per skill (default 1000)")
    parser.add_argument("--python", metavar="PATH",
                        help="the Python to measure with (default: python3.12 if found, as "
                             "the Lambda runtime, else this one)")
    return parser.parse_args(argv)


def plan_for(args: argparse.Namespace) -> Plan:
    plan = QUICK if args.quick else FULL
    return Plan(
        cold_repeats=args.repeats or plan.cold_repeats,
        warm_iterations=args.iterations or plan.warm_iterations,
        warm_warmup=plan.warm_warmup,
        verify_calls=plan.verify_calls,
    )


def cold_rows(result: dict[str, Any]) -> list[Row]:
    def wall(label: str) -> float:
        return median(result[label]["wall_s"]) * 1000

    def inside(label: str) -> float:
        return median(result[label]["inside_s"]) * 1000

    def peak(label: str) -> float:
        return median(result[label]["peak_kib"]) / 1024

    return [
        ratio_row("Cold start, SQLite: fresh process, import + 1 launch (median)",
                  wall("psoas"), wall("floor"), "floor", "ms", COLD_START_TARGET),
        ratio_row("Cold start, SQLite, against the bare skill", wall("psoas"), wall("bare"),
                  "bare", "ms", None),
        ratio_row("Cold start, SQLite, timed inside the process (no interpreter start)",
                  inside("psoas"), inside("floor"), "floor", "ms", None),
        ratio_row("Peak memory (VmHWM), SQLite (median)", peak("psoas"), peak("floor"),
                  "floor", "MiB", RSS_TARGET),
        ratio_row("Cold start, DynamoDB: fresh process, import + 1 launch (median)",
                  wall("psoas_dynamodb"), wall("floor_dynamodb"), "DynamoDB floor", "ms",
                  COLD_START_TARGET),
        ratio_row("Cold start, DynamoDB, timed inside the process",
                  inside("psoas_dynamodb"), inside("floor_dynamodb"), "DynamoDB floor", "ms",
                  None),
        ratio_row("Peak memory (VmHWM), DynamoDB (median)", peak("psoas_dynamodb"),
                  peak("floor_dynamodb"), "DynamoDB floor", "MiB", None),
    ]


def warm_rows(result: dict[str, list[float]]) -> list[Row]:
    rows: list[Row] = []
    for key, baseline, label, target in (
        ("launch", "floor_launch", "Warm day-later launch of a returning person", WARM_P99_TARGET),
        ("cue", "floor_cue", "Warm form cue 5-55 s into a hold", WARM_P99_TARGET),
        ("memory_launch", "floor_launch", "Warm day-later launch, in-memory store", None),
        ("memory_cue", "floor_cue", "Warm form cue, in-memory store", None),
    ):
        for share in (50, 99):
            rows.append(ratio_row(f"{label} p{share}", percentile(result[key], share),
                                  percentile(result[baseline], share), "floor", "ms",
                                  target if share == 99 else None, digits=3))
    rows.append(ratio_row("Warm launch of the floor itself p99",
                          percentile(result["floor_launch"], 99),
                          percentile(result["bare_launch"], 99), "bare", "ms", None, digits=3))
    return rows


def verify_rows(result: dict[str, list[float]]) -> list[Row]:
    """Absolute times: the web service runs on the harness's Python, not the Lambda's."""
    timings = result["verify"]
    rows = []
    for share, target in ((50, True), (99, False)):
        value = percentile(timings, share)
        rows.append(Row(
            f"Verify a signed request, certificate cached, p{share}",
            f"{value:.3f} ms",
            target=f"<= {VERIFY_TARGET_MS} ms" if target else "-",
            passed=value <= VERIFY_TARGET_MS if target else None,
        ))
    return rows


def reply_rows(result: dict[str, dict[str, int]]) -> list[Row]:
    rows = []
    for key, limit, label, unit in (
        ("ssml_chars", MAX_SSML_CHARS, "Largest reply: SSML of 8,000 chars", "chars"),
        ("json_bytes", MAX_RESPONSE_BYTES, "Largest reply: response JSON of 24 KB", "bytes"),
    ):
        scenario = max(result, key=lambda name: result[name][key])
        size = result[scenario][key]
        share = size / limit
        rows.append(Row(
            label,
            f"{share:.1%} ({size:,} {unit}, {scenario})",
            target=f"<= {REPLY_SHARE_TARGET:.0%}",
            passed=share <= REPLY_SHARE_TARGET,
        ))
    return rows


def scenario_table(result: dict[str, dict[str, int]]) -> str:
    lines = ["| Reply | SSML chars | of 8,000 | JSON bytes | of 24 KB |",
             "|---|---:|---:|---:|---:|"]
    for name, size in result.items():
        lines.append(f"| {name} | {size['ssml_chars']:,} | "
                     f"{size['ssml_chars'] / MAX_SSML_CHARS:.1%} | {size['json_bytes']:,} | "
                     f"{size['json_bytes'] / MAX_RESPONSE_BYTES:.1%} |")
    return "\n".join(lines)


def machine() -> str:
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, "
            f"{os.cpu_count()} CPUs, load average {load}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    plan = plan_for(args)
    started = time.monotonic()
    before = machine()
    interpreter = lambda_python(args.python)
    with tempfile.TemporaryDirectory(prefix="psoas-bench-") as folder:
        work = Path(folder)
        artifact = build_sources(work / "artifact")
        with dynamodb_tables(*cold.TABLES) as dynamodb:
            cold_result = cold.measure(plan.cold_repeats, work, artifact, interpreter, dynamodb)
        warm_result = run_child(
            interpreter, "benchmarks.warm", [str(plan.warm_iterations), str(plan.warm_warmup)],
            checkout_env(work, "warm.sqlite3", interpreter))
        # The web service is self-hosted, on this Python: its verifier needs compiled modules.
        harness = lambda_python(sys.executable)
        verify_result = run_child(harness, "benchmarks.verifier", [str(plan.verify_calls)],
                                  checkout_env(work, "verify.sqlite3", harness))
        reply_result = run_child(interpreter, "benchmarks.replies", [],
                                 checkout_env(work, "replies.sqlite3", interpreter))
    rows = [
        *cold_rows(cold_result),
        *warm_rows(warm_result),
        *verify_rows(verify_result),
        *reply_rows(reply_result),
    ]
    misses = [row.measure.strip() for row in rows if row.passed is False]
    notes = [
        f"Run on {date.today().isoformat()}; measured processes: Python {interpreter.version} "
        f"({interpreter.executable}), started with -S; harness: Python "
        f"{platform.python_version()}.",
        f"Machine before: {before}.",
        f"Machine after: {machine()}.",
        f"Cold starts: {plan.cold_repeats} per skill in rounds, the order alternating, after a "
        f"discarded warm-up round; on the built Lambda sources (make build-sources) with "
        f"bytecode; {cold_result['time_zone_lookups']} time-zone lookups in "
        f"{cold_result['launches']} launches of Psoas Release, served by a local stub.",
        f"Warm: {plan.warm_iterations} sessions (launch + form cue) after {plan.warm_warmup} "
        f"discarded, every skill answering the same envelopes; verification: "
        f"{plan.verify_calls} calls.",
        "Baselines: the floor (benchmarks/floor_skill.py) is a bare ask-sdk-core skill that "
        "reads and conditionally writes one record per request and speaks as much as our "
        "longest reply, on SQLite (one open connection, WAL) or on DynamoDB (a local moto "
        "server); the bare skill (benchmarks/bare_skill.py) says Hello.",
        f"Took {time.monotonic() - started:.0f} s. "
        + (f"Missed: {'; '.join(misses)}." if misses else "Every target met."),
    ]
    if args.quick:
        notes.insert(0, "QUICK MODE: too few repetitions for the numbers to mean anything.")
    markdown = "\n".join([
        "## Benchmarks: Psoas Release against the floor and a bare ask-sdk-core skill", "",
        markdown_table(rows), "", "Replies measured:", "", scenario_table(reply_result), "",
        *(f"- {note}" for note in notes), "",
    ])
    print(text_table(rows))
    print()
    for note in notes:
        print(note)
    print()
    print(markdown)
    if args.markdown is not None:
        args.markdown.write_text(markdown, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
