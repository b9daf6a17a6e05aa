"""Inventory snapshots of stack previews: counts by type and each resource's key properties.

``python -m kasbah.inventory --update`` rewrites ``tests/snapshots/<stack>.json``
for every stack in ``stacks/``, and ``tests/snapshots/programs/<name>.json`` for every
realistic program in ``tests/fixtures/programs`` (previewed with and without the packs:
their findings are pinned too); ``--check`` fails listing the stale ones. The tests
compare against these files and print that command on failure.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from kasbah.engine import STACK_TYPE, PreviewResult, clouds, preview
from kasbah.facts import CLASSIFICATION_TAG
from kasbah.graph import location_of, resources_of

REPO_ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = REPO_ROOT / "tests" / "snapshots"
PROGRAMS = REPO_ROOT / "tests" / "fixtures" / "programs"
PROGRAM_STACK = "dev"
REGENERATE = "python -m kasbah.inventory --update"
KEY_INPUTS = (
    "region",
    "location",
    "availabilityZone",
    "cidrBlock",
    "addressPrefix",
    "ipCidrRange",
    "sku",
    "kind",
)


def inventory(result: PreviewResult) -> dict[str, Any]:
    """Counts by type and, per resource, its type, location and classification (stable, sorted)."""
    resources = [r for r in result.resources if r.type != STACK_TYPE]
    counts = Counter(r.type for r in resources)
    placed = {p.urn: p for p in resources_of(result)}
    items = []
    for r in sorted(resources, key=lambda x: x.urn):
        entry_cloud = clouds.cloud_for(r.type)
        keys = entry_cloud.tag_properties if entry_cloud else ("tagsAll", "tags")
        tags: Any = next((r.inputs[k] for k in keys if r.inputs.get(k)), {})
        _, account, region = location_of(placed[r.urn], placed)
        entry: dict[str, Any] = {"urn": r.urn.split("::", 2)[2], "account": account, "location": region}
        if isinstance(tags, dict) and CLASSIFICATION_TAG in tags:
            entry[CLASSIFICATION_TAG] = tags[CLASSIFICATION_TAG]
        for key in KEY_INPUTS:
            if key in r.inputs and key not in ("region", "location") and not isinstance(r.inputs[key], dict):
                entry[key] = r.inputs[key]
        items.append(entry)
    return {
        "stack": result.stack,
        "counts": dict(sorted(counts.items())),
        "total": len(resources),
        "outputs": sorted(result.outputs),
        "resources": items,
    }


def findings(result: PreviewResult) -> list[str]:
    """Every violation as ``enforcement pack/policy type::name``, sorted (the messages are pinned by the policy tests)."""
    return sorted(
        f"{v.enforcement} {v.pack}/{v.policy} {v.urn.split('::')[2].split('$')[-1]}::{v.urn.split('::')[-1]}"
        if v.urn.count("::") >= 3
        else f"{v.enforcement} {v.pack}/{v.policy} (stack)"
        for v in result.violations
    )


def program_inventory(bare: PreviewResult, with_packs: PreviewResult) -> dict[str, Any]:
    """A realistic program's snapshot: its inventory (no packs), where it ran, and its findings with every pack."""
    data = inventory(bare)
    data["environment"] = "kasbah" if bare.environment.startswith("Kasbah's own") else "project"
    data["findings"] = findings(with_packs)
    return data


def programs() -> list[str]:
    return sorted(p.parent.name for p in PROGRAMS.glob("*/Pulumi.yaml"))


def prepared_program(name: str) -> Path:
    """A copy of ``tests/fixtures/programs/<name>`` to preview, outside the repository: the environment a
    program declares is created inside its directory, as ``pulumi install`` does. The copy lives in
    Kasbah's environment cache, keyed by the fixture's files, so an environment is built once."""
    from kasbah.engine.environments import Host, cache_root

    source = PROGRAMS / name
    files = sorted(
        p for p in source.rglob("*") if p.is_file() and "venv" not in p.parts and "__pycache__" not in p.parts
    )
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.relative_to(source).as_posix().encode() + b"\0" + f.read_bytes())
    target = cache_root(Host.current()) / "programs" / f"{name}-{digest.hexdigest()[:12]}"
    for f in files:
        dest = target / f.relative_to(source)
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, dest)
    return target


def preview_program_pair(name: str) -> tuple[PreviewResult, PreviewResult]:
    """A realistic program previewed without packs, then with every pack."""
    directory = prepared_program(name)
    return preview(directory, PROGRAM_STACK, policy_packs=[]), preview(directory, PROGRAM_STACK)


def program_snapshot_path(name: str) -> Path:
    return SNAPSHOTS / "programs" / f"{name}.json"


def snapshot_path(stack: str) -> Path:
    return SNAPSHOTS / f"{stack}.json"


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def stacks() -> list[str]:
    return sorted(
        p.name[len("Pulumi.") : -len(".yaml")] for p in (REPO_ROOT / "stacks").glob("Pulumi.*.yaml")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kasbah.inventory", description=__doc__)
    parser.add_argument("--update", action="store_true", help="rewrite the snapshots")
    parser.add_argument("stacks", nargs="*", help="stacks or realistic programs (default: all)")
    args = parser.parse_args(argv)
    stale = []
    (SNAPSHOTS / "programs").mkdir(parents=True, exist_ok=True)
    jobs: list[tuple[str, Path, Any]] = [
        (stack, snapshot_path(stack), lambda s=stack: inventory(preview(REPO_ROOT, s, policy_packs=[])))
        for stack in stacks()
    ]
    jobs += [
        (
            f"programs/{name}",
            program_snapshot_path(name),
            lambda n=name: program_inventory(*preview_program_pair(n)),
        )
        for name in programs()
    ]
    for name, path, build in jobs:
        if args.stacks and name not in args.stacks and name.removeprefix("programs/") not in args.stacks:
            continue
        text = render(build())
        if args.update:
            path.write_text(text)
            print(f"wrote {path.relative_to(REPO_ROOT)}")
        elif not path.exists() or path.read_text() != text:
            stale.append(name)
    if stale:
        print(
            f"stale inventory snapshots: {', '.join(stale)}; regenerate with: {REGENERATE}", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
