"""Summarise pip-audit's JSON report; exit 1 when an installed package has a known vulnerability.

Usage: python .ci/audit_report.py REPORT.json

Packages pip-audit could not look up (no advisory data reachable, or not on PyPI) are counted
and named, so a run that audited nothing says so instead of passing silently.
"""

from __future__ import annotations

import json
import sys


def main(path: str) -> int:
    with open(path, encoding="utf-8") as report:
        dependencies = json.load(report)["dependencies"]
    skipped = [entry for entry in dependencies if "skip_reason" in entry]
    audited = [entry for entry in dependencies if "skip_reason" not in entry]
    vulnerable = [entry for entry in audited if entry.get("vulns")]
    for entry in vulnerable:
        for vuln in entry["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release yet"
            print(f"VULNERABLE {entry['name']} {entry['version']}: {vuln['id']} (fixed in: {fixed})")
    print(
        f"pip-audit: {len(audited)} packages audited, {len(vulnerable)} with known vulnerabilities, "
        f"{len(skipped)} could not be audited"
    )
    if skipped and not audited:
        print(
            "WARNING: no package could be audited (advisory data unreachable from this machine): "
            + ", ".join(entry["name"] for entry in skipped[:5])
            + ("..." if len(skipped) > 5 else "")
        )
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
