"""Benchmark: the aws-landing-zone blueprint with 50 spoke VPCs, previewed offline with every policy pack.

Wall time depends on the machine's load (a shared CI runner): the CPU time of the process is
printed beside it. The aws-dev stack (brownfield, everything in one stack) with its spokes replaced by N spokes
(default 50: 10.150.0.0/16 ... 10.199.0.0/16, alternating prod/nonprod, 2 AZs). Each run is a fresh
process, so the first figure includes loading Pulumi and pulumi_aws; the second run in the same
process is the warm figure. Target: under 30 s. Run: `.venv/bin/python benchmarks/bench_aws_spokes.py [N]`.
Figures, not a timed test.
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
BLUEPRINT = REPO / "blueprints" / "aws-landing-zone"
TARGET_SECONDS = 30.0


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
    from kasbah.engine import preview

    with tempfile.TemporaryDirectory() as tmp:
        config = stack_file(Path(tmp), spokes)
        figures: list[float] = []
        for label in ("cold (imports included)", "warm"):
            start, cpu_start = time.perf_counter(), time.process_time()
            r = preview(BLUEPRINT, "aws-dev", config_file=config)
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
            vpcs = len(r.by_type("aws:ec2/vpc:Vpc"))
            figures.append(wall)
            print(
                f"{label:>24}: {wall:6.1f} s wall ({cpu:5.1f} s CPU), {len(r.resources)} resources, {vpcs} VPCs, "
                f"{len(r.mandatory)} mandatory / {len(r.violations)} total violations"
            )
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    print(
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {load}, {spokes} spokes; "
        f"target < {TARGET_SECONDS:.0f} s: {'met' if max(figures) < TARGET_SECONDS else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
