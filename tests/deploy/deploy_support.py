"""Shared by the deployment tests: the repository, its SAM template and running `make`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from samtranslator.yaml_helper import yaml_parse

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "template.yaml"
MAKEFILE = REPO / "Makefile"


def load_template() -> dict[str, Any]:
    """template.yaml as SAM reads it (short-form tags such as !Ref become their long forms)."""
    template: dict[str, Any] = yaml_parse(TEMPLATE.read_text(encoding="utf-8"))
    return template


def slow_selected(config: pytest.Config) -> bool:
    """Whether this run asked for the slow tests by name (`-m slow`)."""
    expression = str(config.getoption("markexpr") or "")
    return "slow" in expression and "not slow" not in expression


def run_make(
    *targets: str,
    variables: Mapping[str, str | os.PathLike[str]] | None = None,
    check: bool = True,
    cwd: Path | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """`make TARGET… VAR=value…` with the repository's Makefile and this venv's Python."""
    make = shutil.which("make")
    if make is None:  # pragma: no cover - make is part of the machine image
        pytest.fail("make is not installed")
    assignments = [f"{name}={value}" for name, value in (variables or {}).items()]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MAKE") and key != "ARTIFACTS_DIR"
    }
    command = [make, "--no-print-directory", "-f", str(MAKEFILE), *targets]
    command += [f"PYTHON={sys.executable}", *assignments]
    result = subprocess.run(
        command,
        cwd=cwd or REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        pytest.fail(
            f"make {' '.join(targets)} exited {result.returncode}\n"
            f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
        )
    return result
