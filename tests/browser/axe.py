"""axe-core (bundled by axe-playwright-python) on a page: its serious and critical WCAG A/AA violations."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

# WCAG 2.0/2.1 A and AA and axe's best practices. Only violations are gathered in full: axe still runs every
# rule, but does not build the (much larger) lists of what passed; the violations found are the same.
OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}
SCRIPT = Axe().axe_script


def problems(page) -> list[str]:
    """The serious and critical violations on the page, one line each naming the rule and the first element.

    axe's script is put into a document once (again after a navigation), not before every check.
    """
    if not page.evaluate("() => typeof window.axe === 'object' && typeof window.axe.run === 'function'"):
        page.evaluate(SCRIPT)
    violations = page.evaluate("(options) => axe.run(document, options).then((results) => results.violations)", OPTIONS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes'][0]['target']}{_measured(v['nodes'][0])}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def _measured(node: dict) -> str:
    """What axe measured for a failing node (e.g. a contrast's colours and ratio), so a failure says why."""
    data = [check.get("data") for check in node.get("any", []) + node.get("all", []) if check.get("data")]
    return f" {data}" if data else ""
