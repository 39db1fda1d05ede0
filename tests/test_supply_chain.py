"""CI's pip-audit summary: a known vulnerability fails the run; a run that could audit nothing says so."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def summarise(tmp_path: Path, dependencies: list[dict]) -> subprocess.CompletedProcess:
    report = tmp_path / "audit.json"
    report.write_text(json.dumps({"dependencies": dependencies, "fixes": []}), encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(ROOT / ".ci/audit_report.py"), str(report)], capture_output=True, text=True
    )


def test_a_known_vulnerability_fails_and_is_named_with_its_fix(tmp_path):
    result = summarise(
        tmp_path,
        [
            {
                "name": "flask",
                "version": "2.0.0",
                "vulns": [{"id": "GHSA-m2qf-hxjv-5gpq", "fix_versions": ["2.2.5"], "aliases": [], "description": ""}],
            },
            {"name": "waitress", "version": "3.0.2", "vulns": []},
        ],
    )
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "VULNERABLE flask 2.0.0: GHSA-m2qf-hxjv-5gpq (fixed in: 2.2.5)",
        "pip-audit: 2 packages audited, 1 with known vulnerabilities, 0 could not be audited",
    ]


def test_an_audit_that_reached_no_advisory_data_passes_but_says_so(tmp_path):
    result = summarise(tmp_path, [{"name": "flask", "skip_reason": "Dependency not found on PyPI"}])
    assert result.returncode == 0
    assert "0 packages audited" in result.stdout and "WARNING: no package could be audited" in result.stdout


def test_ci_audits_the_installed_packages_before_the_tests():
    lines = (ROOT / ".ci/run").read_text(encoding="utf-8").splitlines()
    audit = next(i for i, line in enumerate(lines) if line.startswith(".venv/bin/pip-audit "))
    tests = next(i for i, line in enumerate(lines) if ".venv/bin/python -m pytest" in line and "&&" in line)
    assert audit < tests and lines[audit + 1].startswith(".venv/bin/python .ci/audit_report.py")
