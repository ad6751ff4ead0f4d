"""The skill package `ask deploy` uploads: interaction_model/ staged with the Lambda endpoint."""

from __future__ import annotations

import json
from pathlib import Path

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


def test_skill_package_holds_the_models_but_not_their_source(tmp_path: Path) -> None:
    package = tmp_path / "skill-package"
    run_make("skill-package", variables={"SKILL_PACKAGE_DIR": package})
    assert not (package / "source.yaml").exists()
    models = REPO / "interaction_model" / "interactionModels" / "custom"
    assert sorted(models.glob("*.json"))
    for model in models.glob("*.json"):
        staged = package / "interactionModels" / "custom" / model.name
        assert staged.read_bytes() == model.read_bytes()
    skill = json.loads((package / "skill.json").read_text(encoding="utf-8"))
    assert "endpoint" not in skill["manifest"]["apis"]["custom"]


def test_skill_package_rejects_what_is_not_a_function_arn(tmp_path: Path) -> None:
    for wrong in ("psoas-release", "arn:aws:iam::123456789012:role/x", f"{FUNCTION_ARN} x"):
        result = run_make(
            "skill-package",
            variables={"SKILL_PACKAGE_DIR": tmp_path / "package", "FUNCTION_ARN": wrong},
            check=False,
        )
        assert result.returncode != 0, wrong
        assert "not a Lambda function ARN" in result.stderr


def test_skill_package_replaces_only_a_skill_package(tmp_path: Path) -> None:
    other = tmp_path / "notes"
    other.mkdir()
    (other / "todo.txt").write_text("keep me\n", encoding="utf-8")
    result = run_make("skill-package", variables={"SKILL_PACKAGE_DIR": other}, check=False)
    assert result.returncode != 0
    assert "not replacing it" in result.stderr
    assert (other / "todo.txt").read_text(encoding="utf-8") == "keep me\n"
