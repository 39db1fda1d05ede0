"""Fixtures: a temporary office, a real waitress server, and real Chromium (Debian package)."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections import Counter
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import flask
import pytest

from tests import schedule
from tests.support import LiveServer, ReusedBuilderRule, add_staff, make_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
JAKARTA = ZoneInfo("Asia/Jakarta")

# Each test builds its own app; the URL rules' builder code is compiled once per run (tests/support.py).
flask.Flask.url_rule_class = ReusedBuilderRule

# Temporary folders (tmp_path, each test's office database) on the RAM disk when there is one: every
# answered ticket waits for fsync (synchronous=FULL), ~1-3 ms on a disk, several per test. Crash tests
# kill processes, which a RAM disk survives alike; KIOSK_TEST_TMP names another folder ("" = the default).
_TEST_TMP = os.environ.get("KIOSK_TEST_TMP", "/dev/shm")
if _TEST_TMP and os.path.isdir(_TEST_TMP) and os.access(_TEST_TMP, os.W_OK | os.X_OK):
    tempfile.tempdir = _TEST_TMP
OFFICE_LAN_HOSTS = {"127.0.0.1"}  # the test server; anything else would be the internet
# What a page's guard route is handed: every request but those plainly to the test server. Playwright matches
# a regex in its driver, so the pages' own requests (every module, poll and stream) never cross over to
# Python (a function as the pattern would see each one: ~7% of a page load's CPU); on_office_lan decides.
MAYBE_OFFSITE = re.compile(r"^(?!https?://127\.0\.0\.1(?::\d+)?(?:[/?#]|$)|data:|blob:)")


def on_office_lan(url: str) -> bool:
    """Tell whether a page's request stays on the office LAN: compares the parsed host, not a prefix."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob"):
        return True
    return parts.scheme in ("http", "https") and parts.hostname in OFFICE_LAN_HOSTS


class Clock:
    """A settable clock for the office (defaults to a Wednesday morning)."""

    def __init__(self, start: datetime | None = None):
        self.current = start or datetime(2026, 11, 25, 9, 0, tzinfo=JAKARTA)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta) -> None:
        from datetime import timedelta

        self.current += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(tmp_path, clock):
    application = make_app(tmp_path, clock=clock)
    add_staff(application)
    add_staff(application, "kepala", "rahasia-Admin1", "admin")
    yield application
    application.extensions["kiosk"].stop()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def staff_client(client):
    """A test client logged in as counter staff; returns (client, headers with the CSRF token)."""
    answer = client.post("/api/login", json={"username": "petugas", "password": "rahasia-Loket1"})
    assert answer.status_code == 200
    return client, {"X-CSRF-Token": answer.get_json()["csrf_token"]}


@pytest.fixture
def live_server(tmp_path):
    """A real waitress server on 127.0.0.1 with the print worker running (real clock)."""
    application = make_app(tmp_path)
    add_staff(application)
    add_staff(application, "kepala", "rahasia-Admin1", "admin")
    server = LiveServer(application).start()
    yield server
    server.stop()


def _require_chromium() -> None:
    if not os.path.exists(CHROMIUM) or shutil.which("chromium") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required in CI (apt-get install chromium)")
        pytest.skip("Debian chromium is not installed")


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session, driven by Playwright (no browser download)."""
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    # Four workers keep both cores busy: a page may take longer than Playwright's default 5 s to reach a state it
    # reaches at once on a quiet machine. Only a failing wait lasts this long; a test that asserts a time bound
    # measures it itself (and is serial).
    expect.set_options(timeout=10_000)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def offsite_requests():
    """Collects every request a page tried to make outside 127.0.0.1 (asserted empty by page users)."""
    return []


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so a fixture's teardown can tell that its test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _describe_pages(contexts) -> str:
    """What the failing test's pages showed: address, viewport, scroll, the screens not hidden (CI has no screen)."""
    lines = []
    for context in contexts:
        for page in context.pages:
            if page is context.keeper:
                continue
            try:
                seen = page.evaluate(
                    """() => ({scroll: [scrollX, scrollY], size: [innerWidth, innerHeight],
                      screens: Array.from(document.querySelectorAll("[data-screen]"))
                        .filter((el) => !el.hidden).map((el) => el.id || el.dataset.screen),
                      focus: document.activeElement && (document.activeElement.id || document.activeElement.tagName),
                      ready: document.readyState})"""
                )
                shot = Path(tempfile.mkdtemp(prefix="failed-page-")) / "page.png"
                page.screenshot(path=str(shot), full_page=True)
                lines.append(f"  {page.url} {seen} screenshot: {shot}")
            except Exception as error:  # a page that crashed or is navigating: say so, never hide the failure
                lines.append(f"  {page.url}: could not be read ({error.__class__.__name__})")
    return "\n".join(lines)


