"""Typed blueprint configuration, read from the ``kasbah:`` namespace.

A blueprint declares its configuration once, as a dataclass whose fields carry
attribute docstrings that state their defaults. The same class:

- parses and validates a stack's configuration (:func:`parse_settings`, pure,
  tested without Pulumi; :func:`read_settings` reads it from ``pulumi.Config``);
- generates the blueprint README's configuration table (:func:`config_table_rows`).

Keys are the camelCase form of field names (``home_region`` -> ``kasbah:homeRegion``).
Nested dataclasses and lists of dataclasses are structured (object/array) values.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import inspect
import itertools
import json
import textwrap
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeVar

from components.common import CommonArgs, validate_prefix
from components.errors import ConfigError

NAMESPACE = "kasbah"

RESERVED_KEYS = frozenset({"blueprint"})
"""Keys of the namespace that belong to the root project, not to a blueprint (``kasbah:blueprint``)."""

T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class CommonSettings:
    """The configuration keys every blueprint shares: the ``CommonArgs`` of its components.

    A blueprint's ``Settings`` subclasses it (``@dataclass(frozen=True, kw_only=True)``)
    so that ``kasbah:prefix``, ``kasbah:tags`` and ``kasbah:protect`` are declared once.
    """

    prefix: str = "kbh"
    """Short prefix of physical names (2-10 lowercase letters or digits). Default: ``kbh``."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on every taggable resource, under each component's own. Default: none."""
    protect: bool = False
    """Protect stateful resources (keys, archives, vaults, workspaces) against deletion. Default: ``false``."""

    def __post_init__(self) -> None:
        validate_prefix(self.prefix)

    def common_args(self, **tags: str) -> CommonArgs:
        """The components' shared inputs, with extra tags layered over ``kasbah:tags``."""
        return CommonArgs(prefix=self.prefix, tags={**self.tags, **tags}, protect=self.protect)


