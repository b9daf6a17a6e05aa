"""Configuration of the casablanca-edge blueprint (the ``kasbah:`` keys) and its stack outputs.

The settings are the component's own :class:`components.aws.edge_plan.EdgeSpec` (each key declared
once, there) and the common keys, so a bad value is reported under its configuration key
(``kasbah:zones[0].instanceType``) by the same validation the component runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.aws.edge_plan import EdgeArgs, EdgePlan, EdgeSpec, plan_edge
from components.common import args_of, validate_prefix
from components.settings import CommonSettings

KEY_PREFIX = "kasbah:"


@dataclass(frozen=True, kw_only=True)
class Settings(CommonSettings, EdgeSpec):
    """The casablanca-edge blueprint's configuration: the pattern's spec and the common keys."""


OUTPUTS: dict[str, str] = {
    "vpcIds": "VPC id per zone name (one VPC per Wavelength zone).",
    "zoneSubnetIds": "Subnet ids in the Wavelength zone, per zone name.",
    "regionalPrivateSubnetIds": "Regional private subnet ids (endpoints, EKS control plane), per zone name.",
    "zoneRouteTableIds": "Zone route table id (default route to the carrier gateway), per zone name.",
    "carrierGatewayIds": "Carrier gateway id per zone name.",
    "autoScalingGroups": "Edge Auto Scaling group name per zone name.",
    "endpointIds": "VPC endpoint ids per zone name, by service (interface endpoints and the s3 gateway endpoint).",
    "loadBalancerNames": "ALB name per zone name (empty when the ALB is disabled).",
    "carrierIps": "Fixed carrier IP per zone name (only zones with fixedCarrierIp).",
    "eksClusterNames": "EKS cluster name per zone name (empty when EKS is disabled).",
    "transitGatewayId": "Transit Gateway joining the zone VPCs (null with one zone and no landing-zone gateway).",
}
"""Every stack output the blueprint exports, with its description."""


def edge_args(settings: Settings, region: str | None = None) -> EdgeArgs:
    """The component's arguments: the settings' spec (no field copied by hand) and the common inputs."""
    return args_of(EdgeArgs, settings, region=region, common=settings.common_args())


def validate(settings: Settings, region: str | None) -> EdgePlan:
    """Cross-field validation, pure: every problem names its ``kasbah:`` key (or ``aws:region``)."""
    validate_prefix(settings.prefix)
    return plan_edge(edge_args(settings), region, KEY_PREFIX)