# What a test may change on its page that outlives a navigation: such a page is not handed to another test.
PAGE_CHANGES = (
    "on",
    "once",
    "route",
    "route_from_har",
    "route_web_socket",
    "add_init_script",
    "expose_function",
    "expose_binding",
    "set_extra_http_headers",
    "set_viewport_size",
    "emulate_media",
    "add_locator_handler",
    "set_default_timeout",
    "set_default_navigation_timeout",
)


# Run in a kept page before it leaves for about:blank: empties its origin's local and session storage now and again
# after every pagehide handler the page registered before (listeners on one target run in the order added).
WIPE_STORAGE_ON_LEAVING = """() => {
    const wipe = () => { try { localStorage.clear(); sessionStorage.clear(); } catch (err) { /* no storage here */ } };
    wipe();
    addEventListener("pagehide", wipe);
}"""


def watch_page(page):
    """Mark ``page.changed`` when the test changes something of it that a navigation keeps (see ContextPool)."""
    for name in PAGE_CHANGES:
        original = getattr(page, name)

        def changing(*args, _original=original, **kwargs):
            page.changed = True
            return _original(*args, **kwargs)

        setattr(page, name, changing)
    return page


class ContextPool:
    """Browser contexts a worker's tests take in turn: each test still gets a context of its own per page.

    A new context costs Chromium about twice the CPU of a new page in a context it keeps alive (bench/page_cost.py:
    ``kiosk`` against ``pooled``), and Chromium is most of the test command's CPU. A context keeps one blank page
    open (the keeper) and goes back to the pool at the end of a test only when it is as good as new: its pages
    closed, its cookies and permissions cleared, its cache and each visited origin's storage (local storage,
    IndexedDB, cache storage, service workers) wiped. A context that cannot be made so is closed instead: after a
    failed test, or when Playwright's fake clock was installed in it (``page.clock`` belongs to the context). A
    test that changes its page's context in any other lasting way (init scripts, routes, offline, headers) asks
    for its own with ``new_page(..., own_context=True)``.

    The test's page itself is kept too, on ``about:blank``, and handed to the next test that takes the context: a
    navigation costs Chromium about a third less CPU than a new page (bench/page_cost.py ``pooled`` against
    ``reused``). It is kept only when the test changed nothing of it that outlives a navigation: no listener,
    route, init script, binding, viewport, media or CDP session of the test's (``watch_page``), and no second
    origin visited. It empties its own storage as it leaves (``WIPE_STORAGE_ON_LEAVING``): ``Storage.clearDataForOrigin``
    leaves a tab's session storage.
    """

    def __init__(self, browser):
        self.browser = browser
        self.idle: dict[str, list] = {}
        self.offsite: list[str] = []  # the running test's offsite_requests

    def take(self, context_args: dict):
        key = json.dumps(context_args, sort_keys=True, default=str)
        if self.idle.get(key):
            return self.idle[key].pop()
        context = self.browser.new_context(**context_args)
        context.pool_key = key
        context.visited = set()
        context.keeper = context.new_page()
        context.cdp = context.new_cdp_session(context.keeper)
        context.spare = None  # the last test's page, kept for the next (see the class's docstring)
        opened = context.new_cdp_session

        def new_cdp_session(target):
            if target is not context.keeper:
                target.changed = True  # a CDP session may change the page in ways a navigation keeps
            return opened(target)

        context.new_cdp_session = new_cdp_session
        self.guard(context)
        context.on("page", lambda page: page.on("framenavigated", lambda frame: self.visit(context, frame)))
        return context

    def open(self, context_args: dict):
        """Return a context of the pool and a page in it: the page the last test left there, or a new one."""
        context = self.take(context_args)
        page = context.spare or watch_page(context.new_page())
        page.changed = False
        context.spare = page
        return context, page

    def guard(self, context) -> None:
        def route(route):
            url = route.request.url
            if on_office_lan(url):
                route.continue_()
            else:
                self.offsite.append(url)
                route.abort()

        context.route(MAYBE_OFFSITE, route)

    @staticmethod
    def visit(context, frame) -> None:
        parts = urlsplit(frame.url)
        if parts.scheme in ("http", "https"):
            context.visited.add(f"{parts.scheme}://{parts.netloc}")

    def give_back(self, context, clean: bool) -> None:
        """Make the context as good as new and keep it, or close it (see the class's docstring)."""
        try:
            spare, context.spare = context.spare, None
            for page in context.pages:
                if page is not context.keeper and page is not spare:
                    page.close()
            clean = clean and not context.keeper.evaluate("() => '__pwClock' in globalThis")
            if spare is not None and not spare.is_closed():
                if clean and not spare.changed and len(context.visited) <= 1:
                    # Storage.clearDataForOrigin leaves a tab's session storage, and the page's own pagehide
                    # handlers may write storage as it leaves: the page empties both itself, after them.
                    spare.evaluate(WIPE_STORAGE_ON_LEAVING)
                    spare.goto("about:blank", timeout=5_000)
                    context.spare = spare
                else:
                    spare.close()
            if clean:
                context.clear_cookies()
                context.clear_permissions()
                for origin in sorted(context.visited):
                    context.cdp.send("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"})
                context.cdp.send("Network.clearBrowserCache")
                context.visited.clear()
        except Exception:  # a crashed page or a closed browser: this context is done with
            clean = False
        if clean:
            self.idle.setdefault(context.pool_key, []).append(context)
        else:
            context.close()

    def close(self) -> None:
        for contexts in self.idle.values():
            for context in contexts:
                context.close()
        self.idle.clear()


