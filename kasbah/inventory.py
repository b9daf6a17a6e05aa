"""Inventory snapshots of stack previews: counts by type and each resource's key properties.

``python -m kasbah.inventory --update`` rewrites ``tests/snapshots/<stack>.json``
for every stack in ``stacks/``; ``--check`` fails listing the stale ones. The
stack tests compare against these files and print that command on failure.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from kasbah.engine import STACK_TYPE, PreviewResult, clouds, preview
from kasbah.facts import CLASSIFICATION_TAG
from kasbah.graph import location_of, resources_of

REPO_ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = REPO_ROOT / "tests" / "snapshots"
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
    parser.add_argument("stacks", nargs="*", help="stacks (default: all)")
    args = parser.parse_args(argv)
    stale = []
    SNAPSHOTS.mkdir(parents=True, exist_ok=True)
    for stack in args.stacks or stacks():
        text = render(inventory(preview(REPO_ROOT, stack, policy_packs=[])))
        path = snapshot_path(stack)
        if args.update:
            path.write_text(text)
            print(f"wrote {path.relative_to(REPO_ROOT)}")
        elif not path.exists() or path.read_text() != text:
            stale.append(stack)
    if stale:
        print(
            f"stale inventory snapshots: {', '.join(stale)}; regenerate with: {REGENERATE}", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
