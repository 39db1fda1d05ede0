"""The suite's own shortcuts keep every test's app its own, its routing Werkzeug's, and its lanes whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.routing import Map, Rule

from tests import conftest
from tests.support import ReusedBuilderRule, make_app

ROOT = Path(__file__).resolve().parents[1]


def test_the_serial_lane_skips_no_file_that_holds_a_serial_test(request, tmp_path):
    """`pytest -m serial` does not import test files that never say "serial": checked against this session's
    own collection (every file), whichever lane runs this test."""
    collected = {item.path for item in request.session.items} | {
        ROOT / nodeid.split("::")[0] for nodeid in conftest._serial_left_out
    }
    if set(ROOT.glob("tests/**/test_*.py")) - collected - {Path(__file__)}:
        pytest.skip("needs a session that collected the whole suite (as the README's command does)")
    serial = set(conftest._serial_left_out) | {
        item.nodeid for item in request.session.items if item.get_closest_marker("serial")
    }
    assert len(serial) >= 15  # this session saw the serial tests (there are 20), so the check below means something
    files = {ROOT / nodeid.split("::")[0] for nodeid in serial}
    assert [path for path in sorted(files) if not conftest.may_hold_serial_tests(path)] == []
    quick, marked = tmp_path / "test_quick.py", tmp_path / "test_marked.py"
    quick.write_text("def test_quick():\n    assert True\n", encoding="utf-8")
    marked.write_text("import pytest\n\npytestmark = pytest.mark.SERIAL\n", encoding="utf-8")
    assert (conftest.may_hold_serial_tests(quick), conftest.may_hold_serial_tests(marked)) == (False, True)


def test_a_lane_skips_only_files_whose_every_test_it_rules_out(request, tmp_path):
    """`-m "not slow and not browser ..."` does not import a file whose one-line ``pytestmark`` puts a ruled-out
    marker on all its tests: checked against the marks this session's tests really carry."""
    assert conftest.ruled_out("not slow and not browser and not serial") == {"slow", "browser", "serial"}
    assert conftest.ruled_out("not serial") == {"serial"}
    for kept in ("", "serial", "slow or browser", "not (slow or browser)", "browser and not serial"):
        assert conftest.ruled_out(kept) <= {"serial"}, kept
    fuzz, plain = tmp_path / "test_fuzz.py", tmp_path / "test_plain.py"
    fuzz.write_text("import pytest\n\npytestmark = [pytest.mark.slow, pytest.mark.browser]\n", encoding="utf-8")
    plain.write_text('"""pytestmark = pytest.mark.slow is not at the start of a line here."""\n', encoding="utf-8")
    assert (conftest.module_marks(fuzz), conftest.module_marks(plain)) == ({"slow", "browser"}, set())
    by_file: dict[Path, list] = {}
    for item in request.session.items:
        by_file.setdefault(item.path, []).append(item)
    marked = {path: conftest.module_marks(path) for path in by_file if path.name.startswith("test_")}
    marked = {path: marks for path, marks in marked.items() if marks}
    if not marked:
        pytest.skip("this session collected no file with a module-wide marker (a lane skipped them all)")
    for path, marks in marked.items():
        for item in by_file[path]:
            assert marks <= {mark.name for mark in item.iter_markers()}, (item.nodeid, marks)


def test_each_app_has_its_own_url_map_and_rules_bound_to_it(tmp_path):
    first, second = make_app(tmp_path / "a"), make_app(tmp_path / "b")
    try:
        assert first.url_map is not second.url_map
        assert isinstance(next(iter(first.url_map.iter_rules())), ReusedBuilderRule)
        second_rules = {id(rule) for rule in second.url_map.iter_rules()}
        for rule in first.url_map.iter_rules():
            assert id(rule) not in second_rules and rule.map is first.url_map
            assert rule._build.__self__ is rule and rule._build_unknown.__self__ is rule
    finally:
        first.extensions["kiosk"].stop()
        second.extensions["kiosk"].stop()


def test_reused_builders_are_the_code_werkzeug_compiles_for_each_rule(tmp_path):
    app = make_app(tmp_path)
    try:
        fresh_map = Map(converters=dict(app.url_map.converters))
        for rule in app.url_map.iter_rules():
            fresh = Rule(rule.rule, defaults=rule.defaults, endpoint=rule.endpoint, methods=rule.methods)
            fresh_map.add(fresh)
            for reused, compiled in ((rule._build, fresh._build), (rule._build_unknown, fresh._build_unknown)):
                assert reused.__self__ is rule
                ours, theirs = reused.__func__.__code__, compiled.__func__.__code__
                assert (ours.co_code, ours.co_consts, ours.co_varnames, ours.co_names) == (
                    theirs.co_code,
                    theirs.co_consts,
                    theirs.co_varnames,
                    theirs.co_names,
                ), rule.rule
    finally:
        app.extensions["kiosk"].stop()


def test_the_same_rule_with_other_defaults_gets_its_own_builder():
    built = []
    for default in (1, 5):
        url_map = Map([ReusedBuilderRule("/page/<int:n>", defaults={"n": default}, endpoint="page")])
        built.append(url_map.bind("kiosk.local").build("page", {"n": default}))
    assert built == ["/page/1", "/page/5"]
