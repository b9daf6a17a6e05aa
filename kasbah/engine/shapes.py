"""Preview outputs in the provider's output shape, derived from the SDK's output types.

A provider's preview of a create returns the resource's *output* properties: the inputs
it was given, converted to the output types, plus unknowns for what the cloud computes.
The Python SDK then converts that object with the resource class's output types. Echoing
the inputs back breaks where the two shapes differ (azure-native ``userAssignedIdentities``
is a list of ids on input and a map of id to identity on output: echoing it crashes the SDK).

So the monitor shapes what it returns, type by type, from the resource class's property
getters (``pulumi.Output[...]`` annotations, pulumi names):

- an input with an output property of the same name is converted to the output type
  (lists of ids into maps keyed by id, objects filtered to the output type's properties);
  a value that cannot take the output type's shape becomes unknown, never a wrong shape;
- a non-optional output the program did not set is unknown (the cloud computes it);
- an input that is not an output property is left out, as the provider leaves it out;
- a resource reference becomes the referenced resource's id (unknown during a preview) or,
  for a component, its URN: what the engine marshals to providers and policies.

Types the SDK does not describe (components, providers, packages not installed) echo their inputs.
"""

from __future__ import annotations

import collections.abc
import enum
import functools
import importlib
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kasbah.engine.model import (
    OUTPUT_SIG,
    PROVIDER_PREFIX,
    RESOURCE_SIG,
    SECRET_SIG,
    SECRET_SIG_KEY,
    UNKNOWN_SENTINEL,
)


@dataclass(frozen=True)
class Prop:
    type: Any
    optional: bool


def resource_class(type_: str) -> type | None:
    """The SDK class of a resource type token (``aws:s3/bucket:Bucket`` -> ``pulumi_aws.s3.Bucket``)."""
    return _resource_class(type_)


@functools.lru_cache(maxsize=8192)
def _resource_class(type_: str) -> type | None:
    parts = type_.split(":")
    if len(parts) != 3 or type_.startswith("pulumi:"):
        return None
    package, module, name = parts
    base = "pulumi_" + package.replace("-", "_")
    mod_name = module.split("/")[0]
    candidates = [base] if mod_name in ("index", "") else [f"{base}.{mod_name}", f"{base}.{mod_name.lower()}"]
    for candidate in candidates:
        # Through the package only: importing a class's own file directly can leave a provider's
        # lazily loaded package without its classes (the program would then fail to import them).
        try:
            mod = importlib.import_module(candidate)
        except ImportError:
            continue
        klass = getattr(mod, name, None)
        if isinstance(klass, type):
            return klass
    return None


@functools.lru_cache(maxsize=8192)
def output_properties(type_: str) -> Mapping[str, Prop] | None:
    """Output properties of a resource type by pulumi name; None when the SDK does not describe it."""
    klass = _resource_class(type_)
    if klass is None:
        return None
    return _class_properties(klass)


@functools.lru_cache(maxsize=8192)
def _class_properties(klass: type) -> Mapping[str, Prop] | None:
    from pulumi import Output, _types

    try:
        hints: dict[str, Any] = _types._raw_return_hints(klass)
    except Exception:  # the SDK's private helper changed or a hint does not resolve
        try:
            return {k: Prop(v, True) for k, v in _types.resource_types(klass).items()}
        except Exception:
            return None
    props: dict[str, Prop] = {}
    for name, hint in hints.items():
        inner = hint
        if typing.get_origin(inner) is Output:
            args = typing.get_args(inner)
            inner = args[0] if args else Any
        elif inner is Output:
            inner = Any
        optional = _is_optional(inner)
        props[name] = Prop(_types.unwrap_type(inner) if inner is not Any else Any, optional)
    return props


def _is_optional(tp: Any) -> bool:
    if tp is type(None):
        return True
    origin = typing.get_origin(tp)
    if origin is typing.Union or (origin is not None and str(origin) == "<class 'types.UnionType'>"):
        return any(_is_optional(t) for t in typing.get_args(tp))
    return False


def _output_type_properties(klass: type) -> Mapping[str, Prop] | None:
    from pulumi import _types

    if not _types.is_output_type(klass):
        return None
    return _class_properties_of_output_type(klass)


@functools.lru_cache(maxsize=8192)
def _class_properties_of_output_type(klass: type) -> Mapping[str, Prop]:
    from pulumi import _types

    try:
        hints: dict[str, Any] = _types._raw_return_hints(klass)
        return {n: Prop(_types.unwrap_type(h), _is_optional(h)) for n, h in hints.items()}
    except Exception:
        return {n: Prop(t, True) for n, t in _types.output_type_types(klass).items()}


def output_type_property_names(klass: type) -> tuple[str, ...] | None:
    """The pulumi names of an output type's properties (None when ``klass`` is not an output type)."""
    props = _output_type_properties(klass)
    return tuple(sorted(props)) if props is not None else None


def plain_reference(value: Mapping[str, Any]) -> Any:
    """A resource reference as the engine marshals it without ``KeepResources``: its id, else its URN.

    pulumi/pulumi ``sdk/go/common/resource/plugin/rpc.go`` (``MarshalPropertyValue``): a
    reference with an id (custom resources; unknown while previewing a create) becomes the id,
    a component (no id) becomes its URN string.
    """
    if "id" in value:
        rid = value.get("id")
        return UNKNOWN_SENTINEL if rid in (None, "") else rid
    return value.get("urn", UNKNOWN_SENTINEL)


