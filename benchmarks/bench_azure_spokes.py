"""Benchmark: the azure-landing-zone blueprint with 50 landing-zone spokes, previewed offline with every
policy pack.

The azure-prod stack (separate platform subscriptions, Premium firewall, VPN gateway, DNS resolver)
with its landing zones replaced by N (default 50), each in its own existing subscription (so N
providers), alternating Corp/Online, each taking the next free /24 of the spoke pool. Each run is a
fresh process, so the first figure includes loading Pulumi and pulumi_azure_native; the second run
in the same process is the warm figure. Wall time depends on the machine's load: the process's CPU
time is printed beside it. Target: under 30 s. Run: `.venv/bin/python benchmarks/bench_azure_spokes.py [N]`.
Figures, not a timed test.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import yaml
from scale import measure

REPO = Path(__file__).resolve().parent.parent
BLUEPRINT = REPO / "blueprints" / "azure-landing-zone"


def stack_file(directory: Path, spokes: int) -> Path:
    data = yaml.safe_load((REPO / "stacks" / "Pulumi.azure-prod.yaml").read_text())
    data["config"]["kasbah:landingZones"] = [
        {
            "name": f"app{i:02d}",
            "archetype": "online" if i % 2 else "corp",
            "subscriptionId": f"6b2d3e4f-5a6b-4c7d-8e9f-{i:012d}",
            "dataClassification": "internal",
            "budgetAmount": 1000,
        }
        for i in range(spokes)
    ]
    path = directory / "Pulumi.azure-prod.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def main() -> int:
    spokes = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    if not 1 <= spokes <= 250:
        print("N must be 1-250 (one /24 each from 10.101.0.0/16)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        return measure(
            BLUEPRINT,
            "azure-prod",
            stack_file(Path(tmp), spokes),
            "azure-native:network:VirtualNetwork",
            "VNets",
            spokes,
        )


if __name__ == "__main__":
    raise SystemExit(main())
