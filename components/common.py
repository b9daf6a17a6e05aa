"""Shared inputs, tag layering and deterministic naming, for every cloud."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, TypeVar

from components.errors import ConfigError
from kasbah.facts import CLASSIFICATION_TAG as CLASSIFICATION_TAG  # declared once, in kasbah.facts
from kasbah.facts import DataClassification as DataClassification


@dataclass(frozen=True)
class CommonArgs:
    """Inputs every Kasbah component takes, on every cloud."""

    prefix: str = "kbh"
    """Short prefix of every physical name (2-10 lowercase letters or digits). Default: ``kbh``."""

    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags put on every taggable child, under the component's own tags. Default: none."""

    protect: bool = False
    """Protect stateful children (keys, archives) against deletion. Default: ``False``."""

    diagnostics: bool = True
    """Send logs and metrics of the component's children to the platform's log store. Default: ``True``."""

    def __post_init__(self) -> None:
        validate_prefix(self.prefix)


_ArgsT = TypeVar("_ArgsT")


def args_of(cls: type[_ArgsT], spec: Any, **runtime: Any) -> _ArgsT:
    """A component's ``cls`` arguments from the pure ``spec`` it extends, plus its ``runtime`` inputs.

    A component's arguments subclass the spec class that blueprint settings embed or extend (inputs
    declared once). This takes every field of the spec classes ``cls`` and ``spec`` share, so nothing
    is copied field by field; ``runtime`` gives the rest and may override a spec field (a resolved value).
    """
    shared = [base for base in cls.__mro__ if is_dataclass(base) and isinstance(spec, base)]
    if not shared:
        raise TypeError(f"{type(spec).__name__} is not a spec of {cls.__name__}")
    names = {f.name for base in shared for f in fields(base)} - runtime.keys()
    return cls(**{name: getattr(spec, name) for name in sorted(names)}, **runtime)


_PREFIX_RE = re.compile(r"^[a-z][a-z0-9]{1,9}$")


def validate_prefix(prefix: str, key: str = "kasbah:prefix") -> str:
    """Return ``prefix`` when it is 2-10 lowercase letters or digits starting with a letter."""
    if not _PREFIX_RE.match(prefix):
        raise ConfigError(
            key,
            f"prefix {prefix!r} is not 2-10 lowercase letters or digits starting with a letter",
            "use a short prefix such as 'kbh' or 'acme'",
        )
    return prefix


def layer_tags(*layers: Mapping[str, str] | None) -> dict[str, str]:
    """Merge tag layers, later layers winning: ``layer_tags(org, component, resource)``.

    The one helper every component uses, so that tag precedence is the same
    everywhere. ``None`` layers are skipped. Keys and values are kept as given.
    """
    merged: dict[str, str] = {}
    for layer in layers:
        if layer:
            merged.update(layer)
    return merged


def child_name(name: str, role: str, *qualifiers: str | int) -> str:
    """Deterministic logical name of a child: ``f"{name}-{role}-{q1}-{q2}"``."""
    parts = [name, role, *(str(q) for q in qualifiers if str(q) != "")]
    return "-".join(parts)


def stable_hash(value: str, length: int = 6) -> str:
    """A short, stable, lowercase hex digest of ``value`` (for globally unique names)."""
    if not 4 <= length <= 32:
        raise ValueError("length must be between 4 and 32")
    return hashlib.sha256(value.encode()).hexdigest()[:length]


def classification_tags(classification: DataClassification | str) -> dict[str, str]:
    """The tag layer that states a data store's classification."""
    return {CLASSIFICATION_TAG: DataClassification(classification).value}
