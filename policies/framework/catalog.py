"""The checked lists of control ids a policy may cite, one data file per framework and version.

Each file in ``policies/framework/references/`` names its framework, version, the source
its ids were checked against (the framework's document, or an official secondary mapping
where the document is not public) and its controls, each with its title and what it was
checked against. :func:`check_reference` refuses a reference whose framework, version or
control is not listed there; documentation references (:data:`DOCUMENTATION`) cite a page
instead and must be an https address on the vendor's own site. Kasbah's test suite runs
the check over every policy of every pack (``tests/policies/test_policy_references.py``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final
from urllib.parse import urlparse

from policies.framework.meta import Reference

DOCUMENTATION: Final[Mapping[str, tuple[str, ...]]] = {
    "AWS documentation": ("docs.aws.amazon.com",),
    "Google Cloud documentation": ("cloud.google.com",),
    "Microsoft Learn": ("learn.microsoft.com",),
    "Pulumi documentation": ("www.pulumi.com",),
}
"""Frameworks whose references are documentation pages: the hosts each may cite."""


@dataclass(frozen=True)
class Control:
    """One control of a framework: its id, its title, and what the id and title were checked against."""

    id: str
    title: str
    checked: str


@dataclass(frozen=True)
class Catalog:
    """The valid control ids of one framework version, with their source."""

    framework: str
    version: str
    source: str
    """The document (URL) the ids were checked against."""
    basis: str
    """How the list was checked: the official text, or which official secondary mapping."""
    controls: Mapping[str, Control]


def _parse(data: Mapping[str, Any], name: str) -> Catalog:
    controls = {
        cid: Control(cid, str(entry["title"]), str(entry["checked"]))
        for cid, entry in dict(data["controls"]).items()
    }
    if not controls:
        raise ValueError(f"{name}: a catalog lists at least one control")
    return Catalog(
        framework=str(data["framework"]),
        version=str(data["version"]),
        source=str(data["source"]),
        basis=str(data["basis"]),
        controls=controls,
    )


@cache
def catalogs() -> dict[tuple[str, str], Catalog]:
    """Every catalog shipped with the framework, by (framework, version)."""
    out: dict[tuple[str, str], Catalog] = {}
    folder = resources.files("policies.framework") / "references"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        catalog = _parse(json.loads(entry.read_text(encoding="utf-8")), entry.name)
        key = (catalog.framework, catalog.version)
        if key in out:
            raise ValueError(f"{entry.name}: a second catalog for {key[0]} {key[1]}")
        out[key] = catalog
    return out


def check_reference(ref: Reference) -> str | None:
    """Why ``ref`` is not a valid reference (one line), or ``None`` when it is on its checked list."""
    if ref.framework in DOCUMENTATION:
        url = urlparse(ref.control)
        hosts = DOCUMENTATION[ref.framework]
        if url.scheme != "https" or url.hostname not in hosts:
            return f"{ref.tag()}: a {ref.framework} reference is an https page on {', '.join(hosts)}"
        return None
    catalog = catalogs().get((ref.framework, ref.version))
    if catalog is None:
        versions = sorted(v for f, v in catalogs() if f == ref.framework)
        known = f" (checked versions: {', '.join(versions)})" if versions else " (no checked list)"
        return f"{ref.tag()}: {ref.framework} {ref.version} is not a checked framework version{known}"
    if ref.control not in catalog.controls:
        return f"{ref.tag()}: {ref.control!r} is not on the checked list of {catalog.framework} {catalog.version}"
    return None


def control_of(ref: Reference) -> Control | None:
    """The catalog entry a reference cites (``None`` for documentation or unknown references)."""
    catalog = catalogs().get((ref.framework, ref.version))
    return None if catalog is None else catalog.controls.get(ref.control)
