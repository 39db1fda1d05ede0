"""What one browser page costs the test suite: Chromium's CPU for a new page, against a reload and a blank page.

Run:  python bench/page_cost.py [--rounds 20] [MODE ...] [-- CHROMIUM_FLAG ...]

MODE is any of ``blank`` (a new context on about:blank), ``kiosk`` (a new context, the kiosk page loaded),
``guarded`` (the same with the test suite's page guard, tests/conftest.py ``MAYBE_OFFSITE``), ``every-request``
(the same with a guard that sees every request, as a function pattern would), ``pooled`` (the kiosk page in a
context the suite's ContextPool hands out and takes back, the page closed afterwards), ``reused`` (the same, the
page kept on about:blank for the next round, as ``new_page`` does), ``reload`` (the kiosk page
loaded again in one page). The default is all seven. A test server (tests/support.py) serves the demo office
in this process; Chromium is Debian's, with the suite's flags plus any given after ``--``.

Prints, per mode, the wall time and the CPU of the whole machine (``/proc/stat``: Chromium's renderer processes
are not children this process could account for) per round. Run it on a quiet machine: the CPU figure is
system-wide. The README's "Test lanes" explains why this is the figure that bounds the test command.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, MAYBE_OFFSITE, ContextPool  # noqa: E402
from tests.support import LiveServer, make_app  # noqa: E402

MODES = ("blank", "kiosk", "guarded", "every-request", "pooled", "reused", "reload")
PORTRAIT = {"width": 1080, "height": 1920}


def busy_seconds() -> float:
    """CPU-seconds the whole machine has spent busy since boot (user, nice, system, irq, softirq, steal)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / 100  # less idle and iowait


def one_round(browser, url: str, mode: str, shared_page, pool) -> None:
    if mode == "reload":
        shared_page.goto(url)
        shared_page.wait_for_selector(".k-service-btn")
        return
    if mode in ("pooled", "reused"):
        if mode == "pooled":
            context = pool.take({"viewport": PORTRAIT})
            page = context.new_page()
        else:
            context, page = pool.open({"viewport": PORTRAIT})
        page.goto(url)
        page.wait_for_selector(".k-service-btn")
        pool.give_back(context, clean=True)
        return
    context = browser.new_context(viewport=PORTRAIT)
    if mode == "guarded":
        context.route(MAYBE_OFFSITE, lambda route: route.abort())
    elif mode == "every-request":
        context.route(re.compile(".*"), lambda route: route.continue_())
    page = context.new_page()
    if mode == "blank":
        page.goto("about:blank")
    else:
        page.goto(url)
        page.wait_for_selector(".k-service-btn")
    context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20, help="rounds per mode (20)")
    parser.add_argument("modes", nargs="*", metavar="MODE", help=f"any of {', '.join(MODES)} (all)")
    argv = sys.argv[1:]
    cut = argv.index("--") if "--" in argv else len(argv)  # Chromium's flags after "--", as the usage line says
    arguments, flags = parser.parse_known_args(argv[:cut])
    flags += argv[cut + 1 :]
    unknown = set(arguments.modes) - set(MODES)
    if unknown:
        parser.error(f"unknown mode(s): {', '.join(sorted(unknown))}")
    server = LiveServer(make_app(Path(tempfile.mkdtemp(prefix="page-cost-")))).start()
    url = f"{server.url}/kiosk?idle=600"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + flags)
            shared_page = browser.new_context(viewport=PORTRAIT).new_page()
            pool = ContextPool(browser)
            one_round(browser, url, "kiosk", shared_page, pool)  # warm the server's caches and Chromium's
            print(f"{'mode':<14} {'wall ms':>8} {'CPU ms':>8}   per round, {arguments.rounds} rounds {flags or ''}")
            for mode in arguments.modes or MODES:
                cpu, wall = busy_seconds(), time.monotonic()
                for _ in range(arguments.rounds):
                    one_round(browser, url, mode, shared_page, pool)
                wall, cpu = time.monotonic() - wall, busy_seconds() - cpu
                print(f"{mode:<14} {wall / arguments.rounds * 1000:>8.0f} {cpu / arguments.rounds * 1000:>8.0f}")
            browser.close()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
