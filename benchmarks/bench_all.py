"""``kasbah preview --all`` (parallel processes) against the same stacks previewed one after another.

    .venv/bin/python benchmarks/bench_all.py [--jobs N] [--repeat R]

Sequential: one ``kasbah preview --stack S --format json`` process per stack of the repository,
one after the other (what the old workflow loop did, once per stack). Parallel: one ``kasbah
preview --all --format json`` (``--jobs``, default one per core). Both with every policy pack.
Prints each run's wall time, the best of ``--repeat``, and the ratio.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def stacks() -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))


def run(argv: list[str], out: Path) -> float:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "kasbah", *argv, "--format", "json", "--output", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"kasbah {' '.join(argv)} exited {proc.returncode}: {proc.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    names = stacks()
    print(f"{len(names)} stacks ({', '.join(names)}), {os.cpu_count()} cores, --jobs {args.jobs}")
    seq_runs, par_runs = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeat):
            total = 0.0
            for name in names:
                t = run(["preview", "--stack", name], Path(tmp) / f"{name}.json")
                print(f"  sequential  {name:<12} {t:6.1f} s")
                total += t
            seq_runs.append(total)
            par = run(["preview", "--all", "--jobs", str(args.jobs)], Path(tmp) / "all.json")
            par_runs.append(par)
            print(f"  sequential total {total:6.1f} s   --all {par:6.1f} s")
    seq, par = min(seq_runs), min(par_runs)
    print(f"sequential (one process per stack, one after another): {seq:.1f} s")
    print(f"kasbah preview --all --jobs {args.jobs}:                 {par:.1f} s")
    print(f"ratio --all / sequential: {par / seq:.2f} (speed-up {seq / par:.2f}x)")


if __name__ == "__main__":
    main()
