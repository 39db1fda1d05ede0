"""The suite's pool of browser contexts (tests/conftest.py ContextPool): a context handed on is as good as new."""

from __future__ import annotations

import pytest

from tests.conftest import ContextPool
from tests.support import LiveServer, make_app

pytestmark = pytest.mark.browser

ARGS = {"viewport": {"width": 800, "height": 600}}
LEAVE_BEHIND = """() => {
    localStorage.setItem('counter', '3');
    sessionStorage.setItem('carry', 'voice');
    document.cookie = 'left=behind; path=/';
    addEventListener('pagehide', () => sessionStorage.setItem('hidden', 'yes'));
}"""
WHAT_IS_LEFT = "() => [localStorage.length, sessionStorage.length, document.cookie]"


@pytest.fixture
def server(tmp_path):
    live = LiveServer(make_app(tmp_path)).start()
    yield live
    live.stop()


@pytest.fixture
def pool(browser):
    own = ContextPool(browser)  # not the session's: these tests count its contexts and pages
    yield own
    own.close()


def test_a_context_handed_on_keeps_no_cookie_storage_or_fake_clock_of_the_test_before(pool, server):
    first, page = pool.open(ARGS)
    page.goto(f"{server.url}/healthz")
    page.evaluate(LEAVE_BEHIND)
    pool.give_back(first, clean=True)

    again, kept = pool.open(ARGS)
    assert again is first  # the same context, kept alive ...
    assert kept is page and kept.url == "about:blank"  # ... with the same page, emptied
    kept.goto(f"{server.url}/healthz")  # ... on the same origin (a port used again by a later test)
    assert kept.evaluate(WHAT_IS_LEFT) == [0, 0, ""]
    assert [p for p in again.pages if p is not again.keeper] == [kept]

    kept.clock.install()  # Playwright's fake clock belongs to the context: it must not reach the next test
    pool.give_back(again, clean=True)
    fresh, page = pool.open(ARGS)
    assert fresh is not first and page is not kept  # that context was closed, not handed on
    pool.give_back(fresh, clean=True)


@pytest.mark.parametrize(
    "change",
    [
        lambda page: page.on("console", lambda message: None),
        lambda page: page.route("**/api/queue", lambda route: route.abort()),
        lambda page: page.emulate_media(media="print"),
        lambda page: page.set_viewport_size({"width": 600, "height": 800}),
        lambda page: page.context.new_cdp_session(page),
    ],
    ids=["listener", "route", "media", "viewport", "cdp-session"],
)
def test_a_page_the_test_changed_is_closed_not_handed_on(pool, server, change):
    context, page = pool.open(ARGS)
    page.goto(f"{server.url}/healthz")
    change(page)
    pool.give_back(context, clean=True)
    assert page.is_closed()
    again, other = pool.open(ARGS)
    assert again is context and other is not page
    pool.give_back(again, clean=True)


def test_after_a_failed_test_neither_its_context_nor_its_page_is_handed_on(pool, server):
    context, page = pool.open(ARGS)
    page.goto(f"{server.url}/healthz")
    pool.give_back(context, clean=False)
    assert page.is_closed()
    fresh, other = pool.open(ARGS)
    assert fresh is not context and other is not page
    pool.give_back(fresh, clean=True)
