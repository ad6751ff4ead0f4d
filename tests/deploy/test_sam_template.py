"""template.yaml: what CloudFormation gets after the SAM transform, checked offline.

The transform runs in-process with aws-sam-translator, as `sam deploy` would run it, with a
managed-policy loader that fails if asked: nothing here may need IAM or any other AWS call.
cfn-lint checks the SAM template and the CloudFormation it becomes.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint
from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader
from samtranslator.translator.transform import transform

from tests.deploy.deploy_support import TEMPLATE, load_template

SKILL_ID = "amzn1.ask.skill.0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
LINT_REGIONS = ["us-east-1", "eu-west-1", "us-west-2"]  # where Alexa calls Lambda endpoints


class OfflinePolicyLoader(ManagedPolicyLoader):
    """The translator asks for managed policies by name only when a template lists one."""

    def __init__(self) -> None:  # no IAM client: there must be nothing to look up
        pass

    def load(self) -> dict[str, str]:
        raise AssertionError("the template must not need a managed-policy lookup in IAM")


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


@pytest.fixture(scope="module")
def cloudformation(template: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The transformed template. `sam package` would have replaced CodeUri by an S3 location."""
    packaged = copy.deepcopy(template)
    packaged["Resources"]["SkillFunction"]["Properties"]["CodeUri"] = "s3://artifacts/skill.zip"
    no_aws_config = tmp_path_factory.mktemp("aws") / "none"
    with pytest.MonkeyPatch.context() as patch:
        # The translator reads the region from boto3's default session: give it one, and keep
        # any local AWS configuration and credentials out of the test.
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION"):
            patch.delenv(name, raising=False)
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        patch.setenv("AWS_CONFIG_FILE", str(no_aws_config))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(no_aws_config))
        return transform(packaged, {"SkillId": SKILL_ID}, OfflinePolicyLoader())


def resources_of_type(cloudformation: Any, resource_type: str) -> dict[str, Any]:
    return {
        name: resource
        for name, resource in cloudformation["Resources"].items()
        if resource["Type"] == resource_type
    }


def the_one(cloudformation: Any, resource_type: str) -> Any:
    found = resources_of_type(cloudformation, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
    return next(iter(found.values()))


def leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for item in value.values():
            yield from leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item)
    else:
        yield value


# --------------------------------------------------------------------------- parameters


@pytest.mark.parametrize(
    ("value", "allowed"),
    [
        (SKILL_ID, True),
        ("amzn1.ask.skill.12345678-90ab-cdef-1234-567890abcdef", True),
        ("", False),
        ("amzn1.ask.skill.", False),
        ("amzn1.ask.skill.12345678-90ab-cdef-1234-567890abcdeX", False),
        ("amzn1.ask.skill.12345678-90ab-cdef-1234-567890abcdef-extra", False),
        ("amzn1.echo-sdk-ams.app.12345678-90ab-cdef-1234-567890abcdef", False),
        (" amzn1.ask.skill.12345678-90ab-cdef-1234-567890abcdef", False),
    ],
)
def test_skill_id_parameter_accepts_only_alexa_skill_ids(
    template: dict[str, Any], value: str, allowed: bool
) -> None:
    parameter = template["Parameters"]["SkillId"]
    assert parameter["Type"] == "String"
    assert "Default" not in parameter, "a deployment must name its skill"
    assert (re.fullmatch(parameter["AllowedPattern"], value) is not None) is allowed


# --------------------------------------------------------------------------- the function


def test_function_runs_the_handler_within_alexas_limits(cloudformation: Any) -> None:
    function = the_one(cloudformation, "AWS::Lambda::Function")["Properties"]
    assert function["Runtime"] in {"python3.12", "python3.13"}
    assert function["Handler"] == "lambda_function.lambda_handler"
    assert function["MemorySize"] <= 256
    assert function["Timeout"] <= 8, "Alexa waits 8 seconds for a response"
    assert function["Architectures"] in (["arm64"], ["x86_64"])


