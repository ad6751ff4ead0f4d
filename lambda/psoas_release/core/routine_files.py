"""Where the routine files are, and which files of a folder are routines.

Both the full loader (`core.loader`, with YAML and the JSON Schema) and the checked bundle a
cold start reads (`core.bundle`) need these; kept apart from the loader, so that a Lambda
answering its first request never imports it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

ROUTINES_DIR_ENV = "PSOAS_ROUTINES_DIR"
SCHEMA_RELATIVE_PATH = Path("schema") / "routine.schema.json"
ROUTINE_SUFFIXES = (".yaml", ".yml")


def default_routines_dir() -> Path:
    """Where the routines live: `$PSOAS_ROUTINES_DIR`, the Lambda artifact, or the checkout."""
    configured = os.environ.get(ROUTINES_DIR_ENV)
    if configured:
        return Path(configured)
    package_dir = Path(__file__).resolve().parent.parent
    for candidate in (package_dir.parent / "routines", package_dir.parent.parent / "routines"):
        if candidate.is_dir():
            return candidate
    return package_dir.parent.parent / "routines"


def routine_files(paths: Iterable[Path]) -> list[Path]:
    """The routine files named by `paths`: files as given, directories searched one level."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix in ROUTINE_SUFFIXES)
        else:
            files.append(path)
    return files
