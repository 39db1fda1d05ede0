"""The dependency lower bounds in pyproject.toml are the versions .ci/run tests in constraints/oldest.txt."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def _lower_bounds() -> dict[str, Version]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    bounds = {}
    # The regency server's extra is a runtime dependency too (of `kiosk regency serve`).
    for requirement in [*project["dependencies"], *project["optional-dependencies"]["regency"]]:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?>=([0-9][0-9A-Za-z.]*)", requirement.strip())
        assert match, f"{requirement!r}: every runtime dependency names a lower bound (>=) and nothing else"
        bounds[match.group(1).lower()] = Version(match.group(2))
    # The suite's parallel runner: .ci/run runs the oldest lane under it too.
    xdist = next(r for r in project["optional-dependencies"]["test"] if r.startswith("pytest-xdist"))
    bounds["pytest-xdist"] = Version(xdist.split("#")[0].split(">=")[1].strip())
    return bounds


def _oldest() -> dict[str, Version]:
    pins = {}
    for line in (ROOT / "constraints" / "oldest.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.lower()] = Version(version)
    return pins


def test_every_lower_bound_is_pinned_in_the_oldest_constraints():
    assert _oldest() == _lower_bounds()


def test_ci_runs_the_suite_on_the_oldest_constraints():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "-c constraints/oldest.txt" in ci and ".venv-oldest/bin/python -m pytest" in ci
