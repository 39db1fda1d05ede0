"""The two-command rule: the README's commands are the ones that work (CI runs the test command)."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.support import wait_until
from tests.test_crash import _free_port

ROOT = Path(__file__).resolve().parents[1]


def readme_command(after: str) -> str:
    """Return the first ```sh block that follows the text ``after`` in the README."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split(after)[1].split("```sh\n")[1].split("\n```")[0].strip()


def test_ci_runs_the_readme_test_command():
    command = readme_command("Run the whole test suite:")
    ci_lines = [line.strip() for line in (ROOT / ".ci/run").read_text(encoding="utf-8").splitlines()]
    assert command in ci_lines
    assert "pytest" in command


@pytest.mark.slow
def test_readme_demo_command_runs_the_demo(tmp_path):
    """Run the README's demo line after its install steps, in an empty directory, and use the office."""
    line = readme_command("Run the demo office")
    *install, run = [part.strip() for part in line.split("&&")]
    assert install == ["python3 -m venv .venv", ".venv/bin/pip install ."]
    program, *arguments = shlex.split(run)
    assert program == ".venv/bin/kiosk" and arguments == ["demo"]
    advertised = re.search(r"<http://127\.0\.0\.1:(\d+)/kiosk>", (ROOT / "README.md").read_text(encoding="utf-8"))
    assert advertised, "the README names the kiosk address the demo serves"

    # The venv this suite runs in stands in for the README's fresh .venv; a free port stands in for
    # the advertised one so that a server already running on this machine does not interfere.
    port = _free_port()
    env = {name: value for name, value in os.environ.items() if name not in ("KIOSK_CONFIG", "KIOSK_DB")}
    env.update(PYTHONUNBUFFERED="1", PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
    log = tmp_path / "demo.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", *arguments, "--port", str(port)],
        cwd=tmp_path,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:

        def health():
            try:
                return requests.get(f"{base}/healthz", timeout=2).json()
            except (requests.ConnectionError, requests.Timeout):
                # The port is bound before the demo office is seeded: until then a request waits unanswered.
                return None if process.poll() is None else {"exited": process.returncode}

        answer = wait_until(health, timeout=30, interval=0.1)
        assert (answer.get("status"), answer.get("db")) == ("ok", "ok"), (answer, log.read_text())
        kiosk = requests.get(f"{base}/kiosk", timeout=5)
        assert kiosk.status_code == 200 and "Ambil Nomor Antrean" in kiosk.text
        services = requests.get(f"{base}/api/services", timeout=5).json()
        assert {service["code"] for service in services} >= {"REKAM", "AMBIL"}
        assert len(re.findall(r"Akun petugas dibuat: (\w+) / (\S+)", log.read_text())) == 2
        # As the README says: the database lives in var/ of the directory the demo was started in.
        assert (tmp_path / "var" / "kiosk.db").is_file()
    finally:
        process.terminate()
        process.wait(timeout=30)  # a loaded 2-core machine took over 10 s to stop the demo
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{base}/healthz", timeout=2)
