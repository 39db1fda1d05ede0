"""Test helpers: settings for a temporary office and a real waitress server on 127.0.0.1."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import requests
from waitress import wasyncore
from werkzeug.routing import Rule

from kiosk import create_app
from kiosk.domain.settings import Settings, load_settings
from kiosk.office.runtime import Runtime
from kiosk.paths import packaged_config
from kiosk.web.serving import create_office_server

ALWAYS_OPEN = {f"office.hours.{day}": "00:00-24:00" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def office_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Return the demo office on a temporary database, open every day, printing to a file in tmp_path."""
    values = {
        **ALWAYS_OPEN,
        "office.observe_national_holidays": False,
        "database.path": str(tmp_path / "kiosk.db"),
        "printer.type": "file",
        "printer.path": str(tmp_path / "printer.bin"),
        # Tests take numbers far faster than a resident; tests of the kiosk's ticket rate set their own.
        "kiosk.tickets_per_second": 100_000,
        "kiosk.ticket_burst": 100_000,
        # The "what to bring" step before a number has its own tests (tests/browser/test_kiosk_requirements.py);
        # the kiosk's other flows are tested from the service straight to Umum/Prioritas.
        "kiosk.ask_requirements": False,
        **{key.replace("__", "."): value for key, value in overrides.items()},
    }
    return load_settings(packaged_config(), values)


