"""Regenerate the generated parts of docs/contract.md from the product itself.

    python docs/make_contract.py          # rewrite the generated blocks in place
    python docs/make_contract.py --check  # exit 1 when docs/contract.md is out of date

What is generated, and from where:

- ``routes``: every URL rule of the office app (``create_app``), joined with the OpenAPI document the
  app serves at ``/api/openapi.json`` (who may call it, success and error answers);
- ``error-codes``: every error code the OpenAPI document names, with its HTTP statuses;
- ``schemas``: the JSON shapes of the OpenAPI document's components;
- ``cli``: ``kiosk --help`` and the ``--help`` of every command and subcommand;
- ``config``: every TOML key the settings loader reads, its type, the loader's default and the value and
  comment of the packaged ``config/kiosk.toml``.

Everything between ``<!-- generated: NAME -->`` and ``<!-- end generated: NAME -->`` is rewritten; the
rest of the file is written by hand. ``tests/test_docs.py`` fails when a route, command, option or key is
missing from the document.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import re
import shutil
import sys
import tempfile
import tomllib
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ROOT / "docs" / "contract.md"
DEMO_CONFIG = ROOT / "config" / "kiosk.toml"
SETTINGS_MODULES = ("kiosk.domain.settings",)
# The smallest office the loader accepts: every other key then takes the loader's own default.
MINIMAL_OFFICE = {
    "office": {"name": "Kantor"},
    "services": [{"code": "A", "name": "A", "prefix": "A"}],
    "counters": [{"id": 1, "name": "Loket 1", "services": ["A"]}],
}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HIDDEN_METHODS = {"HEAD", "OPTIONS"}


# ---------------------------------------------------------------- the office app and its OpenAPI document


def office_app():
    """Return (app, OpenAPI document) of an office on a throwaway database (the configuration is the packaged demo)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    folder = tempfile.mkdtemp(prefix="kiosk-contract-")
    saved = {name: os.environ.pop(name, None) for name in ("KIOSK_CONFIG", "KIOSK_DB")}
    os.environ["KIOSK_DB"] = str(Path(folder) / "kiosk.db")
    try:
        from kiosk import create_app

        app = create_app({"config_path": str(DEMO_CONFIG)})
    finally:
        for name, value in saved.items():
            os.environ.pop(name, None)
            if value is not None:
                os.environ[name] = value
    app.extensions["contract.folder"] = folder
    answer = app.test_client().get("/api/openapi.json")
    assert answer.status_code == 200, answer.status_code
    return app, answer.get_json()


def close_app(app) -> None:
    """Stop the office's runtime and delete its throwaway database folder."""
    runtime = app.extensions.get("kiosk")
    if runtime is not None and hasattr(runtime, "stop"):
        runtime.stop()
    folder = app.extensions.get("contract.folder")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def app_rules(app) -> list[tuple[str, list[str], str]]:
    """Return (rule, methods, endpoint) of every URL rule, sorted by rule."""
    rules = []
    for rule in app.url_map.iter_rules():
        methods = sorted(set(rule.methods or ()) - HIDDEN_METHODS)
        rules.append((rule.rule, methods, rule.endpoint))
    return sorted(rules, key=lambda item: (item[0], item[1]))


def expand_rule(rule: str) -> list[str]:
    """Return a Werkzeug rule with each ``<any(a, b):name>`` written out: one rule per choice."""
    choice = re.search(r"<any\(([^)]*)\):(\w+)>", rule)
    if not choice:
        return [rule]
    options = [option.strip().strip("'\"") for option in choice.group(1).split(",")]
    return [expanded for option in options for expanded in expand_rule(rule.replace(choice.group(0), option))]


