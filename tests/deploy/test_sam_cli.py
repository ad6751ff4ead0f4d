"""The sam CLI on the template, where it is installed (it is not a Python dependency here)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.deploy_support import REPO, TEMPLATE, slow_selected

SAM = shutil.which("sam")
pytestmark = pytest.mark.skipif(
    SAM is None, reason="the sam CLI is not installed (see docs/deploy.md to install it)"
)


def run_sam(*arguments: str, timeout: float) -> subprocess.CompletedProcess[str]:
    assert SAM is not None
    env = dict(os.environ, SAM_CLI_TELEMETRY="0", AWS_DEFAULT_REGION="us-east-1")
    return subprocess.run(
        [SAM, *arguments],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def test_sam_validate_lint() -> None:
    result = run_sam("validate", "--lint", "--template-file", str(TEMPLATE), timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_sam_build(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    if not slow_selected(request.config):
        pytest.skip("installs wheels from the package registry: run with -m slow")
    build_dir = tmp_path / "build"
    result = run_sam(
        "build",
        "--build-in-source",
        "--template-file",
        str(TEMPLATE),
        "--build-dir",
        str(build_dir),
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    artifact = build_dir / "SkillFunction"
    assert (artifact / "lambda_function.py").is_file()
    assert (artifact / "psoas_release" / "__init__.py").is_file()
    assert (artifact / "routines" / "schema" / "routine.schema.json").is_file()
    assert (artifact / "ask_sdk_core").is_dir()