def test_function_is_built_by_the_makefile_from_the_repository_root(
    template: dict[str, Any],
) -> None:
    function = template["Resources"]["SkillFunction"]
    assert function["Metadata"]["BuildMethod"] == "makefile"
    assert function["Properties"]["CodeUri"] == "."
    makefile = (TEMPLATE.parent / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^build-SkillFunction:", makefile, re.MULTILINE)


def test_function_environment_names_the_table_and_the_skill(cloudformation: Any) -> None:
    function = the_one(cloudformation, "AWS::Lambda::Function")["Properties"]
    variables = function["Environment"]["Variables"]
    assert variables == {"TABLE_NAME": {"Ref": "SkillTable"}, "SKILL_ID": {"Ref": "SkillId"}}


def test_only_the_skill_may_invoke_the_function(cloudformation: Any) -> None:
    permission = the_one(cloudformation, "AWS::Lambda::Permission")["Properties"]
    assert permission == {
        "Action": "lambda:InvokeFunction",
        "FunctionName": {"Ref": "SkillFunctionAliaslive"},
        "Principal": "alexa-appkit.amazon.com",
        "EventSourceToken": {"Ref": "SkillId"},
    }


def test_every_deployment_publishes_a_version_behind_the_alias_live(cloudformation: Any) -> None:
    version = the_one(cloudformation, "AWS::Lambda::Version")["Properties"]
    alias = the_one(cloudformation, "AWS::Lambda::Alias")["Properties"]
    assert version["FunctionName"] == {"Ref": "SkillFunction"}
    assert alias["Name"] == "live"
    assert alias["FunctionVersion"] == {"Fn::GetAtt": [next(
        name for name, resource in cloudformation["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Version"), "Version"]}


def test_snapstart_is_on_unless_the_parameter_turns_it_off(
    template: dict[str, Any], cloudformation: Any
) -> None:
    parameter = template["Parameters"]["SnapStart"]
    assert parameter["Default"] == "on"
    assert parameter["AllowedValues"] == ["on", "off"]
    assert cloudformation["Conditions"]["SnapStartOn"] == {
        "Fn::Equals": [{"Ref": "SnapStart"}, "on"]}
    function = the_one(cloudformation, "AWS::Lambda::Function")["Properties"]
    assert function["SnapStart"] == {
        "ApplyOn": {"Fn::If": ["SnapStartOn", "PublishedVersions", "None"]}}


def test_the_skill_endpoint_is_the_alias_so_alexa_calls_the_snapshot(cloudformation: Any) -> None:
    assert cloudformation["Outputs"]["SkillFunctionArn"]["Value"] == {
        "Ref": "SkillFunctionAliaslive"}


def test_function_role_reaches_only_its_table(cloudformation: Any) -> None:
    role = the_one(cloudformation, "AWS::IAM::Role")["Properties"]
    assert role["ManagedPolicyArns"] == [
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    ]
    statements = [
        statement
        for policy in role["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
    ]
    assert statements == [
        {
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:UpdateItem"],
            "Resource": {"Fn::GetAtt": ["SkillTable", "Arn"]},
        }
    ], "exactly what the store calls, on its own table"
    assert "*" not in set(leaves(role["Policies"]))


def test_function_logs_expire(cloudformation: Any) -> None:
    log_group = the_one(cloudformation, "AWS::Logs::LogGroup")["Properties"]
    assert log_group["LogGroupName"] == {"Fn::Sub": "/aws/lambda/${SkillFunction}"}
    assert 1 <= log_group["RetentionInDays"] <= 365


# --------------------------------------------------------------------------- the table


def test_table_is_keyed_by_user_and_recoverable(cloudformation: Any) -> None:
    table_resource = the_one(cloudformation, "AWS::DynamoDB::Table")
    table = table_resource["Properties"]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["KeySchema"] == [{"AttributeName": "user_id", "KeyType": "HASH"}]
    assert table["AttributeDefinitions"] == [{"AttributeName": "user_id", "AttributeType": "S"}]
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["SSESpecification"] == {"SSEEnabled": True}
    assert "TableName" not in table, "a generated name lets a second stack deploy beside it"
    assert table_resource["DeletionPolicy"] == "Retain"
    assert table_resource["UpdateReplacePolicy"] == "Retain"


def test_outputs_give_the_skill_endpoint_and_the_table(cloudformation: Any) -> None:
    outputs = cloudformation["Outputs"]
    assert outputs["SkillFunctionArn"]["Value"] == {"Ref": "SkillFunctionAliaslive"}
    assert outputs["SkillTableName"]["Value"] == {"Ref": "SkillTable"}


# --------------------------------------------------------------------------- cfn-lint


def lint_findings(text: str) -> list[str]:
    config = ManualArgs(regions=LINT_REGIONS, include_checks=["I"])
    matches = lint(text, config=config)
    return [f"{match.rule.id} {match.linenumber}: {match.message}" for match in matches]


def test_cfn_lint_finds_nothing_in_the_sam_template() -> None:
    assert lint_findings(TEMPLATE.read_text(encoding="utf-8")) == []


def test_cfn_lint_finds_nothing_in_the_transformed_template(cloudformation: Any) -> None:
    assert lint_findings(json.dumps(cloudformation, indent=1)) == []


def test_cfn_lint_does_see_a_broken_template(tmp_path: Path) -> None:
    broken = TEMPLATE.read_text(encoding="utf-8").replace("Timeout: 7", "Timeout: 9000")
    assert broken != TEMPLATE.read_text(encoding="utf-8")
    assert any(finding.startswith("E") for finding in lint_findings(broken))
