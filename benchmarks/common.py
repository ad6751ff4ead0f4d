"""What every benchmark shares: where things are, the request envelopes, and statistics."""

from __future__ import annotations

import json
import math
import os
import shutil
import statistics
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from psoas_release.core.ssml import TARGET_SPEECH_CHARS

if TYPE_CHECKING:
    from benchmarks.interpreter import Interpreter

REPO = Path(__file__).resolve().parent.parent
LAMBDA_DIR = REPO / "lambda"
BENCHMARKS_DIR = REPO / "benchmarks"
ENVELOPES_DIR = REPO / "tests" / "skill" / "envelopes"
MODEL_FILE = REPO / "interaction_model" / "interactionModels" / "custom" / "en-US.json"

STATE_DB_ENV = "PSOAS_STATE_DB"
UNSET_ENV = ("TABLE_NAME", "SKILL_ID", "PSOAS_ROUTINES_DIR", "AWS_ENDPOINT_URL_DYNAMODB")
"""Cleared for every measured process: the store is SQLite, the routines the product's."""
SPEECH_CHARS_ENV = "FLOOR_SPEECH_CHARS"
"""How many characters of SSML the floor skill speaks (read by floor_skill.py)."""


def envelope(name: str) -> dict[str, Any]:
    """A fresh copy of one of the real request envelopes in tests/skill/envelopes."""
    document: dict[str, Any] = json.loads((ENVELOPES_DIR / f"{name}.json").read_text())
    return document


def ensure_import_paths() -> None:
    """Let this process import `lambda_function`, `benchmarks` and `tests` from the checkout."""
    for path in (str(LAMBDA_DIR), str(REPO)):
        if path not in sys.path:
            sys.path.insert(0, path)


def process_env(work: Path, state_db_name: str, python_path: Sequence[str]) -> dict[str, str]:
    """The environment of a measured process: SQLite in `work`, imports from `python_path`.

    Bytecode is cached in `work/pycache` for every module alike (PYTHONPYCACHEPREFIX), even
    when PYTHONDONTWRITEBYTECODE is set here: otherwise the skill's own modules would be
    compiled from source on every start while the installed SDK loads its bytecode, which
    would measure the compiler, not the skill. The floor skill speaks as much as the longest
    reply Psoas Release plans.
    """
    env = {key: value for key, value in os.environ.items() if key not in UNSET_ENV}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join(python_path)
    env[STATE_DB_ENV] = str(work / state_db_name)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    env[SPEECH_CHARS_ENV] = str(TARGET_SPEECH_CHARS)
    return env


def checkout_env(work: Path, state_db_name: str, interpreter: Interpreter) -> dict[str, str]:
    """A process that imports the skill, benchmarks and tests from the checkout, with the
    routines from their checked bundle as the Lambda artifact carries them."""
    env = process_env(work, state_db_name,
                      [str(LAMBDA_DIR), str(REPO), interpreter.site_packages])
    env["PSOAS_ROUTINES_DIR"] = str(bundled_routines(work))
    return env


def bundled_routines(work: Path) -> Path:
    """The routines as the Lambda artifact carries them: with their checked bundle."""
    from psoas_release.core.bundle import write_bundle

    target = work / "routines"
    if not target.exists():
        shutil.copytree(REPO / "routines", target)
        write_bundle(target)
    return target


def run_child(interpreter: Interpreter, module: str, args: Sequence[str],
              env: Mapping[str, str]) -> dict[str, Any]:
    """Run `python -m module args` in a fresh process and return the JSON it prints."""
    completed = subprocess.run(
        interpreter.command("-m", module, *args),
        cwd=REPO,
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{module} failed ({completed.returncode}):\n{completed.stderr}")
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value at or above `share` (0-100) of them."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(share / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def print_json(result: Mapping[str, Any]) -> None:
    """How a measuring child hands its result back: one JSON document on stdout."""
    sys.stdout.write(json.dumps(result) + "\n")
