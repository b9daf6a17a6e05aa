"""Benchmark: the aws-landing-zone blueprint with 50 spoke VPCs, previewed offline with every policy pack.

Wall time depends on the machine's load (a shared CI runner): the CPU time of the process is
printed beside it. The aws-dev stack (brownfield, everything in one stack) with its spokes replaced by N spokes
(default 50: 10.150.0.0/16 ... 10.199.0.0/16, alternating prod/nonprod, 2 AZs). Each run is a fresh
process, so the first figure includes loading Pulumi and pulumi_aws; the second run in the same
process is the warm figure. Target: under 30 s. Run: `.venv/bin/python benchmarks/bench_aws_spokes.py [N]`.
Figures, not a timed test.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import yaml
from scale import measure

REPO = Path(__file__).resolve().parent.parent
BLUEPRINT = REPO / "blueprints" / "aws-landing-zone"


def stack_file(directory: Path, spokes: int) -> Path:
    data = yaml.safe_load((REPO / "stacks" / "Pulumi.aws-dev.yaml").read_text())
    data["config"]["kasbah:network"]["spokes"] = [
        {
            "name": f"spoke-{i:02d}",
            "cidr": f"10.{150 + i}.0.0/16",
            "segment": "prod" if i % 2 else "nonprod",
            "azCount": 2,
        }
        for i in range(spokes)
    ]
    path = directory / "Pulumi.aws-dev.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def main() -> int:
    spokes = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    if not 1 <= spokes <= 50:
        print("N must be 1-50 (spoke blocks 10.150.0.0/16 upwards)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        return measure(BLUEPRINT, "aws-dev", stack_file(Path(tmp), spokes), "aws:ec2/vpc:Vpc", "VPCs", spokes)


if __name__ == "__main__":
    raise SystemExit(main())
