"""What the repository holds: blueprints and stacks, each with a one-line description."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Entry:
    name: str
    description: str
    path: Path


def blueprints(root: Path) -> list[Entry]:
    """Every ``blueprints/<name>/Pulumi.yaml``, with its description."""
    out = []
    for p in sorted((root / "blueprints").glob("*/Pulumi.yaml")):
        data = yaml.safe_load(p.read_text()) or {}
        out.append(Entry(p.parent.name, str(data.get("description") or "").strip(), p.parent))
    return out


def stacks(root: Path) -> list[Entry]:
    """Every ``stacks/Pulumi.<stack>.yaml``; the description is the file's first comment line."""
    out = []
    for p in sorted((root / "stacks").glob("Pulumi.*.yaml")):
        name = p.name[len("Pulumi.") : -len(".yaml")]
        desc = ""
        for line in p.read_text().splitlines():
            if line.startswith("#"):
                desc = line.lstrip("#").strip()
                break
        data = yaml.safe_load(p.read_text()) or {}
        bp = (data.get("config") or {}).get("kasbah:blueprint", "?")
        out.append(Entry(name, f"[{bp}] {desc}".strip(), p))
    return out
