"""Private endpoints with their private DNS zone group (the record Azure writes in the hub's zones).

https://learn.microsoft.com/azure/private-link/private-endpoint-dns (zone per service and sub-resource)
and https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration (zone groups).
One endpoint connects one sub-resource (``group_ids`` holds exactly one).
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
from pulumi_azure_native import network


def private_endpoint(
    name: str,
    *,
    endpoint_name: str,
    resource_group_name: pulumi.Input[str],
    location: str,
    subnet_id: pulumi.Input[str],
    target_id: pulumi.Input[str],
    group_id: str,
    zones: Mapping[str, pulumi.Input[str]],
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> network.PrivateEndpoint:
    """A private endpoint ``name`` to ``target_id``'s ``group_id`` and its zone group ``<name>-dns``
    (``zones``: zone config name -> private DNS zone id)."""
    endpoint = network.PrivateEndpoint(
        name,
        private_endpoint_name=endpoint_name,
        resource_group_name=resource_group_name,
        location=location,
        subnet=network.SubnetArgs(id=subnet_id),
        private_link_service_connections=[
            network.PrivateLinkServiceConnectionArgs(
                name=group_id.lower(), private_link_service_id=target_id, group_ids=[group_id]
            )
        ],
        tags=dict(tags),
        opts=opts,
    )
    if zones:
        network.PrivateDnsZoneGroup(
            f"{name}-dns",
            private_endpoint_name=endpoint.name,
            private_dns_zone_group_name="default",
            resource_group_name=resource_group_name,
            private_dns_zone_configs=[
                network.PrivateDnsZoneConfigArgs(name=config, private_dns_zone_id=z)
                for config, z in zones.items()
            ],
            opts=opts,
        )
    return endpoint
