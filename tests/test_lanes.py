"""The suite's own shortcuts keep every test's app its own and its routing Werkzeug's."""

from __future__ import annotations

from werkzeug.routing import Map, Rule

from tests.support import ReusedBuilderRule, make_app


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
