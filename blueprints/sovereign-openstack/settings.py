"""Configuration of the sovereign-openstack blueprint (the ``kasbah:`` keys) and its stack outputs.

The fields embed the component's specs (:mod:`components.openstack.plan`), so a bad value is
reported under its configuration key (``kasbah:network.tiers[0].cidr``) by the same validation
the component runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from components.common import CommonArgs
from components.openstack.plan import (
    ContainerArgs,
    DnsArgs,
    IdentityScope,
    LoadBalancerArgs,
    NetworkArgs,
    OpenStackLandingZoneArgs,
    OperatorRights,
    QuotaArgs,
    SecurityArgs,
    SyncArgs,
    VolumeArgs,
    validate,
)
from components.settings import CommonSettings

KEY_PREFIX = "kasbah:"


@dataclass(frozen=True, kw_only=True)
class Settings(CommonSettings):
    """The sovereign-openstack blueprint's configuration."""

    environments: list[str] = field(default_factory=lambda: ["dev", "prod"])
    """Environments: one Keystone project each (with ``identityScope: domain-manager``). Default: ``["dev", "prod"]``."""
    identity_scope: IdentityScope = IdentityScope.PROJECT
    """``domain-manager`` creates projects, groups and role assignments; ``project`` builds inside the token's
    project only. Default: ``project``."""
    domain_id: str = "default"
    """Keystone domain of the projects and groups. Default: ``default``."""
    operator_rights: OperatorRights = OperatorRights.NONE
    """``admin`` also sets quotas per project. Default: ``none``."""
    quotas: QuotaArgs = field(default_factory=QuotaArgs)
    """Quotas per project (with ``operatorRights: admin``). Default: see the fields."""
    network: NetworkArgs = field(default_factory=NetworkArgs)
    """Tiers, external network, resolvers. Default: web and app routed, data isolated, external ``public``."""
    security: SecurityArgs = field(default_factory=SecurityArgs)
    """The deny-by-default security group. Default: no admin access, HTTPS in, HTTPS/DNS/NTP out."""
    load_balancer: LoadBalancerArgs = field(default_factory=LoadBalancerArgs)
    """The Octavia load balancer (HTTPS listener, Barbican certificate). Default: disabled."""
    encrypted_volume_types: list[str] = field(default_factory=lambda: ["luks"])
    """The operator's LUKS-encrypted volume types: the only ones volumes may use. Default: ``["luks"]``."""
    volumes: list[VolumeArgs] = field(default_factory=list)
    """Cinder volumes. Default: none."""
    containers: list[ContainerArgs] = field(default_factory=list)
    """Swift containers. Default: none."""
    sync: SyncArgs = field(default_factory=SyncArgs)
    """Container-sync realm and cluster of the operator. Default: none."""
    dns: DnsArgs = field(default_factory=DnsArgs)
    """The Designate zone. Default: none."""
    keys: list[str] = field(default_factory=list)
    """Barbican AES-256 keys to generate. Default: none."""


OUTPUTS: dict[str, str] = {
    "projectIds": "Keystone project id per environment (domain-manager scope; empty otherwise).",
    "groupIds": "Group id per <environment>-<role> (reader, member, admin).",
    "networkIds": "Network id per tier.",
    "subnetIds": "Subnet id per tier.",
    "routerId": "Router to the operator's external network (null when every tier is isolated).",
    "securityGroupId": "The deny-by-default baseline security group.",
    "loadBalancerId": "Octavia load balancer (null when disabled).",
    "volumeIds": "Cinder volume id per name.",
    "containerNames": "Swift container name per logical name.",
    "dnsZoneId": "Designate zone id (null without a zone).",
    "keyRefs": "Barbican secret reference of each generated key.",
}
"""Every stack output the blueprint exports, with its description."""


def to_args(settings: Settings) -> OpenStackLandingZoneArgs:
    """The component's arguments from the settings (same field names, common inputs grouped)."""
    return OpenStackLandingZoneArgs(
        environments=list(settings.environments),
        identity_scope=settings.identity_scope,
        domain_id=settings.domain_id,
        operator_rights=settings.operator_rights,
        quotas=settings.quotas,
        network=settings.network,
        security=settings.security,
        load_balancer=settings.load_balancer,
        encrypted_volume_types=list(settings.encrypted_volume_types),
        volumes=list(settings.volumes),
        containers=list(settings.containers),
        sync=settings.sync,
        dns=settings.dns,
        keys=list(settings.keys),
        common=CommonArgs(prefix=settings.prefix, tags=dict(settings.tags), protect=settings.protect),
    )


def check(settings: Settings) -> OpenStackLandingZoneArgs:
    """Cross-field validation, pure: every problem names its ``kasbah:`` key."""
    args = to_args(settings)
    validate(args, KEY_PREFIX)
    return args
