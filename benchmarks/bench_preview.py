"""Benchmark of `kasbah preview` on synthetic programs of N = 100, 1,000 and 5,000 resources.

For each N, in a fresh process: bare registration under pulumi.runtime.set_mocks (the SDK's own mock
monitor, no recording, no policies); Kasbah's engine with no packs and the SDK fast path off
(KASBAH_SDK_FAST_PATH=0: the recording overhead alone); the engine with no packs (fast path on, the
default); the engine with every pack (what `kasbah preview` does). Prints resources per second, the
wall-time ratios, and the peak RSS of the process.
Run: `.venv/bin/python benchmarks/bench_preview.py [N ...]`. Figures, not a timed test.
"""

from __future__ import annotations

import asyncio
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CONFIG = {"aws:region": "eu-west-3", "azure-native:location": "francecentral"}


def measure(n: int) -> dict[str, float]:
    sys.path.insert(0, str(HERE))
    import pulumi
    from pulumi.runtime import mocks, settings
    from pulumi.runtime.stack import wait_for_rpcs
    from synthetic import program

    from kasbah.engine import preview_program

    class Echo(pulumi.runtime.Mocks):
        def new_resource(self, args):  # type: ignore[no-untyped-def]
            return ("", args.inputs)

        def call(self, args):  # type: ignore[no-untyped-def]
            return {}

    # Warm imports so that no run pays for module loading.
    preview_program(lambda: program(11), config=CONFIG, policy_packs=None)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    settings.reset_options()
    start = time.perf_counter()
    mocks.set_mocks(Echo(), "bench", "bare", preview=True)
    program(n)
    loop.run_until_complete(wait_for_rpcs())
    bare = time.perf_counter() - start
    settings.reset_options()

    import os

    os.environ["KASBAH_SDK_FAST_PATH"] = "0"
    start = time.perf_counter()
    preview_program(lambda: program(n), config=CONFIG, policy_packs=[])
    engine_slow = time.perf_counter() - start
    os.environ["KASBAH_SDK_FAST_PATH"] = "1"

    def timed(packs: list[str] | None) -> tuple[Any, float, float]:
        """A preview, its wall time and its CPU time (the CPU time holds on a shared machine)."""
        start, cpu = time.perf_counter(), time.process_time()
        out = preview_program(lambda: program(n), config=CONFIG, policy_packs=packs)
        return out, time.perf_counter() - start, time.process_time() - cpu

    r0, engine_only, engine_cpu = timed([])
    r1, with_packs, packs_cpu = timed(None)
    # The same with every policy called for every resource (kasbah.dispatch off): what type dispatch saves.
    os.environ["KASBAH_TYPE_DISPATCH"] = "0"
    r2, undispatched, undispatched_cpu = timed(None)
    os.environ["KASBAH_TYPE_DISPATCH"] = "1"
    assert [(v.policy, v.urn, v.message) for v in r1.violations] == [
        (v.policy, v.urn, v.message) for v in r2.violations
    ], "type dispatch changed the verdicts"
    count = sum(1 for r in r1.resources if r.custom)
    assert len(r0.resources) == len(r1.resources)
    return {
        "n": n,
        "resources": count,
        "bare_s": bare,
        "engine_slow_s": engine_slow,
        "engine_s": engine_only,
        "packs_s": with_packs,
        "undispatched_s": undispatched,
        "engine_cpu": engine_cpu,
        "packs_cpu": packs_cpu,
        "undispatched_cpu": undispatched_cpu,
        "packs": len(r1.policy_packs),
        "violations": len(r1.violations),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _policy_count() -> int:
    from kasbah.analysis import load_packs

    return sum(len(p.policies) for p in load_packs(None))


def preview_rss(n: int) -> dict[str, float]:
    """Peak RSS of a process that only runs `kasbah preview` (engine + every pack) of N resources."""
    sys.path.insert(0, str(HERE))
    from synthetic import program

    from kasbah.engine import preview_program

    start = time.perf_counter()
    preview_program(lambda: program(n), config=CONFIG, policy_packs=None)
    return {
        "seconds": time.perf_counter() - start,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] in ("--one", "--rss"):
        n = int(sys.argv[2])
        print(json.dumps(measure(n) if sys.argv[1] == "--one" else preview_rss(n)))
        return
    sizes = [int(a) for a in sys.argv[1:]] or [100, 1000, 5000]
    print(
        f"machine: {platform.processor() or platform.machine()}, {platform.python_version()}, "
        f"{subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores"
    )
    print(f"policies: {_policy_count()} in every pack (kasbah preview runs them all)")
    print(
        f"{'N':>6} {'custom':>7} {'bare s':>7} {'rec s':>7} {'engine s':>9} {'preview s':>10} {'res/s':>6} "
        f"{'rec/bare':>9} {'preview/bare':>13} {'packs cost':>11} {'CPU':>5} {'no dispatch CPU':>16} {'preview RSS MB':>15}"
    )
    for n in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(n)], capture_output=True, text=True, check=True
        )
        m = json.loads(out.stdout.strip().splitlines()[-1])
        rss = subprocess.run(
            [sys.executable, __file__, "--rss", str(n)], capture_output=True, text=True, check=True
        )
        m["rss_mb"] = json.loads(rss.stdout.strip().splitlines()[-1])["rss_mb"]
        print(
            f"{m['n']:>6} {m['resources']:>7} {m['bare_s']:>7.2f} {m['engine_slow_s']:>7.2f} {m['engine_s']:>9.2f} "
            f"{m['packs_s']:>10.2f} {m['resources'] / m['packs_s']:>6.0f} {m['engine_slow_s'] / m['bare_s']:>9.2f} "
            f"{m['packs_s'] / m['bare_s']:>13.2f} {m['packs_s'] / m['engine_s'] - 1:>10.0%} "
            f"{m['packs_cpu'] / m['engine_cpu'] - 1:>5.0%} {m['undispatched_cpu'] / m['engine_cpu'] - 1:>15.0%} "
            f"{m['rss_mb']:>15.0f}"
        )
    print(
        "bare: SDK registration under set_mocks; rec: Kasbah's engine, fast path off, no packs; engine: fast path "
        "on, no packs; preview: engine + every pack (kasbah preview). packs cost = preview/engine - 1 (wall time; CPU: "
        "the same in CPU time, steadier on a shared machine); no dispatch CPU: the CPU cost with every policy called "
        "for every resource (KASBAH_TYPE_DISPATCH=0, same verdicts). "
        "preview RSS: peak RSS of a fresh process running only the preview."
    )


if __name__ == "__main__":
    main()