def _openapi_paths(rule: str) -> list[str]:
    """Return the OpenAPI path(s) a Werkzeug rule stands for ({name} placeholders)."""
    return [re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", expanded) for expanded in expand_rule(rule)]


def _find_operation(document: dict, rule: str, method: str) -> tuple[str, dict] | None:
    """Return (path, operation) of the OpenAPI document for one rule and method (placeholder names may differ)."""
    for wanted in _openapi_paths(rule):
        pattern = re.compile("^" + re.sub(r"\\\{\w+\\\}", r"\\{\\w+\\}", re.escape(wanted)) + "$")
        for path, operations in document["paths"].items():
            if pattern.match(path) and method.lower() in operations:
                return path, operations[method.lower()]
    return None


def error_codes(description: str) -> list[str]:
    """Return the error codes an OpenAPI response description names ("a / b: why / c (note)")."""
    codes = []
    for part in description.split(" / "):
        match = re.match(r"([a-z][a-z0-9_]*[a-z0-9])\b", part.strip())
        if match and match.group(1) not in codes:
            codes.append(match.group(1))
    return codes


def _who(operation: dict | None) -> str:
    if operation is None:
        return "page"
    schemes = {name for requirement in operation.get("security") or [] for name in requirement}
    if not schemes:
        return "anyone*"
    return "staff session + CSRF" if "csrf" in schemes else "staff session"


def _answers(operation: dict | None) -> tuple[str, str]:
    """Return (success statuses, error statuses with their codes) of an operation."""
    if operation is None:
        return "200 (HTML)", ""
    good, bad = [], []
    for status, response in sorted(operation.get("responses", {}).items()):
        if int(status) < 400:
            good.append(status)
        else:
            bad.append(f"{status} " + ", ".join(f"`{code}`" for code in error_codes(response.get("description", ""))))
    return " ".join(good), "; ".join(bad)


def routes_block(app, document: dict) -> str:
    lines = ["| method | rule | who | success | errors (status and codes) | summary |", "|---|---|---|---|---|---|"]
    for rule, methods, endpoint in app_rules(app):
        if endpoint == "static":
            lines.append(f"| GET | `{rule}` | anyone | 200 | 404 | the pages' local assets (CSS, JS, fonts, sounds) |")
            continue
        for expanded, method in ((each, method) for each in expand_rule(rule) for method in methods):
            found = _find_operation(document, expanded, method)
            operation = found[1] if found else None
            good, bad = _answers(operation)
            summary = (operation or {}).get("summary", "").split(". ")[0].replace("|", "\\|").replace("\n", " ")
            if not found:
                summary = f"HTML page ({endpoint})"
            lines.append(f"| {method} | `{expanded}` | {_who(operation)} | {good} | {bad} | {summary} |")
    return "\n".join(lines)


def error_codes_block(document: dict) -> str:
    seen: dict[str, set[str]] = {}
    for operations in document["paths"].values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    for code in error_codes(response.get("description", "")):
                        seen.setdefault(code, set()).add(status)
    lines = ["| code | HTTP status |", "|---|---|"]
    lines += [f"| `{code}` | {', '.join(sorted(statuses))} |" for code, statuses in sorted(seen.items())]
    return "\n".join(lines)


def _schema_type(schema: dict) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    kind = schema.get("type", "object" if "properties" in schema else "any")
    if kind == "array":
        kind = f"[{_schema_type(schema.get('items', {}))}]"
    elif "enum" in schema:
        kind = " \\| ".join(f'"{value}"' for value in schema["enum"])
    elif schema.get("format"):
        kind = f"{kind} ({schema['format']})"
    return kind + (" \\| null" if schema.get("nullable") else "")


def schemas_block(document: dict) -> str:
    lines = []
    for name, schema in document["components"]["schemas"].items():
        parts = schema.get("allOf") or [schema]
        lines.append(f"**{name}**" + (f" — {schema['description']}" if schema.get("description") else ""))
        lines.append("")
        for part in parts:
            if "$ref" in part:
                lines.append(f"- every field of {_schema_type(part)}")
            for field, spec in (part.get("properties") or {}).items():
                note = f" — {spec['description']}" if spec.get("description") else ""
                lines.append(f"- `{field}`: {_schema_type(spec)}{note}")
        lines.append("")
    return "\n".join(lines).rstrip()


# ---------------------------------------------------------------- the command line


def cli_main():
    """Return the click group of the ``kiosk`` console script, as pyproject.toml names it."""
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    module, _, attribute = scripts["kiosk"].partition(":")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return getattr(importlib.import_module(module), attribute)


def cli_commands(group=None, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Yield (command path, click command) for the group and every command under it, in name order."""
    import click

    group = group or cli_main()
    yield path, group
    if isinstance(group, click.Group):
        for name in sorted(group.commands):
            yield from cli_commands(group.commands[name], path + (name,))


def cli_help(path: tuple[str, ...]) -> str:
    from click.testing import CliRunner

    environment = {"KIOSK_CONFIG": None, "KIOSK_DB": None}
    result = CliRunner(env=environment).invoke(cli_main(), [*path, "--help"], prog_name="kiosk", terminal_width=100)
    assert result.exit_code == 0, (path, result.output)
    return result.output.rstrip()


def option_names(command) -> list[str]:
    """Return every long option and argument (a choice argument: its choices) a command takes, --help aside."""
    import click

    names = []
    for parameter in command.params:
        if isinstance(parameter, click.Option):
            names += [flag for flag in parameter.opts + parameter.secondary_opts if flag.startswith("--")]
        elif isinstance(parameter.type, click.Choice):  # shown as {a|b}: each choice
            names += [str(choice) for choice in parameter.type.choices]
        else:
            names.append(parameter.human_readable_name)
    return names


def cli_block() -> str:
    parts = []
    for path, _command in cli_commands():
        title = " ".join(("kiosk", *path))
        parts += [f"#### `{title}`", "", "```text", cli_help(path), "```", ""]
    return "\n".join(parts).rstrip()


# ---------------------------------------------------------------- the configuration file


def settings_module():
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    for name in SETTINGS_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        if hasattr(module, "parse_settings") and hasattr(module, "Settings"):
            return module
    raise ImportError(f"no settings module among {SETTINGS_MODULES}")


def _unwrap(hint: Any) -> Any:
    """Return X of ``X | None``; other hints unchanged."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        arguments = [argument for argument in typing.get_args(hint) if argument is not type(None)]
        if len(arguments) == 1:
            return arguments[0]
    return hint


def _type_name(hint: Any) -> str:
    hint = _unwrap(hint)
    origin = typing.get_origin(hint)
    if origin is tuple:
        return f"array of {_type_name(typing.get_args(hint)[0])}"
    if origin is dict:
        return "table"
    names = {str: "string", int: "integer", float: "number", bool: "boolean"}
    if hint in names:
        return names[hint]
    if getattr(hint, "__name__", "") in ("Path", "ZoneInfo", "Hours"):
        return {"Path": "path", "ZoneInfo": "time zone", "Hours": '"HH:MM-HH:MM"'}[hint.__name__]
    return getattr(hint, "__name__", str(hint))


def config_keys() -> list[tuple[str, str, str, Any]]:
    """Return (dotted key, type, default text, attribute chain) of every key the settings loader reads.

    Arrays of tables are written ``services[].code``; a table of free keys ``status.next_service.*``.
    """
    module = settings_module()
    keys: list[tuple[str, str, str, Any]] = []

    def walk(cls: type, prefix: str, chain: tuple):
        hints = typing.get_type_hints(cls)
        for item in dataclasses.fields(cls):
            toml_path = item.metadata.get("toml", item.name)
            if toml_path is None:
                continue
            key = f"{prefix}{toml_path}"
            hint = _unwrap(hints[item.name])
            origin = typing.get_origin(hint)
            if dataclasses.is_dataclass(hint):
                walk(hint, key + ".", chain + (item.name,))
            elif origin is tuple and dataclasses.is_dataclass(typing.get_args(hint)[0]):
                walk(typing.get_args(hint)[0], key + "[].", None)
            elif origin is dict and getattr(typing.get_args(hint)[1], "__name__", "") == "Hours":
                for day in WEEKDAYS:
                    keys.append((f"{key}.{day}", '"HH:MM-HH:MM"', "", chain + (item.name, day) if chain else None))
            elif origin is dict:
                keys.append((f"{key}.*", "string", "", chain + (item.name,) if chain else None))
            else:
                keys.append((key, _type_name(hint), "", chain + (item.name,) if chain is not None else None))

    walk(module.Settings, "", ())
    defaults = module.parse_settings(MINIMAL_OFFICE)
    required = _required_keys(module)
    result = []
    for key, kind, _, chain in keys:
        if key in required:
            default = "required"
        elif chain is None or key.endswith(".*"):
            default = "— (not set)"
        else:
            value: Any = defaults
            for name in chain:
                value = value[name] if isinstance(value, dict) else getattr(value, name)
            default = _literal(value)
        result.append((key, kind, default, chain))
    return result


def _required_keys(module) -> set[str]:
    """Return the keys the smallest office cannot leave out."""
    required = set()
    for table, key in (("office", "name"),):
        office = {**MINIMAL_OFFICE, table: {}}
        try:
            module.parse_settings(office)
        except Exception:  # noqa: BLE001 - any refusal means "required"
            required.add(f"{table}.{key}")
    for key in ("code", "name", "prefix"):
        required.add(f"services[].{key}")
    for key in ("id", "name", "services"):
        required.add(f"counters[].{key}")
    return required


def _literal(value: Any) -> str:
    """Return a default as it would be written in TOML ("" for a closed day; — for no value)."""
    if value is None:
        return "— (not set)"
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, (int, float)):
        return f"`{value}`"
    if isinstance(value, (tuple, list)):
        return "`[" + ", ".join(f'"{item}"' for item in value) + "]`"
    if type(value).__name__ == "Hours":
        return '`""` (closed)' if value.opens is None else f"`{value}`"
    text = str(getattr(value, "key", value))  # ZoneInfo -> its name, Path -> its text
    return f'`"{text}"`'


def demo_values() -> dict[str, tuple[str, str]]:
    """Return dotted key -> (value, comment) as config/kiosk.toml writes it (commented-out keys too)."""
    found: dict[str, tuple[str, str]] = {}
    table = ""
    known = {key for key, *_ in config_keys()}
    for raw_line in DEMO_CONFIG.read_text(encoding="utf-8").splitlines():
        line = raw_line.strip()
        header = re.match(r"^\[\[?([\w.]+)\]\]?", line)
        if header:
            table = header.group(1) + ("[]" if line.startswith("[[") else "")
            continue
        assignment = re.match(r"^#?\s*([a-z_]+)\s*=\s*(.+)$", line)
        if not assignment:
            continue
        name, rest = assignment.groups()
        value, comment = _split_value(rest)
        if value is None:
            continue
        if line.startswith("#"):
            comment = f"(commented out) {comment}".strip()
        key = f"{table}.{name}"
        if key not in known:  # a commented-out key listed under another table names its own
            matches = [other for other in known if other.rsplit(".", 1)[-1] == name]
            key = matches[0] if len(matches) == 1 else ""
        if key and key not in found:
            found[key] = (value, comment)
    return found


def _split_value(rest: str) -> tuple[str | None, str]:
    """Split ``value   # comment`` (or ``value   comment`` in a commented-out line) at the value's end."""
    for end in range(1, len(rest) + 1):  # the shortest prefix that is a whole value: a comment may hold values too
        candidate = rest[:end].strip()
        if not candidate or (end < len(rest) and not rest[end:].startswith((" ", "#"))):
            continue
        try:
            tomllib.loads(f"x = {candidate}")
        except tomllib.TOMLDecodeError:
            continue
        return candidate, rest[end:].strip().lstrip("#").strip()
    return None, ""


def config_block() -> str:
    demo = demo_values()
    lines = ["| key | type | default | in `config/kiosk.toml` | note there |", "|---|---|---|---|---|"]
    for key, kind, default, _ in config_keys():
        value, comment = demo.get(key, ("", ""))
        shown = f"`{value}`".replace("|", "\\|") if value else ""
        lines.append(f"| `{key}` | {kind} | {default} | {shown} | {comment.replace('|', chr(92) + '|')} |")
    return "\n".join(lines)


# ---------------------------------------------------------------- the document


def blocks() -> dict[str, str]:
    app, document = office_app()
    try:
        return {
            "routes": routes_block(app, document),
            "error-codes": error_codes_block(document),
            "schemas": schemas_block(document),
            "cli": cli_block(),
            "config": config_block(),
        }
    finally:
        close_app(app)


def render(text: str, generated: dict[str, str]) -> str:
    for name, body in generated.items():
        start, end = f"<!-- generated: {name} -->\n", f"<!-- end generated: {name} -->"
        pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
        if not pattern.search(text):
            raise SystemExit(f"docs/contract.md has no block '{name}'")
        text = pattern.sub(lambda _match, body=body, start=start, end=end: start + body + "\n" + end, text)
    return text


def main(argv: list[str]) -> int:
    current = CONTRACT.read_text(encoding="utf-8")
    updated = render(current, blocks())
    if "--check" in argv:
        if updated != current:
            print("docs/contract.md is out of date: run python docs/make_contract.py", file=sys.stderr)
            return 1
        return 0
    CONTRACT.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
