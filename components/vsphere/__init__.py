"""The vSphere sovereign landing zone (pulumi-vsphere 4.x), for vCenters operated in Morocco.

- :mod:`.plan`: typed arguments and pure validation (tests call it without Pulumi);
- :mod:`.landing_zone`: the ``kasbah:vsphere:LandingZone`` component.
"""

from components.vsphere.plan import (
    AccessArgs,
    AccessRole,
    ContentLibraryArgs,
    EnvironmentArgs,
    SegmentArgs,
    StoragePolicyArgs,
    TenantArgs,
    VsphereLandingZoneArgs,
    validate,
)

__all__ = [
    "AccessArgs",
    "AccessRole",
    "ContentLibraryArgs",
    "EnvironmentArgs",
    "SegmentArgs",
    "StoragePolicyArgs",
    "TenantArgs",
    "VsphereLandingZoneArgs",
    "validate",
]
