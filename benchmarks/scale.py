"""Shared by the landing-zone scale benchmarks: preview a blueprint twice (cold, warm) and print figures."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

TARGET_SECONDS = 30.0
"""Issues 4 and 5: a stack with 50 spokes previews offline in under 30 s."""


def measure(
    blueprint: Path, stack: str, config: Path, network_type: str, network_label: str, spokes: int
) -> int:
    """Preview ``blueprint`` with ``config`` cold then warm, with every pack; print wall and CPU time."""
    from kasbah.engine import preview

    figures: list[float] = []
    for label in ("cold (imports included)", "warm"):
        start, cpu_start = time.perf_counter(), time.process_time()
        r = preview(blueprint, stack, config_file=config)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        figures.append(wall)
        print(
            f"{label:>24}: {wall:6.1f} s wall ({cpu:5.1f} s CPU), {len(r.resources)} resources, "
            f"{len(r.by_type(network_type))} {network_label}, "
            f"{len(r.mandatory)} mandatory / {len(r.violations)} total violations"
        )
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    print(
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {load}, {spokes} spokes; "
        f"target < {TARGET_SECONDS:.0f} s: {'met' if max(figures) < TARGET_SECONDS else 'NOT met'}"
    )
    return 0
