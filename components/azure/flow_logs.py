"""VNet flow logs, and the regional Network Watcher they belong to.

Azure creates ``NetworkWatcher_<region>`` in ``NetworkWatcherRG`` by itself when a subscription's
first virtual network in a region is created or updated
(https://learn.microsoft.com/azure/network-watcher/network-watcher-create): creating them again
fails ("already exists"). So by default the watcher is looked up, after the virtual network
exists (the invoke waits for it), and the flow log takes the watcher's name and resource group
from that lookup. A subscription that opted out of the automatic watcher
(``DisableNetworkWatcherAutocreation``) uses ``create``: one watcher per subscription and region,
made by the first component that needs it and passed to the others.

Flow logs: https://learn.microsoft.com/azure/network-watcher/vnet-flow-logs-overview (storage account
in the virtual network's region, possibly another subscription of the same tenant; format version 2)
and traffic analytics https://learn.microsoft.com/azure/network-watcher/traffic-analytics.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import pulumi
from pulumi_azure_native import network

from components.azure.naming import Kind, resource_name

WATCHER_RESOURCE_GROUP = "NetworkWatcherRG"
"""The resource group Azure creates the regional watchers in."""


def watcher_name(location: str) -> str:
    """The name Azure gives the regional watcher."""
    return f"NetworkWatcher_{location}"


class NetworkWatcherMode(StrEnum):
    """``existing``: use the watcher Azure created (looked up); ``create``: create it (subscriptions that opted out)."""

    EXISTING = "existing"
    CREATE = "create"


@dataclass(frozen=True)
class WatcherRef:
    """A regional Network Watcher: its name and resource group, as outputs that carry their dependency."""

    name: pulumi.Output[str]
    resource_group_name: pulumi.Output[str]
    resource: network.NetworkWatcher | None = None
    """The watcher, when this stack created it."""


def lookup_watcher(
    location: str, after: pulumi.Resource, provider: pulumi.ProviderResource | None, parent: pulumi.Resource
) -> WatcherRef:
    """The watcher Azure created, read once ``after`` (the virtual network that makes Azure create it) exists."""
    found = network.get_network_watcher_output(
        network_watcher_name=watcher_name(location),
        resource_group_name=WATCHER_RESOURCE_GROUP,
        opts=pulumi.InvokeOutputOptions(parent=parent, provider=provider, depends_on=[after]),
    )
    return WatcherRef(
        name=found.name,
        resource_group_name=found.id.apply(lambda i: i.split("/")[4] if i else WATCHER_RESOURCE_GROUP),
    )


def create_watcher(
    name: str,
    location: str,
    resource_group_name: pulumi.Input[str],
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> WatcherRef:
    """A watcher created by the stack (``create`` mode), in one of its own resource groups."""
    nw = network.NetworkWatcher(
        name,
        network_watcher_name=watcher_name(location),
        resource_group_name=resource_group_name,
        location=location,
        tags=dict(tags),
        opts=opts,
    )
    return WatcherRef(
        name=nw.urn.apply(lambda _: watcher_name(location)),
        resource_group_name=pulumi.Output.all(nw.urn, resource_group_name).apply(lambda v: str(v[1])),
        resource=nw,
    )


@dataclass(frozen=True)
class FlowLogTarget:
    """Where a VNet's flow logs go."""

    storage_id: pulumi.Input[str]
    """Storage account in the VNet's region (the management subscription's)."""
    workspace: tuple[pulumi.Input[str], pulumi.Input[str], str] | None = None
    """(resource id, customer id, region) of the traffic analytics workspace. Default: none."""
    retention_days: int = 90
    """Days the flow logs are kept. Default: ``90``."""
    network_watcher: NetworkWatcherMode = NetworkWatcherMode.EXISTING
    """How the regional watcher is found. Default: ``existing``."""
    watcher: WatcherRef | None = None
    """A watcher another component of the same subscription and region created (``create`` mode)."""


def vnet_flow_log(
    name: str,
    *,
    prefix: str,
    label: str,
    location: str,
    vnet: network.VirtualNetwork,
    target: FlowLogTarget,
    watcher: WatcherRef,
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> network.FlowLog:
    """The flow log of ``vnet`` (JSON version 2, retention, traffic analytics when a workspace is given)."""
    analytics = None
    if target.workspace is not None:
        ws_id, customer_id, ws_region = target.workspace
        analytics = network.TrafficAnalyticsPropertiesArgs(
            network_watcher_flow_analytics_configuration=network.TrafficAnalyticsConfigurationPropertiesArgs(
                enabled=True,
                workspace_resource_id=ws_id,
                workspace_id=customer_id,
                workspace_region=ws_region,
                traffic_analytics_interval=60,
            )
        )
    return network.FlowLog(
        name,
        flow_log_name=resource_name(Kind.FLOW_LOG, prefix, label, location=location),
        network_watcher_name=watcher.name,
        resource_group_name=watcher.resource_group_name,
        location=location,
        target_resource_id=vnet.id,
        storage_id=target.storage_id,
        enabled=True,
        format=network.FlowLogFormatParametersArgs(type="JSON", version=2),
        retention_policy=network.RetentionPolicyParametersArgs(enabled=True, days=target.retention_days),
        flow_analytics_configuration=analytics,
        tags=dict(tags),
        opts=pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(depends_on=[watcher.resource] if watcher.resource else [])
        ),
    )
