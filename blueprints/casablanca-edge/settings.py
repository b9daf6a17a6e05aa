"""Configuration of the casablanca-edge blueprint (the ``kasbah:`` keys) and its stack outputs.

The fields mirror :class:`components.aws.edge_plan.EdgeArgs`, so a bad value is reported under
its configuration key (``kasbah:zones[0].instanceType``) by the same validation the component runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from components.aws.edge_plan import (
    DEFAULT_ENDPOINTS,
    DEFAULT_IMAGE,
    AlbArgs,
    EdgeArgs,
    EdgePlan,
    EdgeZoneArgs,
    EksArgs,
    NatStrategy,
    plan_edge,
)
from components.common import CommonArgs, DataClassification, validate_prefix
from components.settings import CommonSettings

KEY_PREFIX = "kasbah:"


@dataclass(frozen=True, kw_only=True)
class Settings(CommonSettings):
    """The casablanca-edge blueprint's configuration."""

    zones: list[EdgeZoneArgs] = field(default_factory=lambda: [EdgeZoneArgs()])
    """Wavelength zones of the provider's region, one VPC each. Default: one zone, ``eu-west-3-cmn-wlz-1a``."""

    regional_az_count: int = 2
    """Regional AZs with public and private subnets (at least 2). Default: ``2``."""

    regional_azs: list[str] = field(default_factory=list)
    """Regional AZ names; empty resolves the region's first AZs at deploy time. Default: none."""

    nat: NatStrategy = NatStrategy.SINGLE
    """NAT gateways of the regional private subnets (never in the zone). Default: ``single``."""

    app_ports: list[int] = field(default_factory=lambda: [443])
    """TCP ports of the application, open from ``appSources``. Default: ``[443]``."""

    app_sources: list[str] = field(default_factory=lambda: ["0.0.0.0/0"])
    """IPv4 CIDRs allowed to the application ports. Default: ``["0.0.0.0/0"]``."""

    image_id: str = DEFAULT_IMAGE
    """AMI of the edge instances (an id or a ``resolve:ssm:`` parameter). Default: Amazon Linux 2023."""

    ssh_key_name: str | None = None
    """EC2 key pair of the edge instances; none by default (use SSM Session Manager). Default: none."""

    offered_instance_types: Mapping[str, list[str]] = field(default_factory=dict)
    """Instance types offered per zone, overriding the built-in data. Default: none (built-in data)."""

    endpoints: list[str] = field(default_factory=lambda: list(DEFAULT_ENDPOINTS))
    """Interface endpoints in the regional private subnets.
    Default: ssm, ssmmessages, ec2messages, ecr.api, ecr.dkr, logs, sts, kms."""

    transit_gateway_id: str | None = None
    """The landing zone's Transit Gateway; none creates one when there are several zones. Default: none."""

    flow_log_retention_days: int = 365
    """Retention of the VPC flow logs, in days. Default: ``365``."""

    log_classification: DataClassification = DataClassification.INTERNAL
    """Classification of the flow-log groups (stored in the parent region). Default: ``internal``."""

    eks: EksArgs = field(default_factory=EksArgs)
    """Optional EKS (control plane in the region, self-managed nodes in the zone). Default: disabled."""

    alb: AlbArgs = field(default_factory=AlbArgs)
    """Optional ALB in the zone (offered zone by zone; Casablanca not confirmed). Default: disabled."""


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


def to_args(settings: Settings) -> EdgeArgs:
    """The component's arguments from the settings (same field names, common inputs grouped)."""
    return EdgeArgs(
        zones=list(settings.zones),
        regional_az_count=settings.regional_az_count,
        regional_azs=list(settings.regional_azs),
        nat=settings.nat,
        app_ports=list(settings.app_ports),
        app_sources=list(settings.app_sources),
        image_id=settings.image_id,
        ssh_key_name=settings.ssh_key_name,
        offered_instance_types=dict(settings.offered_instance_types),
        endpoints=list(settings.endpoints),
        transit_gateway_id=settings.transit_gateway_id,
        flow_log_retention_days=settings.flow_log_retention_days,
        log_classification=settings.log_classification,
        eks=settings.eks,
        alb=settings.alb,
        common=CommonArgs(prefix=settings.prefix, tags=dict(settings.tags), protect=settings.protect),
    )


def validate(settings: Settings, region: str | None) -> EdgePlan:
    """Cross-field validation, pure: every problem names its ``kasbah:`` key (or ``aws:region``)."""
    validate_prefix(settings.prefix)
    return plan_edge(to_args(settings), region, KEY_PREFIX)
