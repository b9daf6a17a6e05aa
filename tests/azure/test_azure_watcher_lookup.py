"""Defect 1: the regional Network Watcher is looked up, once the VNet that makes Azure create it exists.

The offline preview cannot show the lookup (a VNet being created has no id, so the invoke waits and
its result is unknown, as in `pulumi preview`). Pulumi's own mock runtime in update mode can: the
program in watcher_lookup_program.py runs in a fresh process (the mock runtime is process-global).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def test_watcher_is_read_after_the_vnet_exists() -> None:
    out = subprocess.run(
        [sys.executable, str(HERE / "watcher_lookup_program.py")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    got = json.loads(out.stdout.strip().splitlines()[-1])
    order = got["order"]
    assert order[0] == ["resource", "azure-native:network:VirtualNetwork", "v"], order
    assert order[1] == [
        "invoke",
        "azure-native:network:getNetworkWatcher",
        {"resourceGroupName": "NetworkWatcherRG", "networkWatcherName": "NetworkWatcher_francecentral"},
    ], order
    assert [kind for kind, *_ in order].count("resource") == 1, "no watcher or resource group is created"
    assert (got["name"], got["rg"]) == ("NetworkWatcher_francecentral", "NetworkWatcherRG")
