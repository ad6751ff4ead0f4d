# Builds the Lambda artifact for template.yaml and stages the Alexa skill package.
#
#   sam build --build-in-source             # runs build-SkillFunction with ARTIFACTS_DIR set by SAM
#   make build-artifact ARTIFACTS_DIR=dir   # the same artifact without the sam CLI
#   make build-sources ARTIFACTS_DIR=dir    # only the code and routines, no dependencies (offline)
#   make skill-package FUNCTION_ARN=arn     # interaction_model/ -> build/skill-package for `ask deploy`
#   make skill-package-without-endpoint     # the same without an endpoint, to create the skill
#   make sam-cli                            # the AWS SAM CLI in .venv-sam (its pins clash with ours)
#   make deploy                             # docs/deploy.md end to end, checked at every step
#
# SAM's makefile builder runs `make build-<LogicalId>` with ARTIFACTS_DIR in the environment, in a
# copy of CodeUri (the repository root), or in the checkout itself with --build-in-source. Every
# path below is taken from this Makefile's own folder, so both work, and so does `make -C`.

ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))

# The Python that reads pyproject.toml (3.11+ for tomllib) and runs pip: the project's venv when
# there is one.
PYTHON ?= $(if $(wildcard $(ROOT)/.venv/bin/python),$(ROOT)/.venv/bin/python,python3)

# What the Lambda runs (template.yaml: Runtime python3.12, Architectures arm64). pip installs
# wheels for that interpreter and platform, whatever this machine is.
LAMBDA_PYTHON_VERSION ?= 3.12
LAMBDA_ARCH ?= aarch64
LAMBDA_PLATFORMS ?= manylinux2014_$(LAMBDA_ARCH) manylinux_2_28_$(LAMBDA_ARCH)

# [project].dependencies that only the self-hosted web service and the simulator need.
NOT_IN_LAMBDA ?= flask cryptography waitress rich

# The Lambda runtime brings boto3. Dependencies are resolved together with it, so that what the
# artifact shares with it (python-dateutil, urllib3, six) satisfies botocore's pins: /var/task
# comes first on the Lambda's sys.path, and the runtime's boto3 imports them from there. Then
# these packages are removed from the artifact again.
LAMBDA_PROVIDED ?= boto3
LAMBDA_PROVIDED_PACKAGES ?= boto3 botocore s3transfer jmespath

# Extra pip options, e.g. PIP_ARGS="--find-links wheels/ --no-index".
PIP_ARGS ?=

# The Lambda entry module (Handler lambda_function.lambda_handler).
LAMBDA_ENTRY ?= $(ROOT)/lambda/lambda_function.py

SKILL_PACKAGE_DIR ?= $(ROOT)/build/skill-package
FUNCTION_ARN ?=

# Prints [project].dependencies minus NOT_IN_LAMBDA, one requirement a line.
define RUNTIME_REQUIREMENTS_PY
import re, sys, tomllib
with open(sys.argv[1], "rb") as handle:
    requirements = tomllib.load(handle)["project"]["dependencies"]
left_out = {name.lower() for name in sys.argv[2:]}
for requirement in requirements:
    name = re.split(r"[\s<>=!~;\[(@]", requirement, maxsplit=1)[0]
    if re.sub(r"[-_.]+", "-", name).lower() not in left_out:
        print(requirement)
endef
export RUNTIME_REQUIREMENTS_PY

# Where Alexa calls a Lambda endpoint (a skill's default endpoint must be in one of them).
ALEXA_REGIONS := us-east-1 eu-west-1 us-west-2 ap-northeast-1

# Exits non-zero unless argv[1] is the ARN of a Lambda function in one of the regions argv[2:].
define CHECK_FUNCTION_ARN_PY
import re, sys
arn, alexa_regions = sys.argv[1], sys.argv[2:]
function_arn = r"arn:aws[a-z-]*:lambda:([a-z0-9-]+):[0-9]{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_-]+)?"
if not arn.strip():
    sys.exit("FUNCTION_ARN is empty: pass the stack's SkillFunctionArn output (docs/deploy.md, "
             "step 3); to create a new skill without an endpoint, make skill-package-without-endpoint")
match = re.fullmatch(function_arn, arn)
if match is None:
    sys.exit(f"FUNCTION_ARN is not a Lambda function ARN: {arn!r}")
if match.group(1) not in alexa_regions:
    sys.exit(f"Alexa calls a Lambda endpoint only in {', '.join(alexa_regions)}, "
             f"not in {match.group(1)}: {arn}")
endef
export CHECK_FUNCTION_ARN_PY

# Writes the skill package's skill.json with apis.custom.endpoint.uri set to argv[2].
define SET_ENDPOINT_PY
import json, sys
manifest_path, arn = sys.argv[1], sys.argv[2]
with open(manifest_path, encoding="utf-8") as handle:
    skill = json.load(handle)
skill["manifest"]["apis"]["custom"]["endpoint"] = {"uri": arn}
with open(manifest_path, "w", encoding="utf-8") as handle:
    json.dump(skill, handle, indent=2, ensure_ascii=False)
    handle.write("\n")
