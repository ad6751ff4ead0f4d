"""The AWS SAM CLI itself on the template, offline: `sam validate --lint` and `sam build`, which
runs the Makefile's build-SkillFunction without Docker (--build-in-source)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.deploy.deploy_support import REPO, TEMPLATE


def run_sam(sam: str, *arguments: str, env: dict[str, str],
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sam, *arguments], cwd=REPO, env=env, capture_output=True,
                          text=True, check=False, timeout=timeout)


def test_sam_validate_lint_passes_offline(sam: str, offline_aws: dict[str, str]) -> None:
    result = run_sam(sam, "validate", "--lint", "--template-file", str(TEMPLATE), env=offline_aws)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout


def test_sam_validate_lint_does_see_a_broken_template(
    sam: str, offline_aws: dict[str, str], tmp_path: Path
) -> None:
    broken = tmp_path / "template.yaml"
    broken.write_text(TEMPLATE.read_text(encoding="utf-8").replace("Timeout: 7", "Timeout: 9000"))
    result = run_sam(sam, "validate", "--lint", "--template-file", str(broken), env=offline_aws)
    assert result.returncode != 0
    assert "9000 is greater than the maximum" in result.stdout


def test_sam_build_makes_the_lambda_artifact_through_the_makefile(
    sam: str, offline_aws: dict[str, str], tmp_path: Path
) -> None:
    build_dir = tmp_path / "build"
    result = run_sam(sam, "build", "--build-in-source", "--template-file", str(TEMPLATE),
                     "--build-dir", str(build_dir), env=offline_aws, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Build Succeeded" in result.stdout
    artifact = build_dir / "SkillFunction"
    assert (artifact / "lambda_function.py").is_file()
    assert (artifact / "psoas_release" / "__init__.py").is_file()
    assert (artifact / "routines" / "schema" / "routine.schema.json").is_file()
    assert (artifact / "routines" / "routines.bundle.json").is_file()
    assert (artifact / "ask_sdk_core").is_dir()
    assert not (artifact / "flask").exists() and not (artifact / "boto3").exists()
    compiled = [path.name for path in (artifact / "yaml").glob("_yaml*.so")]
    assert compiled and all("aarch64" in name for name in compiled), "wheels for arm64 Lambda"
    built = (build_dir / "template.yaml").read_text(encoding="utf-8")
    assert "CodeUri: SkillFunction" in built
