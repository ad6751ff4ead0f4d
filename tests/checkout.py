"""A fresh checkout of this repository in a folder of its own, for tests that run what a new
user runs (the README's commands, `make deploy`) without touching the working tree."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.conftest import REPO


def fresh_checkout(destination: Path) -> Path:
    """The files a clone of the working tree would have (tracked ones and new ones not ignored,
    as they are now), copied to `destination`: no venv, no build output, no local state."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, capture_output=True, check=True, timeout=60,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():  # a tracked file deleted in the working tree is not copied
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination
