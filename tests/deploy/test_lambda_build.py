"""The Lambda artifact the Makefile builds for `sam build` (target build-SkillFunction).

The default run builds the sources only (`make build-sources`: offline, well under a second) and
imports the package from the artifact. The full artifact with its dependencies installs wheels
from the package registry, so it runs only when asked for with `-m slow`.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.deploy.deploy_support import REPO, load_template, run_make, slow_selected

RUNTIME_IMPORTS = ("ask_sdk_core", "yaml", "jsonschema", "platformdirs")
NOT_IN_ARTIFACT = (
    "flask",
    "cryptography",
    "waitress",
    "werkzeug",
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
)


def relative_files(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


@pytest.fixture(scope="module")
def sources_artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    artifact = tmp_path_factory.mktemp("sources") / "artifact"
    run_make("build-sources", variables={"ARTIFACTS_DIR": artifact})
    return artifact


# --------------------------------------------------------------------------- what is built for


def test_build_targets_the_runtime_and_architecture_of_the_template() -> None:
    function = load_template()["Resources"]["SkillFunction"]["Properties"]
    architecture = {"arm64": "aarch64", "x86_64": "x86_64"}[function["Architectures"][0]]
    target = run_make("-s", "lambda-target").stdout.strip()
    assert target == f"{function['Runtime']} {architecture}"


def test_runtime_requirements_are_pyprojects_without_the_web_service() -> None:
    with (REPO / "pyproject.toml").open("rb") as handle:
        declared = tomllib.load(handle)["project"]["dependencies"]
    listed = run_make("-s", "runtime-requirements").stdout.split()
    names = {re.split(r"[<>=!~;\[ ]", requirement)[0].lower() for requirement in listed}
    assert {"ask-sdk-core", "pyyaml", "jsonschema", "platformdirs"} <= names
    assert not names & {"flask", "cryptography", "waitress", "rich"}
    assert listed == [
        requirement
        for requirement in declared
        if not requirement.lower().startswith(("flask", "cryptography", "waitress", "rich"))
    ]


# --------------------------------------------------------------------------- sources (offline)


def test_sources_artifact_has_the_handler_the_package_and_the_routines(
    sources_artifact: Path,
) -> None:
    files = relative_files(sources_artifact)
    assert "lambda_function.py" in files
    assert "psoas_release/__init__.py" in files
    assert "psoas_release/core/loader.py" in files
    assert "routines/schema/routine.schema.json" in files
    assert "routines/routines.bundle.json" in files, "cold starts skip YAML and jsonschema"
    routines = {path.name for path in (REPO / "routines").glob("*.yaml")}
    assert routines
    assert {f"routines/{name}" for name in routines} <= files
    assert (sources_artifact / "lambda_function.py").read_bytes() == (
        REPO / "lambda" / "lambda_function.py"
    ).read_bytes()


def test_sources_artifact_leaves_out_bytecode_the_web_service_and_the_simulator(
    sources_artifact: Path,
) -> None:
    files = relative_files(sources_artifact)
    assert not [name for name in files if "__pycache__" in name or name.endswith((".pyc", ".pyo"))]
    assert not [name for name in files
                if name.startswith(("psoas_release/web/", "psoas_release/simulator/"))]
    package = REPO / "lambda" / "psoas_release"
    expected = {
        path.relative_to(REPO / "lambda").as_posix()
        for path in (REPO / "lambda" / "psoas_release").rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and not {"web", "simulator"} & set(path.relative_to(package).parts)
        and path.suffix not in {".pyc", ".pyo"}
    }
    assert {name for name in files if name.startswith("psoas_release/")} == expected


def test_package_imported_from_the_artifact_finds_the_artifacts_routines(
    sources_artifact: Path, tmp_path: Path
) -> None:
    """As on Lambda: the package and routines/ side by side, no PSOAS_ROUTINES_DIR."""
    script = (
        "import json, psoas_release\n"
        "from psoas_release.core.routine_files import default_routines_dir\n"
        "from psoas_release.core.library import load_library\n"
        "directory = default_routines_dir()\n"
        "load_library(directory)\n"
        "print(json.dumps([psoas_release.__file__, str(directory)]))\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "PSOAS_ROUTINES_DIR"}
    # The artifact first, then this venv's site-packages for the dependencies.
    env["PYTHONPATH"] = os.pathsep.join([str(sources_artifact), sysconfig.get_paths()["purelib"]])
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    package_file, routines_dir = (Path(item) for item in json.loads(result.stdout))
    assert package_file == sources_artifact.resolve() / "psoas_release" / "__init__.py"
    assert routines_dir.resolve() == sources_artifact.resolve() / "routines"


def test_build_refuses_to_write_into_the_sources() -> None:
    for folder in (REPO, REPO / "lambda", REPO / "routines"):
        # check-artifacts-dir is the guard every build target runs first; it deletes nothing.
        result = run_make("check-artifacts-dir", variables={"ARTIFACTS_DIR": folder}, check=False)
        assert result.returncode != 0
        assert "must not be the source folder" in result.stderr
    result = run_make("build-sources", check=False)
    assert result.returncode != 0
    assert "ARTIFACTS_DIR is not set" in result.stderr


def test_build_refuses_a_folder_that_holds_other_files_but_rebuilds_its_own(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    (home / "bin").mkdir(parents=True)
    result = run_make("build-sources", variables={"ARTIFACTS_DIR": home}, check=False)
    assert result.returncode != 0
    assert "holds other files" in result.stderr
    assert (home / "bin").is_dir(), "nothing was deleted"
    artifact = tmp_path / "artifact"
    for _ in range(2):
        run_make("build-sources", variables={"ARTIFACTS_DIR": artifact})
    assert (artifact / "lambda_function.py").is_file()


def test_build_works_from_any_directory(tmp_path: Path) -> None:
    """SAM runs make in a scratch copy of the sources, or in the checkout itself."""
    artifact = tmp_path / "artifact"
    run_make("build-sources", variables={"ARTIFACTS_DIR": artifact}, cwd=tmp_path)
    assert (artifact / "routines" / "schema" / "routine.schema.json").is_file()


# --------------------------------------------------------------------------- full artifact (slow)


def wheel_tags(artifact: Path) -> set[str]:
    tags: set[str] = set()
    for wheel in artifact.glob("*.dist-info/WHEEL"):
        for line in wheel.read_text(encoding="utf-8").splitlines():
            if line.startswith("Tag:"):
                tags.add(line.split(":", 1)[1].strip())
    return tags


def assert_shared_packages_suit_the_runtimes_boto3(artifact: Path) -> None:
    """The Lambda's boto3 imports python-dateutil, urllib3 … from the artifact (/var/task is
    first on sys.path): their versions must satisfy botocore's requirements."""
    installed = {
        canonicalize_name(dist.metadata["Name"]): Version(dist.version)
        for dist in importlib.metadata.distributions(path=[str(artifact)])
    }
    assert "python-dateutil" in installed
    environment = {"python_version": "3.12", "python_full_version": "3.12.0"}
    for line in importlib.metadata.requires("botocore") or []:
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate(environment):
            continue
        name = canonicalize_name(requirement.name)
        if name in installed:
            assert requirement.specifier.contains(installed[name], prereleases=True), (
                f"{name} {installed[name]} in the artifact breaks botocore's {requirement}"
            )


