"""`make deploy` end to end in a fresh checkout: the real sam CLI validates and builds offline,
and stand-ins for the AWS and ASK CLIs (and for `sam deploy`) record what would reach the
cloud. Every failing check must stop the sequence before the skill is left half-deployed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.checkout import fresh_checkout
from tests.conftest import REPO

SKILL_ID = "amzn1.ask.skill.0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:psoas-release-SkillFunction-AbC1"

STAND_IN = '''\
#!{python}
"""A stand-in for the {tool} CLI: logs each call; answers as the real one would."""
import json, os, sys
from pathlib import Path

tool, args = "{tool}", sys.argv[1:]
entry = {{"tool": tool, "args": args}}
if tool == "ask":
    staged = json.loads(Path("build/skill-package/skill.json").read_text())
    entry["endpoint"] = staged["manifest"]["apis"]["custom"].get("endpoint")
    states = Path(".ask/ask-states.json")
    if not states.exists():
        states.parent.mkdir(exist_ok=True)
        states.write_text(json.dumps({{"profiles": {{"default": {{"skillId": "{skill_id}"}}}}}}))
with open(os.environ["STAND_IN_LOG"], "a") as log:
    log.write(json.dumps(entry) + "\\n")
if tool == "aws" and args[:1] == ["sts"]:
    if os.environ.get("STAND_IN_NO_CREDENTIALS"):
        sys.exit("Unable to locate credentials. You can configure credentials by running "
                 "aws configure.")
    print("123456789012")
elif tool == "aws" and args[:2] == ["cloudformation", "describe-stacks"]:
    print(os.environ["STAND_IN_FUNCTION_ARN"])
elif tool == "sam" and args[:1] in (["validate"], ["build"]) and os.environ.get("REAL_SAM"):
    os.execv(os.environ["REAL_SAM"], [os.environ["REAL_SAM"], *args])
'''


class Deployment:
    """A fresh checkout with stand-ins for aws, ask and sam on hand, and what they were asked."""

    def __init__(self, root: Path, tools: Path, env: dict[str, str]) -> None:
        self.root, self.tools, self.env = root, tools, env
        self.log = tools / "calls.jsonl"

    def run(self, **variables: str) -> subprocess.CompletedProcess[str]:
        self.env["STAND_IN_LOG"] = str(self.log)
        assignments = [f"{name}={value}" for name, value in {
            "SAM": self.tools / "sam", "AWS": self.tools / "aws", "ASK": self.tools / "ask",
            "PYTHON": sys.executable, **variables}.items()]
        return subprocess.run(["make", "--no-print-directory", "-C", str(self.root), "deploy",
                               *assignments], env=self.env, capture_output=True, text=True,
                              check=False, timeout=600)

    def calls(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def commands(self) -> list[str]:
        return [" ".join([call["tool"], *call["args"][:2]]) for call in self.calls()]


@pytest.fixture
def deployment(tmp_path: Path, offline_aws: dict[str, str]) -> Deployment:
    tools = tmp_path / "tools"
    tools.mkdir()
    for tool in ("aws", "ask", "sam"):
        script = tools / tool
        script.write_text(STAND_IN.format(python=sys.executable, tool=tool, skill_id=SKILL_ID))
        script.chmod(0o755)
    env = dict(offline_aws, STAND_IN_FUNCTION_ARN=FUNCTION_ARN)
    return Deployment(fresh_checkout(tmp_path / "checkout"), tools, env)


def test_a_first_deploy_creates_the_skill_deploys_the_stack_then_sets_the_endpoint(
    deployment: Deployment, sam: str
) -> None:
    deployment.env["REAL_SAM"] = sam
    done = deployment.run()
    assert done.returncode == 0, done.stdout + done.stderr
    assert deployment.commands() == [
        "aws sts get-caller-identity",
        "sam validate --lint",
        "sam build --build-in-source",
        "ask deploy --target",
        "sam deploy --stack-name",
        "aws cloudformation describe-stacks",
        "ask deploy --target",
    ]
    calls = deployment.calls()
    assert calls[3]["endpoint"] is None, "the skill is created before the function exists"
    stack = calls[4]["args"]
    for pair in (["--stack-name", "psoas-release"], ["--region", "us-east-1"],
                 ["--parameter-overrides", f"SkillId={SKILL_ID}"]):
        assert any(stack[i:i + 2] == pair for i in range(len(stack))), pair
    assert calls[6]["endpoint"] == {"uri": FUNCTION_ARN}
    artifact = deployment.root / ".aws-sam" / "build" / "SkillFunction"
    assert (artifact / "lambda_function.py").is_file(), "sam build really built"
    assert (artifact / "ask_sdk_core").is_dir()
    assert f"Deployed: skill {SKILL_ID} calls {FUNCTION_ARN}" in done.stdout


def test_a_later_deploy_updates_the_skill_it_made(deployment: Deployment) -> None:
    assert deployment.run().returncode == 0
    deployment.log.unlink()
    done = deployment.run(STACK_NAME="psoas-release-test", DEPLOY_REGION="eu-west-1")
    assert done.returncode == 0, done.stderr
    commands = deployment.commands()
    assert commands.count("ask deploy --target") == 1, "the skill is not created again"
    stack = deployment.calls()[commands.index("sam deploy --stack-name")]["args"]
    assert stack[1:5] == ["--stack-name", "psoas-release-test", "--region", "eu-west-1"]


@pytest.mark.parametrize("answer", ["None", "", "arn:aws:iam::123456789012:role/x"])
def test_an_arn_that_is_not_a_function_stops_before_the_skill_is_updated(
    deployment: Deployment, answer: str
) -> None:
    assert deployment.run().returncode == 0
    staged = (deployment.root / "build" / "skill-package" / "skill.json").read_bytes()
    deployment.log.unlink()
    deployment.env["STAND_IN_FUNCTION_ARN"] = answer
    done = deployment.run()
    assert done.returncode != 0
    assert "FUNCTION_ARN is" in done.stderr
    assert deployment.commands()[-1] == "aws cloudformation describe-stacks"
    assert (deployment.root / "build" / "skill-package" / "skill.json").read_bytes() == staged


def test_a_region_alexa_does_not_call_stops_before_anything(deployment: Deployment) -> None:
    done = deployment.run(DEPLOY_REGION="eu-central-1")
    assert done.returncode != 0
    assert "Alexa calls a Lambda endpoint only in us-east-1 eu-west-1" in done.stderr
    assert deployment.calls() == []


def test_no_aws_credentials_stop_before_anything_is_built_or_created(
    deployment: Deployment,
) -> None:
    deployment.env["STAND_IN_NO_CREDENTIALS"] = "1"
    done = deployment.run()
    assert done.returncode != 0
    assert "the AWS CLI has no working credentials: run aws configure" in done.stderr
    assert deployment.commands() == ["aws sts get-caller-identity"]


def test_a_missing_cli_is_named_with_how_to_install_it(deployment: Deployment) -> None:
    done = deployment.run(ASK=str(deployment.tools / "no-such-ask"))
    assert done.returncode != 0
    assert "no-such-ask not found: npm install -g ask-cli, then ask configure" in done.stderr
    assert deployment.calls() == []



def test_the_guide_names_the_region_and_stack_that_make_deploy_uses() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    guide = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    for variable in ("DEPLOY_REGION", "STACK_NAME"):
        default = re.search(rf"^{variable} \?= (\S+)$", makefile, re.MULTILINE)
        assert default is not None, variable
        assert f"**{default.group(1)}**" in guide
        assert f"`make deploy {variable}=…`" in guide
