#!/usr/bin/env bash
# `make deploy`: docs/deploy.md from start to end, checked at every step and stopped at the first
# that fails, so that a deployment never half-succeeds:
#   1. the tools are installed, the region is one that Alexa calls, the AWS credentials work;
#   2. sam validate --lint and sam build, offline, before anything changes in the cloud;
#   3. the skill is created (a skill package without an endpoint), unless .ask/ask-states.json
#      already names it;
#   4. sam deploy: the stack for that skill;
#   5. the stack's SkillFunctionArn, checked by `make skill-package`, becomes the skill's
#      endpoint (ask deploy).
# The Makefile sets DEPLOY_REGION, STACK_NAME, ALEXA_REGIONS and the tools SAM, AWS, ASK, PYTHON
# and MAKE, and runs this from the repository root.
set -euo pipefail

states=.ask/ask-states.json

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'make deploy: %s\n' "$*" >&2; exit 1; }

need() {
    command -v "$1" > /dev/null 2>&1 || fail "$1 not found: $2 (docs/deploy.md, What you need)"
}

# The skill id that `ask deploy` recorded, or nothing before the skill exists.
skill_id() {
    [ -f "$states" ] || return 0
    "$PYTHON" -c 'import json, sys
print(json.load(open(sys.argv[1]))["profiles"]["default"].get("skillId") or "")' "$states"
}

step "1. Tools, region and AWS credentials"
need "$SAM" "make sam-cli"
need "$AWS" "install the AWS CLI, then aws configure"
need "$ASK" "npm install -g ask-cli, then ask configure"
case " $ALEXA_REGIONS " in
    *" $DEPLOY_REGION "*) ;;
    *) fail "DEPLOY_REGION=$DEPLOY_REGION: Alexa calls a Lambda endpoint only in $ALEXA_REGIONS" ;;
esac
account="$("$AWS" sts get-caller-identity --region "$DEPLOY_REGION" --query Account \
    --output text)" || fail "the AWS CLI has no working credentials: run aws configure"
echo "AWS account $account, region $DEPLOY_REGION, stack $STACK_NAME"

step "2. Validate and build the backend (offline)"
"$SAM" validate --lint --region "$DEPLOY_REGION"
"$SAM" build --build-in-source

step "3. The skill"
skill="$(skill_id)"
if [ -z "$skill" ]; then
    "$MAKE" --no-print-directory skill-package-without-endpoint
    "$ASK" deploy --target skill-metadata
    skill="$(skill_id)"
    [ -n "$skill" ] || fail "ask deploy recorded no skill id in $states"
fi
echo "skill $skill"

step "4. Deploy stack $STACK_NAME"
"$SAM" deploy --stack-name "$STACK_NAME" --region "$DEPLOY_REGION" \
    --parameter-overrides "SkillId=$skill" --capabilities CAPABILITY_IAM --resolve-s3 \
    --no-confirm-changeset --no-fail-on-empty-changeset

step "5. Point the skill at the function"
arn="$("$AWS" cloudformation describe-stacks --region "$DEPLOY_REGION" --stack-name "$STACK_NAME" \
    --query "Stacks[0].Outputs[?OutputKey=='SkillFunctionArn'].OutputValue" --output text)"
"$MAKE" --no-print-directory skill-package FUNCTION_ARN="$arn"
"$ASK" deploy --target skill-metadata
printf '\nDeployed: skill %s calls %s\n' "$skill" "$arn"
