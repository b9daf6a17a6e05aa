"""Run by test_azure_watcher_lookup.py in its own process: Pulumi's mock runtime in update mode (ids
known), to see the Network Watcher lookup happen, and after the VNet it waits for."""

import json

import pulumi

order = []


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        order.append(["resource", args.typ, args.name])
        return [f"{args.name}-id", dict(args.inputs)]

    def call(self, args):
        order.append(["invoke", args.token, dict(args.args)])
        return {
            "id": "/subscriptions/s/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_francecentral",
            "name": "NetworkWatcher_francecentral",
        }


pulumi.runtime.set_mocks(Mocks(), preview=False)

from pulumi_azure_native import network  # noqa: E402

from components.azure.flow_logs import lookup_watcher  # noqa: E402


@pulumi.runtime.test
def check():
    vnet = network.VirtualNetwork("v", resource_group_name="rg", virtual_network_name="vnet-x")
    w = lookup_watcher("francecentral", vnet, None, vnet)
    return pulumi.Output.all(w.name, w.resource_group_name).apply(
        lambda v: print(json.dumps({"order": order, "name": v[0], "rg": v[1]}))
    )


check()
