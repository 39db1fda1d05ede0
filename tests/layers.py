"""Read every module's imports (with ast) and check the layer rules and that no import circle exists.

Imports under ``if TYPE_CHECKING:`` are left out unless ``with_types`` asks for them: they never run, but a
module that names another's type still depends on it, so the product keeps no circle through them either.
Imports inside functions count (they run, only later), so a circle hidden in a function still counts as one.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

# Layers of the product package, lowest first. A module outside them (kiosk.cli, kiosk.regency ...) has no
# layer rule, but takes part in the circle check.
LAYERS = ("domain", "storage", "devices", "files", "office", "web", "tools")

# Which other kiosk layers each layer may import (always: itself, kiosk.paths).
ALLOWED = {
    "domain": set(),
    "storage": {"domain"},
    "devices": {"domain", "storage"},
    "files": {"domain", "storage"},
    "office": {"domain", "storage", "devices", "files"},
    "web": {"domain", "storage", "devices", "files", "office"},
    "tools": set(LAYERS) | {"<top>"},
}
# Libraries a layer must not import: pure rules know no web, database or printer hardware (nor the repository's
# own printer driver package, `printer`, but for the exception below).
FORBIDDEN_EXTERNAL = {
    "domain": {"flask", "werkzeug", "sqlite3", "sqlite_utils", "waitress", "escpos"},
    "storage": {"flask", "werkzeug", "waitress", "escpos"},
}
# The one exception: the settings rules check printer values with the printer package's pure helpers
# (profile names, header text, whether a QR code fits the paper), imported from the top-level `printer`.
EXCEPTIONS = {("kiosk.domain.settings", "printer")}
ALWAYS_ALLOWED = {"kiosk.paths", "kiosk.version"}  # file locations and the version number: no behaviour


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the imported module (as written, resolved for relative imports)
    line: int


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(source: str, module: str, is_package: bool = False, with_types: bool = False) -> list[Import]:
    """Return the imports a module's source makes, leaving out those under ``if TYPE_CHECKING:`` unless
    ``with_types``."""
    found: list[Import] = []
    package = module if is_package else module.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child.test) and not with_types:
                for item in child.orelse:
                    visit(item)
                continue
            if isinstance(child, ast.Import):
                found.extend(Import(module, alias.name, child.lineno) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (child.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                # `from package import name`: the submodule when ``name`` is one, else the package (resolved later)
                found.extend(Import(module, f"{base}.{alias.name}", child.lineno) for alias in child.names)
            visit(child)

    visit(ast.parse(source))
    return found


def graph(root: Path, with_types: bool = False) -> dict[str, list[Import]]:
    """Map every module under the package ``root`` to the imports it makes."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        name = module_name(root, path)
        modules[name] = imports_of(path.read_text(encoding="utf-8"), name, path.name == "__init__.py", with_types)
    return modules


def layer_of(module: str, top: str) -> str | None:
    parts = module.split(".")
    if parts[0] != top:
        return None
    if len(parts) > 1 and parts[1] in LAYERS:
        return parts[1]
    return "<top>"


def _resolve(target: str, modules: dict) -> str:
    """Return the module of the tree an import names: ``kiosk.storage.tickets.issue`` → ``kiosk.storage.tickets``."""
    while target and target not in modules:
        target = target.rpartition(".")[0]
    return target


def violations(root: Path, with_types: bool = False) -> list[str]:
    """Return every import that reaches up (or out to a forbidden library), as 'module:line imports target'."""
    top = root.name
    modules = graph(root, with_types)
    problems = []
    for module, imports in modules.items():
        layer = layer_of(module, top)
        if layer not in ALLOWED:
            continue
        for item in imports:
            head = item.target.split(".")[0]
            if (module, head) in EXCEPTIONS:
                continue
            if head == top:
                target = _resolve(item.target, modules)
                if not target or target in ALWAYS_ALLOWED:
                    continue
                other = layer_of(target, top)
                if other == layer or other in ALLOWED[layer]:
                    continue
                problems.append(f"{module}:{item.line} imports {item.target} ({layer} may not use {other})")
            elif head in FORBIDDEN_EXTERNAL.get(layer, ()) or (layer == "domain" and head == "printer"):
                problems.append(f"{module}:{item.line} imports {item.target} ({layer} may not use {head})")
    return problems


def edges(root: Path, with_types: bool = False) -> dict[str, set[str]]:
    """Map every module to the modules of the same tree it imports (a name imported from a package that is
    a submodule counts as that submodule; otherwise as the package)."""
    modules = graph(root, with_types)
    result: dict[str, set[str]] = {name: set() for name in modules}
    for module, imports in modules.items():
        for item in imports:
            target = _resolve(item.target, modules)
            if target and target != module:
                result[module].add(target)
    return result


def circles(root: Path, with_types: bool = False) -> list[list[str]]:
    """Return the import circles: strongly connected components of more than one module (Tarjan)."""
    graph_edges = edges(root, with_types)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def strong(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph_edges[node]):
            if other not in index:
                strong(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph_edges):
        if node not in index:
            strong(node)
    return found