endef
export SET_ENDPOINT_PY

.PHONY: build-SkillFunction build-artifact build-sources build-dependencies compile-bytecode \
	runtime-requirements lambda-target skill-package skill-package-without-endpoint \
	check-artifacts-dir sam-cli deploy

# The target `sam build` runs for the SkillFunction resource.
build-SkillFunction: build-artifact

build-artifact: build-sources build-dependencies compile-bytecode

# Bytecode for the Lambda's own Python, so a cold start on its read-only /var/task does not
# compile every module first (measured here: about twice as slow without it). Written only when
# that Python is on this machine: the build works without it, the cold starts are just slower.
LAMBDA_PYTHON ?= $(shell command -v python$(LAMBDA_PYTHON_VERSION) 2>/dev/null)
compile-bytecode: check-artifacts-dir
	@if [ -n "$(LAMBDA_PYTHON)" ] && "$(LAMBDA_PYTHON)" -c "" 2>/dev/null; then \
		"$(LAMBDA_PYTHON)" -W ignore -m compileall -q -j 0 --invalidation-mode unchecked-hash \
			"$(ARTIFACTS_DIR)" > /dev/null \
		&& echo "bytecode written with $(LAMBDA_PYTHON)"; \
	else \
		echo "python$(LAMBDA_PYTHON_VERSION) not found: the artifact has no bytecode" >&2; \
	fi

# An artifact folder must be empty or an earlier artifact (it has ARTIFACT_MARK): the build
# deletes and installs into it, so pointing it at a folder with other files in it is refused.
ARTIFACT_MARK := .psoas-release-artifact
check-artifacts-dir:
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set (make $@ ARTIFACTS_DIR=dir)" >&2; exit 2; }
	@mkdir -p "$(ARTIFACTS_DIR)"
	@out="$$(cd "$(ARTIFACTS_DIR)" && pwd -P)"; \
	for src in "$(ROOT)" "$(ROOT)/lambda" "$(ROOT)/routines"; do \
		if [ "$$out" = "$$(cd "$$src" && pwd -P)" ]; then \
			echo "ARTIFACTS_DIR must not be the source folder $$src" >&2; exit 2; \
		fi; \
	done
	@if [ -n "$$(ls -A "$(ARTIFACTS_DIR)")" ] && [ ! -f "$(ARTIFACTS_DIR)/$(ARTIFACT_MARK)" ]; then \
		echo "ARTIFACTS_DIR $(ARTIFACTS_DIR) holds other files: use an empty folder" >&2; exit 2; \
	fi
	@touch "$(ARTIFACTS_DIR)/$(ARTIFACT_MARK)"

# The handler module, the psoas_release package without its web service and terminal simulator
# (they need Flask, cryptography, waitress and rich, which the artifact leaves out) and the
# routines with their schema, laid out so that default_routines_dir() finds <artifact>/routines
# beside the package. Then a checked snapshot of the routines (routines.bundle.json), so that a
# cold start builds them without parsing YAML or loading jsonschema; it is used only while it
# matches.
build-sources: check-artifacts-dir
	@test -f "$(LAMBDA_ENTRY)" || { echo "$(LAMBDA_ENTRY) is missing" >&2; exit 1; }
	rm -rf "$(ARTIFACTS_DIR)/psoas_release" "$(ARTIFACTS_DIR)/routines" \
		"$(ARTIFACTS_DIR)/lambda_function.py" "$(ARTIFACTS_DIR)/__pycache__"
	cp "$(LAMBDA_ENTRY)" "$(ARTIFACTS_DIR)/lambda_function.py"
	cp -R "$(ROOT)/lambda/psoas_release" "$(ARTIFACTS_DIR)/psoas_release"
	rm -rf "$(ARTIFACTS_DIR)/psoas_release/web" "$(ARTIFACTS_DIR)/psoas_release/simulator"
	cp -R "$(ROOT)/routines" "$(ARTIFACTS_DIR)/routines"
	find "$(ARTIFACTS_DIR)/psoas_release" "$(ARTIFACTS_DIR)/routines" \
		-name __pycache__ -type d -prune -exec rm -rf {} +
	find "$(ARTIFACTS_DIR)/psoas_release" "$(ARTIFACTS_DIR)/routines" -name '*.py[co]' -delete
	PYTHONPATH="$(ROOT)/lambda" PSOAS_ROUTINES_DIR="$(ROOT)/routines" $(PYTHON) -m psoas_release.cli bundle "$(ARTIFACTS_DIR)/routines"

