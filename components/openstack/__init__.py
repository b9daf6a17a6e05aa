"""The OpenStack sovereign landing zone (pulumi-openstack 5.x): tenant-side, for clouds operated in Morocco.

- :mod:`.plan`: typed arguments and pure validation (tests call it without Pulumi);
- :mod:`.landing_zone`: the ``kasbah:openstack:LandingZone`` component.
"""

from components.openstack.plan import (
    ContainerArgs,
    DnsArgs,
    IdentityScope,
    LoadBalancerArgs,
    NetworkArgs,
    OpenStackLandingZoneArgs,
    OperatorRights,
    PoolProtocol,
    QuotaArgs,
    SecurityArgs,
    SyncArgs,
    TierArgs,
    TierRouting,
    VolumeArgs,
    validate,
)

__all__ = [
    "ContainerArgs",
    "DnsArgs",
    "IdentityScope",
    "LoadBalancerArgs",
    "NetworkArgs",
    "OpenStackLandingZoneArgs",
    "OperatorRights",
    "PoolProtocol",
    "QuotaArgs",
    "SecurityArgs",
    "SyncArgs",
    "TierArgs",
    "TierRouting",
    "VolumeArgs",
    "validate",
]