@dataclass
class LiveServer:
    """A waitress server running the app in a background thread."""

    app: Any
    threads: int | None = None  # default: the configured [server] threads
    connection_limit: int = 400
    server_options: dict = field(default_factory=dict)  # e.g. request_timeout, channel_timeout
    port: int = 0  # 0 = any free port; a fixed one lets a test restart the server on the same address
    url: str = ""
    _server: Any = None
    _thread: threading.Thread | None = None
    session: requests.Session = field(default_factory=requests.Session)

    @property
    def runtime(self) -> Runtime:
        return self.app.extensions["kiosk"]

    def start(self, workers: bool = True) -> LiveServer:
        if workers:
            self.runtime.start()
        settings = self.runtime.settings.server
        self._server = create_office_server(
            self.app,
            settings,
            host="127.0.0.1",
            port=self.port,
            threads=self.threads or settings.threads,
            connection_limit=self.connection_limit,
            **self.server_options,
        )
        self.port = self._server.effective_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="test-waitress", daemon=True)
        self._thread.start()
        return self

    def _serve(self) -> None:
        """waitress's own loop, plus a stop flag checked every 50 ms; closing happens in this thread.

        Stopping does not pull waitress's trigger pipe: in browser tests only, right after the
        Playwright contexts of this same process were closed, the trigger's write end was now and
        then found already closed (EBADF) - a stray close by number, never seen without Playwright.
        """
        server = self._server
        while not self._stopping.is_set() and server._map:
            wasyncore.poll(0.05, server._map)
        for channel in list(server._map.values()):
            if channel is not server.trigger and channel is not server:
                channel.close()
        server.close()

    def stop(self) -> None:
        self.runtime.stop()  # ends open event streams so worker threads are free
        self._server.task_dispatcher.shutdown(timeout=5)
        self._stopping.set()
        if self._thread:
            self._thread.join(timeout=5)
        self.session.close()

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.session.get(self.url + path, timeout=10, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.session.post(self.url + path, timeout=10, **kwargs)

    def login(self, username: str = "petugas", password: str = "rahasia-Loket1") -> dict[str, str]:
        """Log the session in and return headers that carry the CSRF token."""
        answer = self.post("/api/login", json={"username": username, "password": password})
        answer.raise_for_status()
        return {"X-CSRF-Token": answer.json()["csrf_token"]}


def add_staff(app, username: str = "petugas", password: str = "rahasia-Loket1", role: str = "counter") -> None:
    """Create a staff account directly in the app's database."""
    from werkzeug.security import generate_password_hash

    from kiosk.storage import staff as staff_store

    runtime = app.extensions["kiosk"]
    staff_store.add_staff(
        runtime.db, username, generate_password_hash(password, method="pbkdf2:sha256:1000"), role, runtime.now()
    )


def wait_until(predicate, timeout: float = 5.0, interval: float = 0.02):
    """Poll ``predicate`` until it returns something truthy; return it or raise AssertionError."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


class ReusedBuilderRule(Rule):
    """A Werkzeug URL rule that reuses the URL-builder code compiled for an identical rule earlier in the run.

    Werkzeug compiles two small Python functions per rule (an AST and ``compile()``, ~0.15 ms each: with
    70 rules, ~40 % of building the app). They depend only on the rule's parsed parts, defaults and
    converters, so an identical rule gets the same function; every app still gets its own ``Map``, ``Rule``
    objects and converters, the function being bound to the new rule. tests/test_lanes.py checks the code
    is Werkzeug's. Installed as ``Flask.url_rule_class`` by tests/conftest.py.
    """

    _builders: ClassVar[dict[tuple, Any]] = {}

    def _compile_builder(self, append_unknown: bool = True):
        converters = tuple(
            sorted(
                (
                    name,
                    type(converter).__qualname__,
                    repr(sorted((key, value) for key, value in vars(converter).items() if key != "map")),
                )
                for name, converter in self._converters.items()
            )
        )
        key = (
            self.rule,
            self.host,
            self.subdomain,
            append_unknown,
            tuple(self._trace),
            repr(sorted((self.defaults or {}).items())),
            converters,
        )
        builder = self._builders.get(key)
        if builder is None:
            builder = self._builders[key] = super()._compile_builder(append_unknown)
        return builder


_MIGRATED: list[Path] = []  # this process's empty database, migrated once


def fresh_database(path: Path) -> None:
    """Give a test that opens a new database a copy of an empty one this process migrated once.

    The app still migrates the copy on start (nothing is pending, so nothing runs) and makes its own
    secret and status key; a path that already holds a database is left alone. Migrating from scratch
    is tested where it matters (tests/test_store.py, tests/test_cli.py).
    """
    if path.exists() or path.name != "kiosk.db":
        return
    if not _MIGRATED:
        from kiosk.storage.db import Database

        folder = Path(tempfile.mkdtemp(prefix="kiosk-migrated-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        Database(folder / "kiosk.db").migrate()  # its last connection closed: the WAL is folded in
        _MIGRATED.append(folder / "kiosk.db")
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_MIGRATED[0], path)
    os.chmod(path, 0o600)


def make_app(tmp_path: Path, clock=None, speech_warmup: float | None = None, **overrides: Any):
    """Build the app for a temporary office.

    Rendering the spoken catalogue ahead (~1,300 espeak-ng runs into each test's fresh cache) is off
    unless ``speech_warmup`` gives its delay in seconds.
    """
    settings = office_settings(tmp_path, **overrides)
    fresh_database(Path(settings.database_path))
    config: dict[str, Any] = {"settings": settings, "TESTING": True}
    if clock is not None:
        config["clock"] = clock
    app = create_app(config)
    app.extensions["kiosk"].speech_warmup_seconds = speech_warmup
    return app


def free_counter(server: LiveServer, headers: dict[str, str], counter: int) -> None:
    """Close the ticket a counter holds, if any: a counter holds one ticket at a time, so "next" needs it free."""
    held = server.get(f"/api/counters/{counter}").json()["ticket"]
    if held:
        action = "no-show" if held["status"] == "called" else "done"
        server.post(f"/api/tickets/{held['id']}/{action}", headers=headers).raise_for_status()


_HOLD_NEXT_ANSWER = """([part, ms]) => {
  const fetch = window.fetch.bind(window);
  let armed = true;
  window.__lateAnswer = false;
  window.fetch = (url, options) => {
    const answer = fetch(url, options);
    if (!armed || !String(url).includes(part)) return answer;
    armed = false;
    return answer.then((response) => new Promise((deliver) => setTimeout(() => {
      const read = response.json.bind(response);
      // Set once the page has read the body and run what its answer does (the microtasks after it).
      response.json = () => read().then((body) => { setTimeout(() => { window.__lateAnswer = true; }, 0); return body; });
      deliver(response);
    }, ms)));
  };
}"""


def hold_next_answer(page, url_part: str, ms: int = 1500) -> None:
    """Make the page's next fetch whose URL contains ``url_part`` answer ``ms`` late (asked at once, so the answer
    holds the state of that moment); ``wait_for_late_answer`` returns once the page has handled it."""
    page.evaluate(_HOLD_NEXT_ANSWER, [url_part, ms])


def wait_for_late_answer(page) -> None:
    page.wait_for_function("() => window.__lateAnswer === true", timeout=10000)


def log_in(page, base_url: str, path: str, username: str = "petugas", password: str = "rahasia-Loket1") -> None:
    """Log in through the login form on the way to ``path`` (its own query kept); return once that page is loaded.

    The wait names the whole address: the login page's own one ends with the same path (``?next=/admin``), so a
    pattern like ``**/admin`` would match it at once and the test would go on before the page it asked for.
    """
    from urllib.parse import quote

    page.goto(f"{base_url}/login?next={quote(path, safe='/')}")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-submit")
    page.wait_for_url(f"{base_url}{path}")
