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
import os
import zlib
from typing import Any

from psoas_release.core.library import RoutineLibrary
from psoas_release.core.routine_files import (
    SCHEMA_RELATIVE_PATH,
    default_routines_dir,
    routine_names,
)
from psoas_release.core.routines import build_routine

BUNDLE_NAME = "routines.bundle.json"
BUNDLE_FORMAT = 2


Folder = str | os.PathLike[str]


def _fingerprints(directory: Folder) -> dict[str, str]:
    """Size and CRC-32 of each routine file and of the schema the bundle was checked against."""
    files = {name: os.path.join(directory, name) for name in routine_names(directory)}
    files[SCHEMA_RELATIVE_PATH] = os.path.join(default_routines_dir(), SCHEMA_RELATIVE_PATH)
    return {name: _fingerprint(_read_bytes(path)) for name, path in files.items()}


def _read_bytes(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _fingerprint(data: bytes) -> str:
    return f"{len(data)}:{zlib.crc32(data):08x}"


def write_bundle(directory: Folder) -> str:
    """Check every routine in `directory` and snapshot them; raises RoutineError on problems.
    Gives the bundle's path."""
    from pathlib import Path

    import yaml

    from psoas_release.core.library import check_library
    from psoas_release.core.loader import RoutineError

    _, problems = check_library([Path(directory)])
    if problems:
        raise RoutineError(problems)
    documents = {
        name: yaml.load(_read_bytes(os.path.join(directory, name)), Loader=yaml.SafeLoader)
        for name in routine_names(directory)
    }
    bundle = {"format": BUNDLE_FORMAT, "fingerprints": _fingerprints(directory),
              "documents": documents}
    target = os.path.join(directory, BUNDLE_NAME)
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(bundle, ensure_ascii=False, sort_keys=True))
    return target


def load_bundle(directory: Folder) -> RoutineLibrary | None:
    """The library from `directory`'s bundle, or None if there is none or it is out of date."""
    try:
        with open(os.path.join(directory, BUNDLE_NAME), encoding="utf-8") as handle:
            bundle: Any = json.load(handle)
        if bundle.get("format") != BUNDLE_FORMAT:
            return None
        if bundle["fingerprints"] != _fingerprints(directory):
            return None
        routines = [build_routine(document) for document in bundle["documents"].values()]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return RoutineLibrary.in_catalogue_order(routines)
