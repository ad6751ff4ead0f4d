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
from pathlib import Path
from typing import Any

from benchmarks import cold
from benchmarks.common import measured_env, median, percentile, run_child
from benchmarks.report import Row, markdown_table, ratio_row, text_table
from psoas_release.core.ssml import MAX_SPEECH_CHARS, TARGET_SPEECH_CHARS

COLD_START_TARGET = 1.10
WARM_P99_TARGET = 1.5
VERIFY_TARGET_MS = 0.3
RSS_TARGET = 1.15
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
    psoas, bare = result["psoas"], result["bare"]
    return [
        ratio_row("Cold start: fresh process, import + 1 launch (median)",
                  median(psoas["wall_s"]) * 1000, median(bare["wall_s"]) * 1000, "ms",
                  COLD_START_TARGET),
        ratio_row("Cold start timed inside the process (no interpreter start)",
                  median(psoas["inside_s"]) * 1000, median(bare["inside_s"]) * 1000, "ms",
                  None),
        ratio_row("Peak RSS of that process (median)",
                  median(psoas["maxrss_kib"]) / 1024, median(bare["maxrss_kib"]) / 1024, "MiB",
                  RSS_TARGET),
    ]


def warm_rows(result: dict[str, list[float]]) -> list[Row]:
    bare = result["bare_launch"]
    rows: list[Row] = []
    for key, label, target in (
        ("psoas_launch", "Warm LaunchRequest", WARM_P99_TARGET),
        ("psoas_cue", "Warm FormCueIntent mid-session", WARM_P99_TARGET),
        ("memory_launch", "Warm LaunchRequest, in-memory store", None),
        ("memory_cue", "Warm FormCueIntent, in-memory store", None),
    ):
        for share in (50, 99):
            rows.append(ratio_row(f"{label} p{share}", percentile(result[key], share),
                                  percentile(bare, share), "ms",
                                  target if share == 99 else None, digits=3))
    return rows


def verify_rows(result: dict[str, list[float]], bare_launch: list[float]) -> list[Row]:
    timings = result["verify"]
    rows = []
    for share, target in ((50, True), (99, False)):
        value, baseline = percentile(timings, share), percentile(bare_launch, share)
        rows.append(Row(
            f"Verify a signed request, certificate cached, p{share}",
            f"{value:.3f} ms",
            f"{baseline:.3f} ms (warm launch)",
            value / baseline,
            f"<= {VERIFY_TARGET_MS} ms" if target else "-",
            value <= VERIFY_TARGET_MS if target else None,
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
    with tempfile.TemporaryDirectory(prefix="psoas-bench-") as folder:
        work = Path(folder)
        cold_result = cold.measure(plan.cold_repeats, work)
        warm_result = run_child(
            "benchmarks.warm", [str(plan.warm_iterations), str(plan.warm_warmup)],
            measured_env(work, "warm.sqlite3"))
        verify_result = run_child("benchmarks.verifier", [str(plan.verify_calls)],
                                  measured_env(work, "verify.sqlite3"))
        reply_result = run_child("benchmarks.replies", [], measured_env(work, "replies.sqlite3"))
    rows = [
        *cold_rows(cold_result),
        *warm_rows(warm_result),
        *verify_rows(verify_result, warm_result["bare_launch"]),
        *reply_rows(reply_result),
    ]
    misses = [row.measure.strip() for row in rows if row.passed is False]
    notes = [
        f"Machine before: {before}.",
        f"Machine after: {machine()}.",
        f"Cold starts: {plan.cold_repeats} per skill, alternating, after a discarded warm-up; "
        f"{cold_result['time_zone_lookups']} time-zone lookups served by the local stub.",
        f"Warm: {plan.warm_iterations} sessions (launch + form cue) per skill after "
        f"{plan.warm_warmup} discarded; verification: {plan.verify_calls} calls.",
        "Store: SQLite in a temporary folder (TABLE_NAME unset). Ratios are Psoas Release over "
        "the bare ask-sdk-core skill (benchmarks/bare_skill.py) measured in the same run.",
        f"Took {time.monotonic() - started:.0f} s. "
        + (f"Missed: {'; '.join(misses)}." if misses else "Every target met."),
    ]
    if args.quick:
        notes.insert(0, "QUICK MODE: too few repetitions for the numbers to mean anything.")
    markdown = "\n".join([
        "## Benchmarks: Psoas Release vs a bare ask-sdk-core skill", "",
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
