"""Issue #18 item 7: `make audit` never passes silently. scripts/audit.sh is run against a fake
pip-audit for each answer the real one can give (the real one needs the network)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CLEAN = "No known vulnerabilities found\n"
SKIPS = (
    "No known vulnerabilities found\nName Skip Reason\n"
    "dms-portal Dependency not found on PyPI and could not be audited: dms-portal (0.1.0)\n"
    "django Dependency not found on PyPI and could not be audited: django (5.2.8)\n"
)
ONLY_PROJECT_SKIPPED = (
    "No known vulnerabilities found\nName Skip Reason\n"
    "dms-portal Dependency not found on PyPI and could not be audited: dms-portal (0.1.0)\n"
)
FOUND = "Found 2 known vulnerabilities in 1 package\nName Version ID Fix Versions\n"
OFFLINE = "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='pypi.org')\n"


@pytest.mark.parametrize(
    "output, rc, expected, verdict",
    [
        (CLEAN, 0, 0, "checked, no known vulnerabilities"),
        (ONLY_PROJECT_SKIPPED, 0, 0, "checked, no known vulnerabilities"),
        (SKIPS, 0, 2, "COULD NOT CHECK 1 packages"),
        (FOUND, 1, 1, "VULNERABILITIES FOUND"),
        (OFFLINE, 1, 2, "COULD NOT CHECK — pip-audit failed"),
    ],
)
def test_audit_verdicts(tmp_path, output, rc, expected, verdict):
    tools = tmp_path / "tools"
    (tools / "bin").mkdir(parents=True)
    fake = tools / "bin" / "pip-audit"
    (tmp_path / "out.txt").write_text(output)
    fake.write_text(f"#!/bin/sh\ncat {tmp_path / 'out.txt'}\nexit {rc}\n")
    fake.chmod(0o755)
    result = subprocess.run(
        [str(ROOT / "scripts" / "audit.sh")],
        env={**os.environ, "TOOLS": str(tools), "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == expected, result.stdout
    assert verdict in result.stdout
