"""The core never imports an adapter library: it must run without Alexa, Flask or AWS."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import psoas_release.core

CORE = Path(psoas_release.core.__file__).parent
FORBIDDEN = ("ask_sdk", "flask", "boto3", "botocore")


def test_no_core_module_imports_an_adapter_library() -> None:
    offenders = []
    for module in CORE.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{module.name}: {n}" for n in names if n.startswith(FORBIDDEN)]
    assert offenders == []


def test_importing_the_core_loads_no_adapter_library() -> None:
    code = (
        "import sys, psoas_release.core.machine, psoas_release.core.library\n"
        f"print(sorted(m for m in sys.modules if m.startswith({FORBIDDEN!r})))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
