"""The benchmark harness runs end to end (`python -m benchmarks --quick`) and produces every
row, the floor skills and the DynamoDB rows included. It only reports: nothing here looks at
the numbers, which mean nothing with so few repetitions."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.run import main

MEASURES = (
    "Cold start, SQLite: fresh process",
    "Peak memory (VmHWM), SQLite",
    "Cold start, DynamoDB: fresh process",
    "Warm day-later launch of a returning person p99",
    "Warm form cue 5-55 s into a hold p99",
    "Verify a signed request",
    "Largest reply: SSML",
    "Largest reply: response JSON",
)


def test_the_quick_benchmark_prints_every_row_and_writes_markdown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "benchmarks.md"
    assert main(["--quick", "--markdown", str(report)]) == 0
    printed = capsys.readouterr().out
    markdown = report.read_text(encoding="utf-8")
    assert markdown in printed
    assert "measured processes: Python 3." in markdown
    for measure in MEASURES:
        row = next(line for line in markdown.splitlines() if measure in line)
        assert row.rstrip(" |").endswith(("PASS", "MISS")), row
