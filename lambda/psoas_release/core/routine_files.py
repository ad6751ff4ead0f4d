"""Where the routine files are, and which files of a folder are routines.

Both the full loader (`core.loader`, with YAML and the JSON Schema) and the checked bundle a
cold start reads (`core.bundle`) need these; kept apart from the loader, so that a Lambda
answering its first request never imports it. Folders are plain path strings here, not
`pathlib` paths: importing pathlib costs some 1.5 ms of a cold start, and only the authoring
tools need it (`routine_files` takes and gives whatever paths they use).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

ROUTINES_DIR_ENV = "PSOAS_ROUTINES_DIR"
SCHEMA_RELATIVE_PATH = os.path.join("schema", "routine.schema.json")
ROUTINE_SUFFIXES = (".yaml", ".yml")


def default_routines_dir() -> str:
    """Where the routines live: `$PSOAS_ROUTINES_DIR`, the Lambda artifact, or the checkout."""
    configured = os.environ.get(ROUTINES_DIR_ENV)
    if configured:
        return configured
    package_parent = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
    beside = os.path.join(package_parent, "routines")  # the artifact: side by side
    if os.path.isdir(beside):
        return beside
    return os.path.join(os.path.dirname(package_parent), "routines")  # the checkout


def routine_names(folder: str | os.PathLike[str]) -> list[str]:
    """The names of the routine files in `folder`, sorted."""
    return sorted(name for name in os.listdir(folder)
                  if os.path.splitext(name)[1] in ROUTINE_SUFFIXES)


def routine_files(paths: Iterable[Path]) -> list[Path]:
    """The routine files named by `paths`: files as given, folders searched one level."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += [path / name for name in routine_names(path)]
        else:
            files.append(path)
    return files