def plain(value: Any) -> Any:
    """Resource references replaced by their id or URN, output values by their value (deep).

    Copy on write: a value without references or output values is returned as it is (the
    analysis marshals every resource's properties through this, so the common case allocates nothing).
    """
    if isinstance(value, dict):
        sig = value.get(SECRET_SIG_KEY)
        if sig == RESOURCE_SIG:
            return plain_reference(value)
        if sig == OUTPUT_SIG:
            inner = plain(value["value"]) if "value" in value else UNKNOWN_SENTINEL
            return {SECRET_SIG_KEY: SECRET_SIG, "value": inner} if value.get("secret") else inner
        changed: dict[str, Any] | None = None
        for k, v in value.items():
            if sig is not None and k != "value":
                continue
            p = plain(v)
            if p is not v:
                if changed is None:
                    changed = dict(value)
                changed[k] = p
        return changed if changed is not None else value
    if isinstance(value, list):
        items = [plain(v) for v in value]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    return value


def shape(value: Any, target: Any) -> Any:
    """Convert one (plain) wire value to an output type; unknown where the shapes cannot agree."""
    if value is None or value == UNKNOWN_SENTINEL:
        return value
    if isinstance(value, dict) and SECRET_SIG_KEY in value:
        if value[SECRET_SIG_KEY] == SECRET_SIG:
            return {SECRET_SIG_KEY: SECRET_SIG, "value": shape(value.get("value"), target)}
        return value  # assets and archives keep their form
    if target is Any or target is None or isinstance(target, typing.TypeVar):
        return value
    origin = typing.get_origin(target)
    args = typing.get_args(target)
    if origin is typing.Union or type(target).__name__ == "UnionType":
        return shape(value, _union_arm(value, [a for a in args if a is not type(None)]))
    if origin in (list, collections.abc.Sequence, typing.Sequence, tuple):
        if not isinstance(value, list):
            return UNKNOWN_SENTINEL
        element = args[0] if args else Any
        return [shape(v, element) for v in value]
    if origin in (dict, collections.abc.Mapping, typing.Mapping):
        element = args[1] if len(args) == 2 else Any
        if isinstance(value, dict):
            return {k: shape(v, element) for k, v in value.items()}
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            # A list of keys on input, a map keyed by them on output (azure-native's
            # userAssignedIdentities): each entry's computed properties are unknown.
            return {v: shape({}, element) for v in value}
        return UNKNOWN_SENTINEL
    if isinstance(target, type):
        props = _output_type_properties(target)
        if props is not None:
            if not isinstance(value, dict):
                return UNKNOWN_SENTINEL
            return _shape_object(value, props, computed_unknown=True)
        if issubclass(target, enum.Enum) or target in (str, int, float, bool):
            return UNKNOWN_SENTINEL if isinstance(value, dict | list) else value
    return value


def _union_arm(value: Any, arms: list[Any]) -> Any:
    """The arm of a union output type a value can take (objects: the type sharing most keys)."""
    if not arms:
        return Any
    if len(arms) == 1:
        return arms[0]
    if isinstance(value, list):
        return next((a for a in arms if typing.get_origin(a) in (list, collections.abc.Sequence)), arms[0])
    if isinstance(value, dict):
        scored = []
        for arm in arms:
            props = _output_type_properties(arm) if isinstance(arm, type) else None
            if props is not None:
                scored.append((len(set(props) & set(value)), arm))
        if scored:
            return max(scored, key=lambda s: s[0])[1]
        return next((a for a in arms if typing.get_origin(a) in (dict, collections.abc.Mapping)), arms[0])
    return next(
        (
            a
            for a in arms
            if a in (str, int, float, bool) or (isinstance(a, type) and issubclass(a, enum.Enum))
        ),
        arms[0],
    )


def _shape_object(
    value: Mapping[str, Any], props: Mapping[str, Prop], computed_unknown: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, prop in props.items():
        if name in value:
            out[name] = shape(value[name], prop.type)
        elif computed_unknown and not prop.optional:
            out[name] = UNKNOWN_SENTINEL
    return out


def input_view(wire: Mapping[str, Any], outputs: Mapping[str, Any]) -> dict[str, Any]:
    """A custom resource's inputs in its output shape: every input kept (input-only ones too),
    converted where the output type differs, computed outputs the program did not set left out."""
    flat = plain(dict(wire))
    return {k: (outputs.get(k, v)) for k, v in flat.items() if not k.startswith("__")}


def preview_outputs(type_: str, wire: Mapping[str, Any], custom: bool) -> dict[str, Any]:
    """What a provider's preview of this resource returns (outputs in wire form)."""
    flat = plain(dict(wire))
    if not custom or type_.startswith(PROVIDER_PREFIX):
        return {k: v for k, v in flat.items() if not k.startswith("__")}
    props = output_properties(type_)
    if props is None:
        return {k: v for k, v in flat.items() if not k.startswith("__")}
    return _shape_object(flat, props, computed_unknown=True)
