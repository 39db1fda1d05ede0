"""docs/contract.md names every route, error code, command, option and configuration key the product has."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ROOT / "docs" / "contract.md"


def _load_maker():
    spec = importlib.util.spec_from_file_location("make_contract", ROOT / "docs" / "make_contract.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


maker = _load_maker()


@pytest.fixture(scope="module")
def office():
    """The office app make_contract.py documents, and its OpenAPI document."""
    app, document = maker.office_app()
    yield app, document
    maker.close_app(app)


def missing_routes(text: str, app) -> list[str]:
    missing = []
    for rule, methods, _ in maker.app_rules(app):
        for expanded in maker.expand_rule(rule):
            for method in methods:
                if f"| {method} | `{expanded}` |" not in text:
                    missing.append(f"{method} {expanded}")
    return missing


def missing_error_codes(text: str, document: dict) -> list[str]:
    codes = set()
    for operations in document["paths"].values():
        for operation in operations.values():
            for status, response in (operation.get("responses") or {}).items() if isinstance(operation, dict) else ():
                if int(status) >= 400:
                    codes.update(maker.error_codes(response.get("description", "")))
    return sorted(code for code in codes if f"`{code}`" not in text)


def _section(text: str, heading: str) -> str:
    """Return the text under a '#### `kiosk …`' heading, up to the next heading."""
    start = text.index(heading)
    following = re.search(r"^#{1,4} ", text[start + len(heading) :], re.MULTILINE)
    return text[start : start + len(heading) + (following.start() if following else len(text))]


def missing_commands(text: str) -> list[str]:
    missing = []
    for path, command in maker.cli_commands():
        heading = f"#### `{' '.join(('kiosk', *path))}`"
        if heading not in text:
            missing.append(" ".join(("kiosk", *path)))
            continue
        section = _section(text, heading)
        name = " ".join(("kiosk", *path))
        missing += [f"{name} {option}" for option in maker.option_names(command) if option not in section]
    return missing


def missing_config_keys(text: str) -> list[str]:
    return [key for key, *_ in maker.config_keys() if f"`{key}`" not in text]


def test_every_route_of_the_app_is_in_the_contract(office):
    app, _ = office
    assert len(maker.app_rules(app)) > 50
    assert missing_routes(CONTRACT.read_text(encoding="utf-8"), app) == []


def test_every_error_code_of_the_openapi_document_is_in_the_contract(office):
    _, document = office
    text = CONTRACT.read_text(encoding="utf-8")
    assert missing_error_codes(text, document) == []
    assert '{"error": {"code"' in text  # the one error shape


def test_every_command_and_option_is_in_the_contract():
    commands = list(maker.cli_commands())
    assert {path for path, _ in commands} >= {(), ("serve",), ("user", "add"), ("backup",), ("restore",), ("bench",)}
    assert missing_commands(CONTRACT.read_text(encoding="utf-8")) == []


def test_every_configuration_key_is_in_the_contract():
    keys = [key for key, *_ in maker.config_keys()]
    assert {
        "office.public_url",
        "server.staff_addresses",
        "database.path",
        "kiosk.addresses",
        "services[].code",
        "status.next_service.*",
        "survey.questions.waktu",
    } <= set(keys)
    text = CONTRACT.read_text(encoding="utf-8")
    assert missing_config_keys(text) == []
    for name in ("KIOSK_CONFIG", "KIOSK_DB"):
        assert f"`{name}`" in text


def test_the_checks_notice_what_is_left_out(office):
    """Taking a route row, a command's help, an option and a key out of the text is each reported."""
    app, document = office
    text = CONTRACT.read_text(encoding="utf-8")
    without_route = text.replace("| POST | `/api/tickets` |", "| POST | `/api/tickets-gone` |")
    assert missing_routes(without_route, app) == ["POST /api/tickets"]
    without_code = text.replace("`quota_reached`", "`quota`")
    assert missing_error_codes(without_code, document) == ["quota_reached"]
    without_command = text.replace("#### `kiosk purge`", "#### `kiosk purged`")
    assert missing_commands(without_command) == ["kiosk purge"]
    serve = _section(text, "#### `kiosk serve`")
    without_option = text.replace(serve, serve.replace("--port", "--p0rt"))
    assert missing_commands(without_option) == ["kiosk serve --port"]
    without_key = text.replace("`backup.keep`", "`backup.kept`")
    assert missing_config_keys(without_key) == ["backup.keep"]


def test_the_error_codes_and_configuration_reference_are_current(office):
    """Those two blocks are exactly what make_contract.py writes today (statuses, types, defaults, demo values)."""
    _, document = office
    text = CONTRACT.read_text(encoding="utf-8")
    for name, body in (("error-codes", maker.error_codes_block(document)), ("config", maker.config_block())):
        assert f"<!-- generated: {name} -->\n{body}\n<!-- end generated: {name} -->" in text, (
            f"docs/contract.md: block '{name}' is out of date; run python docs/make_contract.py"
        )


def _anchors(markdown: str) -> set[str]:
    """Return the anchors GitHub gives a document's headings."""
    slugs = set()
    for heading in re.findall(r"^#{1,6} (.+)$", re.sub(r"```.*?```", "", markdown, flags=re.DOTALL), re.MULTILINE):
        slugs.add(re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-"))
    return slugs


def test_the_repository_documents_link_only_to_what_exists():
    """README and docs/*.md link only to files of the repository, and to headings those files have."""
    for document in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = document.read_text(encoding="utf-8")
        for target, anchor in re.findall(r"\]\(([^)#\s]*)(?:#([^)\s]*))?\)", text):
            if "://" in target:
                continue
            linked = (document.parent / target) if target else document
            assert linked.exists(), f"{document.name} links to a missing {target}"
            if anchor:
                anchors = _anchors(linked.read_text(encoding="utf-8"))
                assert anchor in anchors, f"{document.name}: no #{anchor} in {target}"


def test_the_readme_is_a_short_front_door_to_the_guides():
    """What it is, the two commands and links; each long guide opens with a table of contents."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 120
    for guide in ("operator", "developer", "performance", "contract"):
        assert f"(docs/{guide}.md)" in readme
        text = (ROOT / "docs" / f"{guide}.md").read_text(encoding="utf-8")
        assert re.findall(r"^## .*$", text, re.MULTILINE)[0] == "## Contents", guide
