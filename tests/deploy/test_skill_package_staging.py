"""The skill package `ask deploy` uploads: interaction_model/ staged with the Lambda endpoint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.deploy.deploy_support import REPO, run_make

FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:psoas-release-SkillFunction-AbC123"


def test_ask_resources_deploys_only_the_staged_skill_package() -> None:
    """SAM deploys the Lambda: the ASK CLI must not provision a second one."""
    resources = json.loads((REPO / "ask-resources.json").read_text(encoding="utf-8"))
    assert resources["askcliResourcesVersion"] == "2020-03-31"
    profile = resources["profiles"]["default"]
    assert set(profile) == {"skillMetadata"}
    staged = (REPO / profile["skillMetadata"]["src"]).resolve()
    assert staged == (REPO / "build" / "skill-package").resolve()


def test_skill_package_carries_the_function_arn_as_endpoint(tmp_path: Path) -> None:
    committed = (REPO / "interaction_model" / "skill.json").read_bytes()
    package = tmp_path / "skill-package"
    run_make(
        "skill-package", variables={"SKILL_PACKAGE_DIR": package, "FUNCTION_ARN": FUNCTION_ARN}
    )
    skill = json.loads((package / "skill.json").read_text(encoding="utf-8"))
    assert skill["manifest"]["apis"]["custom"]["endpoint"] == {"uri": FUNCTION_ARN}
    source = json.loads(committed)
    del skill["manifest"]["apis"]["custom"]["endpoint"]
    assert skill == source
    assert (REPO / "interaction_model" / "skill.json").read_bytes() == committed


def test_the_package_that_creates_the_skill_holds_the_models_and_no_endpoint(
    tmp_path: Path,
) -> None:
    package = tmp_path / "skill-package"
    result = run_make("skill-package-without-endpoint", variables={"SKILL_PACKAGE_DIR": package})
    assert "no endpoint" in result.stdout
    assert not (package / "source.yaml").exists()
    models = REPO / "interaction_model" / "interactionModels" / "custom"
    assert sorted(models.glob("*.json"))
    for model in models.glob("*.json"):
        staged = package / "interactionModels" / "custom" / model.name
        assert staged.read_bytes() == model.read_bytes()
    skill = json.loads((package / "skill.json").read_text(encoding="utf-8"))
    assert "endpoint" not in skill["manifest"]["apis"]["custom"]


def files_in(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in folder.rglob("*") if path.is_file()}


@pytest.mark.parametrize(
    ("arn", "says"),
    [
        (None, "FUNCTION_ARN is empty"),
        ("", "FUNCTION_ARN is empty"),
        ("bogus", "FUNCTION_ARN is not a Lambda function ARN: 'bogus'"),
        ("psoas-release", "FUNCTION_ARN is not a Lambda function ARN"),
        ("arn:aws:iam::123456789012:role/x", "FUNCTION_ARN is not a Lambda function ARN"),
        (f"{FUNCTION_ARN} x", "FUNCTION_ARN is not a Lambda function ARN"),
        (FUNCTION_ARN.replace("us-east-1", "eu-central-1"),
         "Alexa calls a Lambda endpoint only in us-east-1, eu-west-1, us-west-2"),
    ],
)
def test_a_missing_or_wrong_arn_fails_before_anything_is_replaced(
    tmp_path: Path, arn: str | None, says: str
) -> None:
    package = tmp_path / "skill-package"
    run_make("skill-package",
             variables={"SKILL_PACKAGE_DIR": package, "FUNCTION_ARN": FUNCTION_ARN})
    staged = files_in(package)
    variables: dict[str, str | Path] = {"SKILL_PACKAGE_DIR": package}
    if arn is not None:
        variables["FUNCTION_ARN"] = arn
    result = run_make("skill-package", variables=variables, check=False)
    assert result.returncode != 0
    assert says in result.stderr
    assert files_in(package) == staged, "the package staged before is left as it was"


def test_skill_package_replaces_only_a_skill_package(tmp_path: Path) -> None:
    other = tmp_path / "notes"
    other.mkdir()
    (other / "todo.txt").write_text("keep me\n", encoding="utf-8")
    for variables in ({"FUNCTION_ARN": FUNCTION_ARN}, {}):
        target = "skill-package" if variables else "skill-package-without-endpoint"
        result = run_make(target, variables={"SKILL_PACKAGE_DIR": other, **variables},
                          check=False)
        assert result.returncode != 0
        assert "not replacing it" in result.stderr
        assert (other / "todo.txt").read_text(encoding="utf-8") == "keep me\n"
