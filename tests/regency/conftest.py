"""A throwaway PostgreSQL cluster (Debian's binaries) for the regency tests, and a live regency server.

The cluster lives in a temporary folder, listens on a free port of 127.0.0.1 (its socket in the same
folder) and is removed afterwards. initdb refuses to run as root, so as root (CI) the cluster belongs to
``nobody`` and its commands run through ``runuser``. Without PostgreSQL the tests skip, except under
CI=true, where a missing PostgreSQL is a failure.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import uuid
from pathlib import Path

import pytest
import requests

SUPERUSER = "kiosk"


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def pg_cluster():
    """Start a cluster for the session; yield the DSN prefix ``postgresql://kiosk@127.0.0.1:PORT``."""
    bin_dir = _bin_dir()
    if bin_dir is None or not (bin_dir / "pg_ctl").exists():
        if os.environ.get("CI") == "true":
            pytest.fail(
                "PostgreSQL is required in CI (apt-get install postgresql): no initdb/pg_ctl found "
                "under /usr/lib/postgresql/*/bin"
            )
        pytest.skip("Debian's postgresql is not installed (no /usr/lib/postgresql/*/bin/initdb)")
    folder = Path(tempfile.mkdtemp(prefix="regency-pg-"))
    folder.chmod(0o755)
    data = folder / "data"
    data.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb and postgres refuse root: run them as an unprivileged user
        nobody = pwd.getpwnam("nobody")
        for path in (folder, data):
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
        prefix = ["runuser", "-u", "nobody", "--"]
    port = _free_port()

    def run(*args: str) -> None:
        done = subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=120)
        if done.returncode:
            log = (folder / "server.log").read_text(errors="replace") if (folder / "server.log").exists() else ""
            pytest.fail(f"{args[0]} failed ({done.returncode}): {done.stderr.strip()} {log[-2000:]}")

    run(
        str(bin_dir / "initdb"),
        "-D",
        str(data),
        "-A",
        "trust",
        "-U",
        SUPERUSER,
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
    )
    options = (
        f"-h 127.0.0.1 -p {port} -k {folder} -c fsync=off -c synchronous_commit=off "
        f"-c full_page_writes=off -c max_connections=60"
    )
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "server.log"), "-w", "start")
    try:
        yield f"postgresql://{SUPERUSER}@127.0.0.1:{port}"
    finally:
        subprocess.run(
            [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def regency_dsn(pg_cluster, monkeypatch):
    """A fresh, migrated database for one test; KIOSK_REGENCY_DSN points at it."""
    import psycopg

    from kiosk.regency.db import migrate

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(pg_cluster + "/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    dsn = f"{pg_cluster}/{name}"
    with psycopg.connect(dsn) as conn:
        migrate(conn)
    monkeypatch.setenv("KIOSK_REGENCY_DSN", dsn)
    yield dsn
    with psycopg.connect(pg_cluster + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class RegencyServer:
    """The regency app on a real waitress server on 127.0.0.1, in a background thread."""

    def __init__(self, dsn: str, clock=None):
        from waitress import create_server

        from kiosk.regency.app import create_app
        from kiosk.regency.db import open_pool

        self.pool = open_pool(dsn, max_size=4)
        self.app = create_app(self.pool, clock)
        self.server = create_server(self.app, host="127.0.0.1", port=0, threads=4)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, name="regency-waitress", daemon=True)
        self.thread.start()
        self.http = requests.Session()

    def _serve(self) -> None:
        from waitress import wasyncore

        server = self.server
        while not self.stopping.is_set() and server._map:
            wasyncore.poll(0.05, server._map)
        for channel in list(server._map.values()):
            if channel is not server.trigger and channel is not server:
                channel.close()
        server.close()

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.http.post(self.url + path, timeout=10, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(self.url + path, timeout=10, **kwargs)

    def stop(self) -> None:
        self.server.task_dispatcher.shutdown(timeout=5)
        self.stopping.set()
        self.thread.join(timeout=5)
        self.http.close()
        self.pool.close()


@pytest.fixture
def regency_server(regency_dsn):
    server = RegencyServer(regency_dsn)
    yield server
    server.stop()