@pytest.fixture(scope="session")
def context_pool(browser):
    pool = ContextPool(browser)
    yield pool
    pool.close()


@pytest.fixture
def new_page(browser, context_pool, offsite_requests, request):
    """Factory: open a page of a given viewport; any request leaving 127.0.0.1 is blocked and recorded.

    Each page is in a browser context of its own, which no other page of the test shares (taken from the worker's
    ContextPool; ``own_context=True`` for a brand-new one, closed after the test). When the test fails, its pages
    are described on the output (address, visible screens, a screenshot).
    """
    contexts = []
    context_pool.offsite = offsite_requests

    def open_page(width: int = 1080, height: int = 1920, own_context: bool = False, **context_args):
        context_args["viewport"] = {"width": width, "height": height}
        if own_context:
            context = browser.new_context(**context_args)
            context.keeper = None
            context_pool.guard(context)
            contexts.append(context)
            return context.new_page()
        context, page = context_pool.open(context_args)
        contexts.append(context)
        return page

    yield open_page
    report = getattr(request.node, "report_call", None)
    failed = report is not None and report.failed
    if failed:
        print(f"\nPages of the failed test {request.node.nodeid}:\n{_describe_pages(contexts)}")
    for context in contexts:
        if context.keeper is None:
            context.close()
        else:
            context_pool.give_back(context, clean=not failed)
    context_pool.offsite = []
    assert offsite_requests == [], f"pages reached outside the office LAN: {offsite_requests}"


