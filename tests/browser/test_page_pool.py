"""The suite's pool of browser contexts (tests/conftest.py ContextPool): a context handed on is as good as new."""

from __future__ import annotations

import pytest

from tests.support import LiveServer, make_app

pytestmark = pytest.mark.browser


def test_a_context_handed_on_keeps_no_cookie_storage_or_fake_clock_of_the_test_before(browser, context_pool, tmp_path):
    server = LiveServer(make_app(tmp_path)).start()
    try:
        args = {"viewport": {"width": 800, "height": 600}}
        first = context_pool.take(args)
        page = first.new_page()
        page.goto(f"{server.url}/healthz")
        page.evaluate("() => { localStorage.setItem('counter', '3'); document.cookie = 'left=behind; path=/'; }")
        context_pool.give_back(first, clean=True)

        again = context_pool.take(args)
        assert again is first  # the same context, kept alive ...
        page = again.new_page()
        page.goto(f"{server.url}/healthz")  # ... on the same origin (a port used again by a later test)
        assert page.evaluate("() => [localStorage.length, document.cookie]") == [0, ""]
        assert [p for p in again.pages if p is not again.keeper] == [page]

        page.clock.install()  # Playwright's fake clock belongs to the context: it must not reach the next test
        context_pool.give_back(again, clean=True)
        fresh = context_pool.take(args)
        assert fresh is not first  # that context was closed, not handed on
        context_pool.give_back(fresh, clean=True)
    finally:
        server.stop()
