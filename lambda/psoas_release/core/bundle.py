"""A checked snapshot of the routine files, so a cold start needs neither YAML nor jsonschema.

`psoas-release bundle DIR` (run by the Lambda build) lints every routine in DIR and writes
their documents, with a fingerprint of each file and of the schema, to DIR/routines.bundle.json.
`load_bundle` builds the library from it only while every fingerprint still matches, so an
edited, added or removed file, or a changed schema, sends the loader back to the full check.

A fingerprint is the file's size and CRC-32: it guards against a file edited after the build,
not against an attacker who can write the artifact (who could rewrite the bundle as well), and
unlike SHA-256 it needs no hashlib, whose OpenSSL cost some 3 ms and 1 MiB of a cold start.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

from psoas_release.core.library import RoutineLibrary
from psoas_release.core.routine_files import (
    SCHEMA_RELATIVE_PATH,
    default_routines_dir,
    routine_files,
)
from psoas_release.core.routines import build_routine

BUNDLE_NAME = "routines.bundle.json"
BUNDLE_FORMAT = 2


def _fingerprints(directory: Path) -> dict[str, str]:
    """Size and CRC-32 of each routine file and of the schema the bundle was checked against."""
    files = {path.name: path for path in routine_files([directory])}
    files[str(SCHEMA_RELATIVE_PATH)] = default_routines_dir() / SCHEMA_RELATIVE_PATH
    return {name: _fingerprint(path.read_bytes()) for name, path in files.items()}


def _fingerprint(data: bytes) -> str:
    return f"{len(data)}:{zlib.crc32(data):08x}"


def write_bundle(directory: Path) -> Path:
    """Check every routine in `directory` and snapshot them; raises RoutineError on problems."""
    import yaml

    from psoas_release.core.library import check_library
    from psoas_release.core.loader import RoutineError

    _, problems = check_library([directory])
    if problems:
        raise RoutineError(problems)
    documents = {
        path.name: yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        for path in routine_files([directory])
    }
    bundle = {"format": BUNDLE_FORMAT, "fingerprints": _fingerprints(directory),
              "documents": documents}
    target = directory / BUNDLE_NAME
    target.write_text(json.dumps(bundle, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    return target


def load_bundle(directory: Path) -> RoutineLibrary | None:
    """The library from `directory`'s bundle, or None if there is none or it is out of date."""
    try:
        bundle: Any = json.loads((directory / BUNDLE_NAME).read_text(encoding="utf-8"))
        if bundle.get("format") != BUNDLE_FORMAT:
            return None
        if bundle["fingerprints"] != _fingerprints(directory):
            return None
        routines = [build_routine(document) for document in bundle["documents"].values()]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return RoutineLibrary.in_catalogue_order(routines)
