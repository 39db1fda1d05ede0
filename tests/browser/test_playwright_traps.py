"""Traps of Playwright under the product's CSP (script-src 'self', no eval), each shown and then kept out of tests/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support import LiveServer, make_app

TESTS = Path(__file__).resolve().parents[1]


def _polled_expressions() -> list[str]:
    """Every ``wait_for_function`` in tests/ whose predicate is a string that is not a function."""
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        if path == Path(__file__).resolve():  # the trap, shown below on purpose
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr != "wait_for_function" or not node.args:
                continue
            first = node.args[0]
            text = first.value if isinstance(first, ast.Constant) else None
            if isinstance(first, ast.JoinedStr):
                text = "".join(part.value for part in first.values if isinstance(part, ast.Constant))
            if isinstance(text, str) and "=>" not in text.split("\n")[0] and not text.lstrip().startswith("function"):
                found.append(f"{path.relative_to(TESTS)}:{node.lineno}: {text!r}")
    return found


def test_no_wait_for_function_polls_a_bare_expression():
    """Playwright evaluates a bare expression again with eval() on every poll: the pages' CSP refuses it.

    It passes while the condition holds at the first look (that one runs through the DevTools protocol), and fails
    with "EvalError ... 'unsafe-eval'" only when it must poll, e.g. a reloading page on a slow machine. A function
    is evaluated once and then called.
    """
    assert _polled_expressions() == []


@pytest.mark.browser
def test_a_bare_expression_that_must_poll_fails_on_a_product_page_and_a_function_does_not(new_page, tmp_path):
    server = LiveServer(make_app(tmp_path)).start()
    try:
        page = new_page(800, 600)
        page.goto(f"{server.url}/display")
        # Each predicate counts its own looks and holds only at the third: it must poll, however slow the machine.
        with pytest.raises(Exception, match="unsafe-eval"):
            page.wait_for_function("(window.bare = (window.bare || 0) + 1) >= 3", timeout=5000)
        assert page.evaluate("() => window.bare") == 1  # the first look ran; the first poll was refused
        page.wait_for_function("() => (window.looks = (window.looks || 0) + 1) >= 3", timeout=5000)
        assert page.evaluate("() => window.looks") == 3
    finally:
        server.stop()
