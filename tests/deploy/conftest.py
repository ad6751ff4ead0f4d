"""The AWS SAM CLI for the deployment tests, and an environment that keeps them offline."""

from __future__ import annotations

import os
import shutil
import sys

import pytest

from tests.deploy.deploy_support import REPO, run_make

SAM_VENV = REPO / ".venv-sam"


@pytest.fixture(scope="session")
def sam() -> str:
    """The sam CLI: the project's own (.venv-sam), else one on the PATH, else installed now by
    `make sam-cli` (as .ci/run does first), so the tests that need it never skip."""
    own = SAM_VENV / "bin" / "sam"
    if own.exists():
        return str(own)
    if on_path := shutil.which("sam"):
        return on_path
    run_make("sam-cli", timeout=900)
    return str(own)


@pytest.fixture
def offline_aws(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment for sam and make: a region, this venv's Python for the Makefile, and no
    AWS configuration or credentials at all, so nothing can use a developer's account."""
    nowhere = tmp_path_factory.mktemp("aws") / "none"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("AWS_", "MAKE")) and key != "ARTIFACTS_DIR"}
    env.update(AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE=str(nowhere),
               AWS_SHARED_CREDENTIALS_FILE=str(nowhere), SAM_CLI_TELEMETRY="0",
               PYTHON=sys.executable)
    return env