_skipped_browser_tests: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped and "browser" in report.keywords:
        _skipped_browser_tests.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped browser test is a failure: Chromium must really run."""
    if os.environ.get("CI") == "true" and _skipped_browser_tests:
        print(f"\nCI: {len(_skipped_browser_tests)} browser test(s) were skipped: {_skipped_browser_tests[:5]}")
        session.exitstatus = 1


UNIT_FOLDER = Path(__file__).parent / "unit"
SERIAL_LANE = "serial"  # the README's second command: pytest -m serial
_serial_left_out: list[str] = []  # node ids of serial tests this session deselected (under -n)


def may_hold_serial_tests(path: Path) -> bool:
    """A test file that never says "serial" marks no test serial (tests/test_lanes.py checks it on every run)."""
    return "serial" in path.read_text(encoding="utf-8").lower()


_MODULE_MARK = re.compile(r"^pytestmark = (.*)$", re.MULTILINE)


def module_marks(path: Path) -> set[str]:
    """The markers a test file puts on all its tests in a one-line ``pytestmark = ...`` (``slow``, ``browser``)."""
    found = _MODULE_MARK.search(path.read_text(encoding="utf-8"))
    return set(re.findall(r"pytest\.mark\.(\w+)", found.group(1))) if found else set()


def ruled_out(markexpr: str) -> set[str]:
    """The markers a plain ``-m "not a and not b"`` rules out; nothing for any other expression."""
    if not markexpr or "(" in markexpr or " or " in f" {markexpr} ":
        return set()
    terms = [term.strip() for term in markexpr.split(" and ")]
    return {term[len("not ") :].strip() for term in terms if term.startswith("not ")}


def pytest_ignore_collect(collection_path, config):
    """A lane imports only the test files that may hold its tests.

    The serial lane skips files that never say "serial" (~4 s less of its minute). A lane that rules out a marker
    (the fast lane: ``not slow and not browser``) skips files that put it on all their tests: the API fuzzer alone
    costs each worker ~2.4 s of CPU to collect (schemathesis builds its boundary cases then), for nothing.
    """
    if collection_path.suffix != ".py" or not collection_path.name.startswith("test_"):
        return None
    markexpr = config.getoption("markexpr")
    if markexpr == SERIAL_LANE and not may_hold_serial_tests(collection_path):
        return True
    # "serial" is left to the serial lane's own bookkeeping (_serial_left_out needs the files collected).
    if (ruled_out(markexpr) - {SERIAL_LANE}) & module_marks(collection_path):
        return True
    return None


def pytest_collection_modifyitems(config, items):
    """Mark every test that drives Chromium, whatever file it lives in, and every test in tests/unit as unit.

    Under pytest-xdist (-n), tests marked serial are left out: they run in the serial lane (README "Test lanes").
    """
    for item in items:
        if {"browser", "new_page"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
        if UNIT_FOLDER in item.path.parents:
            item.add_marker(pytest.mark.unit)
    if config.getoption("numprocesses", None) or os.environ.get("PYTEST_XDIST_WORKER"):
        serial = [item for item in items if item.get_closest_marker("serial")]
        if serial:
            config.hook.pytest_deselected(items=serial)
            _serial_left_out.extend(item.nodeid for item in serial)
            items[:] = [item for item in items if not item.get_closest_marker("serial")]
    # The order of the collection is what xdist hands out; a worker sees its controller's arguments only in
    # workerinput (its own "dist" option is reset to "no").
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0"))
    arguments = " ".join(getattr(config, "workerinput", {}).get("mainargv", ()))
    if workers > 1 and re.search(r"--dist[= ]worksteal\b", arguments):
        items[:] = _worksteal_order(items, workers)


def _worksteal_order(items, workers: int) -> list:
    """Each worker's first slice gets an equal share of the estimated cost, its quick tests last (tests/schedule.py)."""
    root = Path(__file__).parents[1]
    known = schedule.durations()

    def file_of(item) -> str:
        return item.path.relative_to(root).as_posix()

    count = Counter(map(file_of, items))

    def cost_of(item) -> float:
        name = file_of(item)
        if name in known:
            return known[name] / count[name]
        marker = next((m for m in ("browser", "slow", "unit") if item.get_closest_marker(m)), None)
        return schedule.GUESS[marker]

    return schedule.order(items, workers, file_of, cost_of, waits=lambda item: bool(item.get_closest_marker("browser")))
