"""The data-residency pack as the real CLI runs it: PulumiPolicy.yaml, requirements, ``python __main__.py``."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import sysconfig
from pathlib import Path

import yaml

PACK = Path(__file__).resolve().parents[2] / "policies" / "data_residency"


def test_pulumi_policy_yaml_and_requirements() -> None:
    meta = yaml.safe_load((PACK / "PulumiPolicy.yaml").read_text())
    assert meta["runtime"] == "python", meta
    assert meta["version"] == "0.1.0", meta
    assert meta["description"], meta
    reqs = (PACK / "requirements.txt").read_text().split()
    assert reqs == ["pulumi-policy==1.21.0", "pulumi>=3.200,<4"], reqs


def test_main_serves_the_pack_without_the_repository_installed() -> None:
    """``python __main__.py`` from the pack directory, with ``policies`` not importable: it must start serving.

    ``-S`` skips site (and so the editable install of this repository); the SDKs come from PYTHONPATH.
    pulumi-policy prints the port of its gRPC server first, then serves forever: we stop it.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    env["PYTHONPATH"] = sysconfig.get_paths()["purelib"]
    proc = subprocess.Popen(
        [sys.executable, "-S", "__main__.py"],
        cwd=PACK,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        line = proc.stdout.readline().strip() if ready and proc.stdout else ""
        if not line.isdigit():
            proc.kill()
            _, err = proc.communicate(timeout=10)
            raise AssertionError(
                f"{PACK / '__main__.py'} did not start a policy server: {line!r} {err[-2000:]}"
            )
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)
