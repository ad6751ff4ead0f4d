"""What the measured processes run: which Python, and the Lambda sources as the build lays them.

The Lambda runtime is Python 3.12, so the measured processes run it when it is on this machine
(`python3.12` on the PATH or among pyenv's versions, resolved past any shim), else this
Python; the report says which. They import the skill from `make build-sources` (the code,
the routines and their checked bundle, no web service or simulator), and the SDK and boto3
from this environment's site-packages, which are pure Python. They start with `-S`: no site-packages
setup, so no `.pth` file of this machine (one here imports certifi on every start) is counted,
and every path comes from PYTHONPATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import REPO

LAMBDA_PYTHON = "python3.12"


@dataclass(frozen=True)
class Interpreter:
    """A Python to measure with, and the folder its dependencies are imported from."""

    executable: str
    version: str
    site_packages: str

    def command(self, *args: str) -> list[str]:
        return [self.executable, "-S", *args]


def lambda_python(requested: str | None = None) -> Interpreter:
    """The Python to measure with: `requested`, else python3.12 if one runs, else this one."""
    if requested:
        found = _probe(requested)
        if found is None:
            raise RuntimeError(f"{requested} does not run")
        return found
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = [shutil.which(LAMBDA_PYTHON),
                  *sorted(map(str, pyenv_root.glob(f"versions/3.12*/bin/{LAMBDA_PYTHON}")))]
    for candidate in filter(None, candidates):
        found = _probe(candidate)
        if found is not None:
            return found
    found = _probe(sys.executable)
    assert found is not None, "this Python runs"
    return found


def _probe(candidate: str) -> Interpreter | None:
    """The interpreter `candidate` starts, by its own path, or None if it does not run.

    A shim (pyenv's, say) is a script that picks and starts the real interpreter; measuring
    through it would count the shim, so the real one names itself."""
    probe = subprocess.run(
        [candidate, "-c", "import platform, sys; print(sys.executable); "
                          "print(platform.python_version())"],
        capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        return None
    executable, version = probe.stdout.split()
    return Interpreter(executable, version, sysconfig.get_paths()["purelib"])


def build_sources(target: Path) -> Path:
    """`make build-sources` into `target`: what the Lambda artifact holds of ours."""
    completed = subprocess.run(
        ["make", "--no-print-directory", "-C", str(REPO), "build-sources",
         f"ARTIFACTS_DIR={target}", f"PYTHON={sys.executable}"],
        capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"make build-sources failed:\n{completed.stderr}")
    return target
