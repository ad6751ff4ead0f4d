"""The result table: one row per measure, as aligned text for a terminal and as Markdown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

HEADERS = ("Measure", "Psoas Release", "Baseline", "Ratio", "Target", "Result")


@dataclass(frozen=True)
class Row:
    """One measure. `passed` is None for a row shown to explain others, with no target."""

    measure: str
    measured: str
    baseline: str = "-"
    ratio: float | None = None
    target: str = "-"
    passed: bool | None = None

    @property
    def result(self) -> str:
        if self.passed is None:
            return "info"
        return "PASS" if self.passed else "MISS"

    def cells(self) -> tuple[str, ...]:
        ratio = "-" if self.ratio is None else f"{self.ratio:.2f}x"
        return (self.measure, self.measured, self.baseline, ratio, self.target, self.result)


def ratio_row(measure: str, measured: float, baseline: float, baseline_name: str, unit: str,
              target_ratio: float | None, digits: int = 1) -> Row:
    """A row comparing `measured` with `baseline` (the skill named `baseline_name`); PASS when
    the ratio is within the target."""
    ratio = measured / baseline
    return Row(
        measure,
        f"{measured:.{digits}f} {unit}",
        f"{baseline:.{digits}f} {unit} ({baseline_name})",
        ratio,
        "-" if target_ratio is None else f"<= {target_ratio:.2f}x",
        None if target_ratio is None else ratio <= target_ratio,
    )


def text_table(rows: Sequence[Row]) -> str:
    """The rows as a plain table with aligned columns."""
    table = [HEADERS, *(row.cells() for row in rows)]
    widths = [max(len(line[column]) for line in table) for column in range(len(HEADERS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
             for line in table]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def markdown_table(rows: Sequence[Row]) -> str:
    """The rows as a GitHub-flavoured Markdown table."""
    lines = [
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join(["---", "---:", "---:", "---:", "---", "---"]) + "|",
    ]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row.cells()) + " |"
              for row in rows]
    return "\n".join(lines)
