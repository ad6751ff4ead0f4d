"""`psoas-release`: the command line for routine authors and operators.

Each subcommand is a thin shell over a library function, so everything it does is testable
without a terminal.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from psoas_release.core.library import check_library
from psoas_release.core.loader import default_routines_dir


def _lint(args: argparse.Namespace) -> int:
    paths = args.paths or [default_routines_dir()]
    library, problems = check_library(paths)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    print(f"{len(library.routines)} routine(s) OK", file=sys.stderr)
    return 0


def _routines(args: argparse.Namespace) -> int:
    library, problems = check_library([args.dir or default_routines_dir()])
    for problem in problems:
        print(problem, file=sys.stderr)
    rows = [("MODULE", "PROGRAM", "WORKOUT", "MIN", "ID")] + [
        (
            f"{r.catalogue.module_number} {r.catalogue.module_title}",
            r.catalogue.program,
            r.catalogue.workout,
            str(r.minutes),
            r.id,
        )
        for r in library.routines
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())
    return 1 if problems else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="psoas-release", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    lint = commands.add_parser("lint", help="check routine files; print every problem")
    lint.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or directories")
    lint.set_defaults(run=_lint)

    routines = commands.add_parser("routines", help="list the routine catalogue")
    routines.add_argument("--dir", type=Path, help="routines directory (default: routines/)")
    routines.set_defaults(run=_routines)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `psoas-release` console script."""
    args = build_parser().parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
