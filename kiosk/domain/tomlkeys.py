"""Refuse TOML keys and tables a settings dataclass does not read, naming the closest known one.

The known keys are derived from the dataclass fields (one source of truth): a field added to a
settings dataclass is a known key at once. A field's key is its name unless its ``toml`` metadata
gives a dotted path (e.g. ``"database.path"``) or None (not read from the file).
"""

from __future__ import annotations

import difflib
import types
import typing
from dataclasses import fields, is_dataclass
from typing import Any

from kiosk.domain.errors import ConfigError

# A table whose keys are data (e.g. SIAK status codes), not settings.
ANY_KEYS = "any keys"


def schema_of(cls: type, keyed_by: dict[type, tuple[str, ...]]) -> dict[str, Any]:
    """Return the keys a settings dataclass reads: key -> None (a value), a dict (a table) or [dict] (an array of tables).

    ``keyed_by`` names the keys of a ``dict[str, X]`` field by its value type X (e.g. weekdays for opening hours);
    any other mapping takes any key.
    """
    hints = typing.get_type_hints(cls)
    schema: dict[str, Any] = {}
    for item in fields(cls):
        path = item.metadata.get("toml", item.name)
        if path is None:
            continue
        *tables, key = path.split(".")
        node = schema
        for table in tables:
            node = node.setdefault(table, {})
        value = _value_schema(hints[item.name], keyed_by)
        existing = node.get(key)
        node[key] = {**existing, **value} if isinstance(existing, dict) and isinstance(value, dict) else value
    return schema


def check_known(raw: dict, schema: dict[str, Any], where: str = "") -> None:
    """Raise ConfigError for the first key or table the schema does not know, or a table of the wrong kind."""
    for key, value in raw.items():
        name = f"{where}.{key}" if where else key
        if key not in schema:
            raise ConfigError(_unknown(key, value, schema, where))
        expected = schema[key]
        if isinstance(expected, list):
            if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
                raise ConfigError(f"[[{name}]] must be an array of tables")
            for index, item in enumerate(value):
                check_known(item, expected[0], f"{name}[{index}]")
        elif expected is not None and not isinstance(value, dict):
            raise ConfigError(f"[{name}] must be a table")
        elif isinstance(expected, dict):
            check_known(value, expected, name)


def _value_schema(hint: Any, keyed_by: dict[type, tuple[str, ...]]) -> Any:
    origin = typing.get_origin(hint)
    args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    if origin in (typing.Union, types.UnionType) and len(args) == 1:
        return _value_schema(args[0], keyed_by)  # an optional X reads like X
    if isinstance(hint, type) and is_dataclass(hint):
        return schema_of(hint, keyed_by)
    if origin is tuple and isinstance(args[0], type) and is_dataclass(args[0]):
        return [schema_of(args[0], keyed_by)]
    if origin is dict:
        return dict.fromkeys(keyed_by[args[1]]) if args[1] in keyed_by else ANY_KEYS
    return None


def _unknown(key: str, value: Any, schema: dict[str, Any], where: str) -> str:
    def named(known: str) -> str:
        dotted = f"{where}.{known}" if where else known
        return f"[{dotted}]" if isinstance(value, dict) else dotted

    what = "table" if isinstance(value, dict) else "key"
    closest = difflib.get_close_matches(key, list(schema), n=1)
    if closest:
        return f"unknown {what} {named(key)} (did you mean {named(closest[0])}?)"
    return f"unknown {what} {named(key)} (known: {', '.join(schema)})"