def python_for(version: str) -> str | None:
    """A runnable CPython `version` on this machine (PATH, then pyenv), if there is one."""
    candidates = [shutil.which(f"python{version}")]
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += [
        str(path) for path in sorted(pyenv_root.glob(f"versions/{version}*/bin/python3"))
    ]
    for candidate in candidates:
        if candidate is None:
            continue
        probe = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    return None


@pytest.mark.slow
def test_full_artifact_holds_lambda_wheels_of_the_runtime_dependencies(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    if not slow_selected(request.config):
        pytest.skip("installs wheels from the package registry: run with -m slow")
    function = load_template()["Resources"]["SkillFunction"]["Properties"]
    python_version = function["Runtime"].removeprefix("python")
    cp = "cp" + python_version.replace(".", "")
    arch = {"arm64": "aarch64", "x86_64": "x86_64"}[function["Architectures"][0]]

    artifact = tmp_path / "artifact"
    run_make("build-SkillFunction", variables={"ARTIFACTS_DIR": artifact})

    assert (artifact / "lambda_function.py").is_file()
    assert (artifact / "routines" / "schema" / "routine.schema.json").is_file()
    for module in RUNTIME_IMPORTS:
        assert (artifact / module).is_dir(), module
    for module in NOT_IN_ARTIFACT:
        assert not (artifact / module).exists(), module
    assert not (artifact / "bin").exists()
    assert not list(artifact.rglob("__pycache__")), "bytecode of the build machine's Python"
    assert_shared_packages_suit_the_runtimes_boto3(artifact)
    tags = wheel_tags(artifact)
    assert tags
    platform_tag = re.compile(rf"{cp}-({cp}|abi3)-manylinux[0-9_]*_{arch}")
    assert all(tag.endswith("-none-any") or platform_tag.fullmatch(tag) for tag in tags), tags
    size = sum(path.stat().st_size for path in artifact.rglob("*") if path.is_file())
    assert size < 60 * 2**20, f"artifact is {size / 2**20:.1f} MiB unzipped"


@pytest.mark.slow
def test_full_artifact_imports_the_handler_on_the_lambda_python(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Built for this machine's architecture and kept with boto3 (which the Lambda runtime
    provides), the artifact alone imports the handler: no dependency is missing from it."""
    if not slow_selected(request.config):
        pytest.skip("installs wheels from the package registry: run with -m slow")
    function = load_template()["Resources"]["SkillFunction"]["Properties"]
    python_version = function["Runtime"].removeprefix("python")
    interpreter = python_for(python_version)
    if interpreter is None:
        pytest.skip(f"no Python {python_version} on this machine")
    machine = os.uname().machine
    if machine not in {"x86_64", "aarch64"}:
        pytest.skip(f"Lambda has no {machine} architecture")

    artifact = tmp_path / "artifact"
    run_make(
        "build-SkillFunction",
        variables={
            "ARTIFACTS_DIR": artifact,
            "LAMBDA_ARCH": machine,
            "LAMBDA_PROVIDED_PACKAGES": "",
        },
    )
    script = (
        "import yaml\n"
        "from psoas_release.core.routine_files import default_routines_dir\n"
        "import lambda_function\n"
        "assert callable(lambda_function.lambda_handler)\n"
        "assert yaml.CSafeLoader\n"
        "print(default_routines_dir())\n"
    )
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PYTHONPATH": str(artifact),
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_DATA_HOME": str(home / "data"),
    }
    # -S: no site-packages, so every import must come from the artifact or the standard library.
    result = subprocess.run(
        [interpreter, "-S", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).resolve() == artifact.resolve() / "routines"