def camel(name: str) -> str:
    """``home_region`` -> ``homeRegion``."""
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def field_docs(cls: type) -> dict[str, str]:
    """The attribute docstrings of a dataclass's fields, by field name."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if not dataclasses.is_dataclass(klass):
            continue
        try:
            source = textwrap.dedent(inspect.getsource(klass))
        except (OSError, TypeError):
            continue
        tree = ast.parse(source)
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for node, nxt in itertools.pairwise(body):
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and isinstance(nxt, ast.Expr)
                and isinstance(nxt.value, ast.Constant)
                and isinstance(nxt.value.value, str)
            ):
                docs[node.target.id] = " ".join(nxt.value.value.split())
    return docs


def _type_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return " | ".join(_type_name(a) for a in inner) + (" (optional)" if len(inner) < len(args) else "")
    if origin in (list, tuple):
        return f"list of {_type_name(args[0])}" if args else "list"
    if origin in (dict, Mapping) or origin is typing.get_origin(Mapping[str, str]):
        return f"map of {_type_name(args[1])}" if len(args) == 2 else "map"
    if isinstance(tp, type) and issubclass(tp, Enum):
        return " | ".join(str(m.value) for m in tp)
    if dataclasses.is_dataclass(tp):
        return "object"
    return {str: "string", int: "integer", float: "number", bool: "boolean"}.get(
        tp, getattr(tp, "__name__", str(tp))
    )


def _default_repr(f: dataclasses.Field[Any]) -> str:
    if f.default is not dataclasses.MISSING:
        value = f.default
    elif f.default_factory is not dataclasses.MISSING:
        value = f.default_factory()
    else:
        return "(required)"
    if isinstance(value, Enum):
        return str(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return "see below"
    return json.dumps(_plain(value))


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {camel(f.name): _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def config_table_rows(cls: type, prefix: str = f"{NAMESPACE}:") -> list[tuple[str, str, str, str]]:
    """(key, type, default, description) for each field, nested objects flattened with dots."""
    docs = field_docs(cls)
    hints = typing.get_type_hints(cls)
    rows: list[tuple[str, str, str, str]] = []
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        key = prefix + camel(f.name)
        rows.append((key, _type_name(tp), _default_repr(f), docs.get(f.name, "")))
        if dataclasses.is_dataclass(tp) and isinstance(tp, type):
            rows.extend(config_table_rows(tp, key + "."))
        item = (
            typing.get_args(tp)[0] if typing.get_origin(tp) in (list, tuple) and typing.get_args(tp) else None
        )
        if dataclasses.is_dataclass(item) and isinstance(item, type):
            rows.extend(config_table_rows(item, key + "[]."))
    return rows


def _coerce(path: str, tp: Any, value: Any) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _coerce(path, inner[0], value)
    if tp is Any:
        return value
    if isinstance(tp, type) and issubclass(tp, Enum):
        allowed = [str(m.value) for m in tp]
        if str(value) not in allowed:
            raise ConfigError(
                path, f"{value!r} is not one of {', '.join(allowed)}", f"set it to one of {allowed}"
            )
        return tp(str(value))
    if tp is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ConfigError(path, f"{value!r} is not a boolean", "set it to true or false")
    if tp is int:
        if isinstance(value, bool):
            raise ConfigError(path, f"{value!r} is not an integer", "set it to a whole number")
        try:
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            return int(value)
        except (TypeError, ValueError):
            raise ConfigError(path, f"{value!r} is not an integer", "set it to a whole number") from None
    if tp is float:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ConfigError(path, f"{value!r} is not a number", "set it to a number") from None
    if tp is str:
        if isinstance(value, dict | list):
            raise ConfigError(path, "expected a string, got a structured value", "set it to a plain string")
        return str(value)
    if origin in (list, tuple):
        if isinstance(value, str):
            value = _json_or(path, value, "a list")
        if not isinstance(value, list):
            raise ConfigError(path, f"expected a list, got {type(value).__name__}", "set it to a YAML list")
        items = [_coerce(f"{path}[{i}]", args[0] if args else Any, v) for i, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if origin is not None and (origin is dict or origin is typing.get_origin(Mapping[str, str])):
        if isinstance(value, str):
            value = _json_or(path, value, "a map")
        if not isinstance(value, dict):
            raise ConfigError(path, f"expected a map, got {type(value).__name__}", "set it to a YAML map")
        vt = args[1] if len(args) == 2 else Any
        return {str(k): _coerce(f"{path}.{k}", vt, v) for k, v in value.items()}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if isinstance(value, str):
            value = _json_or(path, value, "an object")
        if not isinstance(value, dict):
            raise ConfigError(path, f"expected an object, got {type(value).__name__}", "set it to a YAML map")
        return _build(tp, value, path + ".")
    return value


def _json_or(path: str, value: str, what: str) -> Any:
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        raise ConfigError(path, f"expected {what}, got the string {value!r}", f"set it to {what}") from None


def _build(cls: type[T], raw: Mapping[str, Any], prefix: str) -> T:
    hints = typing.get_type_hints(cls)
    known = {camel(f.name): f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    for key in raw:
        if key not in known:
            close = difflib.get_close_matches(key, list(known), n=1)
            hint = (
                f"did you mean '{prefix}{close[0]}'?" if close else f"known keys: {', '.join(sorted(known))}"
            )
            raise ConfigError(
                f"{prefix}{key}", "unknown configuration key", f"remove it or fix its name ({hint})"
            )
    kwargs: dict[str, Any] = {}
    for key, f in known.items():
        if key in raw:
            kwargs[f.name] = _coerce(prefix + key, hints[f.name], raw[key])
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ConfigError(
                prefix + key, "required key is missing", f"set it with `pulumi config set {prefix}{key} ...`"
            )
    try:
        return cls(**kwargs)
    except ConfigError:
        raise
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            prefix.rstrip(".") or cls.__name__, str(exc), "check the value against the documentation"
        ) from None


def parse_settings(cls: type[T], raw: Mapping[str, Any], namespace: str = NAMESPACE) -> T:
    """Build ``cls`` from raw config values (keys without the namespace), validating every one.

    Values may be typed (from YAML) or strings (as ``pulumi.Config`` returns
    them: structured values arrive as JSON). Unknown keys are errors with a
    suggestion; the root project's keys (``kasbah:blueprint``) are ignored.
    Raises :class:`ConfigError` on the first bad key.
    """
    return _build(cls, {k: v for k, v in raw.items() if k not in RESERVED_KEYS}, f"{namespace}:")


def read_settings(cls: type[T], namespace: str = NAMESPACE) -> T:
    """Read ``cls`` from the running program's configuration (the ``kasbah:`` keys)."""
    from pulumi.runtime import config as runtime_config

    merged: dict[str, Any] = dict(runtime_config.get_config_env())
    merged.update(runtime_config.CONFIG.get())
    prefix = f"{namespace}:"
    raw: dict[str, Any] = {}
    for key, value in merged.items():
        if key.startswith(prefix):
            raw[key[len(prefix) :].removeprefix("config:")] = value  # also the legacy ns:config:key form
    return parse_settings(cls, raw, namespace)
