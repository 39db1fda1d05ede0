"""The two-command rule: CI runs exactly the README's test command."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = readme.split("Run the whole test suite:")[1].split("```sh\n")[1].split("\n```")[0].strip()
    ci_lines = [line.strip() for line in (ROOT / ".ci/run").read_text(encoding="utf-8").splitlines()]
    assert command in ci_lines
    assert "pytest" in command


def test_readme_demo_command_runs_the_demo():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "kiosk demo" in readme.split("Run the whole test suite:")[0]
