"""Benchmark: the gcp-landing-zone blueprint with 50 vended projects, previewed offline with every policy pack.

The gcp-prod stack (adopted folder, two regions, HA VPN, dry-run perimeter) with its projects replaced by
N (default 50), alternating between the two environments, each attached to its environment's Shared VPC,
with a budget, labels, two APIs and one IAM grant. Each run is a fresh process, so the first figure
includes loading Pulumi and pulumi_gcp; the second run in the same process is the warm figure. Wall time
depends on the machine's load: the process's CPU time is printed beside it. Target: under 30 s.
Run: `.venv/bin/python benchmarks/bench_gcp_projects.py [N]`. Figures, not a timed test.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import yaml
from scale import measure

REPO = Path(__file__).resolve().parent.parent
BLUEPRINT = REPO / "blueprints" / "gcp-landing-zone"


def stack_file(directory: Path, projects: int) -> Path:
    data = yaml.safe_load((REPO / "stacks" / "Pulumi.gcp-prod.yaml").read_text())
    data["config"]["kasbah:projects"] = [
        {
            "name": f"app{i:02d}",
            "environment": "prod" if i % 2 else "nonprod",
            "dataClassification": "personal" if i % 3 == 0 else "internal",
            "budgetAmount": 1000,
            "apis": ["sqladmin.googleapis.com"],
            "iam": [{"role": "roles/cloudsql.client", "members": [f"group:app{i:02d}@example.ma"]}],
        }
        for i in range(projects)
    ]
    path = directory / "Pulumi.gcp-prod.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def main() -> int:
    projects = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    if not 1 <= projects <= 500:
        print("N must be 1-500", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        return measure(
            BLUEPRINT,
            "gcp-prod",
            stack_file(Path(tmp), projects),
            "gcp:organizations/project:Project",
            "projects",
            projects,
        )


if __name__ == "__main__":
    raise SystemExit(main())