# The runtime dependencies from pyproject.toml, as wheels for the Lambda's Python and platform
# (--only-binary: nothing is compiled here), without the packages the runtime provides.
# --no-compile: this machine's Python would write bytecode the Lambda's Python cannot use.
build-dependencies: check-artifacts-dir
	@reqs="$$(mktemp)"; trap 'rm -f "$$reqs"' EXIT; \
	$(PYTHON) -c "$$RUNTIME_REQUIREMENTS_PY" "$(ROOT)/pyproject.toml" $(NOT_IN_LAMBDA) > "$$reqs" \
	&& echo "runtime requirements: $$(tr '\n' ' ' < "$$reqs")" \
	&& $(PYTHON) -m pip install --disable-pip-version-check --no-input --no-compile --no-warn-conflicts \
		--target "$(ARTIFACTS_DIR)" --upgrade \
		--implementation cp --python-version $(LAMBDA_PYTHON_VERSION) \
		$(foreach platform,$(LAMBDA_PLATFORMS),--platform $(platform)) --only-binary=:all: \
		$(PIP_ARGS) -r "$$reqs" $(LAMBDA_PROVIDED)
	cd "$(ARTIFACTS_DIR)" && rm -rf bin $(foreach package,$(LAMBDA_PROVIDED_PACKAGES),$(package) $(package)-*.dist-info)

runtime-requirements:
	@$(PYTHON) -c "$$RUNTIME_REQUIREMENTS_PY" "$(ROOT)/pyproject.toml" $(NOT_IN_LAMBDA)

# What the artifact is built for, for the tests to compare with template.yaml.
lambda-target:
	@echo "python$(LAMBDA_PYTHON_VERSION) $(LAMBDA_ARCH)"

# The skill package `ask deploy` uploads (ask-resources.json points here): interaction_model/
# without its generator source. The committed skill.json stays without an endpoint: it is
# generated and account-neutral. skill-package sets the endpoint to FUNCTION_ARN, which must be a
# Lambda function ARN in a region Alexa calls: it is checked before anything is replaced, so a
# failed lookup of the ARN never leaves a package without an endpoint for `ask deploy` to upload.
# skill-package-without-endpoint is only for creating the skill (docs/deploy.md, step 1).
define stage-skill-package
	@out="$(SKILL_PACKAGE_DIR)"; \
	if [ -d "$$out" ] && [ -n "$$(ls -A "$$out")" ] && [ ! -f "$$out/skill.json" ]; then \
		echo "SKILL_PACKAGE_DIR $$out is a folder of something else: not replacing it" >&2; exit 2; \
	fi; \
	if [ -d "$$out" ] && [ "$$(cd "$$out" && pwd -P)" = "$$(cd "$(ROOT)/interaction_model" && pwd -P)" ]; then \
		echo "SKILL_PACKAGE_DIR must not be interaction_model/ itself" >&2; exit 2; \
	fi
	rm -rf "$(SKILL_PACKAGE_DIR)"
	mkdir -p "$(SKILL_PACKAGE_DIR)"
	cp -R "$(ROOT)/interaction_model/." "$(SKILL_PACKAGE_DIR)/"
	rm -f "$(SKILL_PACKAGE_DIR)/source.yaml"
endef

skill-package:
	@$(PYTHON) -c "$$CHECK_FUNCTION_ARN_PY" "$(FUNCTION_ARN)" $(ALEXA_REGIONS)
	$(stage-skill-package)
	@$(PYTHON) -c "$$SET_ENDPOINT_PY" "$(SKILL_PACKAGE_DIR)/skill.json" "$(FUNCTION_ARN)"
	@echo "endpoint: $(FUNCTION_ARN)"

skill-package-without-endpoint:
	$(stage-skill-package)
	@echo "no endpoint: enough to create the skill, never to update it (docs/deploy.md)"

# The AWS SAM CLI in a virtual environment of its own: it pins boto3, click and cfn-lint to exact
# versions that clash with the dev extras, so it cannot share .venv.
SAM_VENV ?= $(ROOT)/.venv-sam
SAM_CLI_REQUIREMENT ?= aws-sam-cli>=1.100
sam-cli:
	@if [ ! -x "$(SAM_VENV)/bin/sam" ]; then \
		$(PYTHON) -m venv "$(SAM_VENV)" \
		&& "$(SAM_VENV)/bin/python" -m pip install --quiet --disable-pip-version-check \
			"$(SAM_CLI_REQUIREMENT)"; \
	fi
	@"$(SAM_VENV)/bin/sam" --version

# The whole deployment (scripts/deploy.sh says what it checks): to DEPLOY_REGION, as STACK_NAME,
# with the sam CLI from `make sam-cli` (else the one on the PATH), the AWS CLI and the ASK CLI.
DEPLOY_REGION ?= us-east-1
STACK_NAME ?= psoas-release
SAM ?= $(or $(wildcard $(SAM_VENV)/bin/sam),sam)
AWS ?= aws
ASK ?= ask
deploy:
	cd "$(ROOT)" && DEPLOY_REGION="$(DEPLOY_REGION)" STACK_NAME="$(STACK_NAME)" \
		ALEXA_REGIONS="$(ALEXA_REGIONS)" SAM="$(SAM)" AWS="$(AWS)" ASK="$(ASK)" \
		PYTHON="$(PYTHON)" MAKE="$(MAKE)" bash scripts/deploy.sh
