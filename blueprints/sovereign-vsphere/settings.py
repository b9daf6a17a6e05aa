"""Configuration of the sovereign-vsphere blueprint (the ``kasbah:`` keys) and its stack outputs.

The fields embed the component's specs (:mod:`components.vsphere.plan`), so a bad value is
reported under its configuration key by the same validation the component runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from components.common import CommonArgs
from components.settings import CommonSettings
from components.vsphere.plan import (
    AccessArgs,
    ContentLibraryArgs,
    EnvironmentArgs,
    SegmentArgs,
    StoragePolicyArgs,
    VsphereLandingZoneArgs,
    validate,
)

KEY_PREFIX = "kasbah:"


@dataclass(frozen=True, kw_only=True)
class Settings(CommonSettings):
    """The sovereign-vsphere blueprint's configuration."""

    datacenter: str = "dc-casa-1"
    """The datacenter (declare it, with its vCenter, in the residency pack's sovereignLocations). Default:
    ``dc-casa-1``."""
    cluster: str = "cluster-01"
    """The compute cluster holding the environments' resource pools. Default: ``cluster-01``."""
    distributed_switch: str = "dvs-01"
    """The distributed switch of the port groups. Default: ``dvs-01``."""
    environments: list[EnvironmentArgs] = field(default_factory=lambda: [EnvironmentArgs()])
    """Environments with their tenants and limits. Default: ``dev`` with one tenant."""
    segments: list[SegmentArgs] = field(
        default_factory=lambda: [SegmentArgs("web", 110), SegmentArgs("app", 120), SegmentArgs("data", 130)]
    )
    """Port groups, one VLAN each. Default: web 110, app 120, data 130."""
    access: list[AccessArgs] = field(default_factory=list)
    """Directory groups and their role (reader, operator, admin) on environments. Default: none."""
    content_library: ContentLibraryArgs = field(default_factory=ContentLibraryArgs)
    """The golden-image content library. Default: none."""
    allowed_vcenters: list[str] = field(default_factory=list)
    """vCenters of declared locations a library may subscribe to. Default: none."""
    storage_policy: StoragePolicyArgs = field(default_factory=StoragePolicyArgs)
    """Tag of encrypted datastores for the sensitive storage policy. Default: ``kasbah-storage``/``encrypted``."""


OUTPUTS: dict[str, str] = {
    "folderPaths": "VM folder path per environment and <environment>/<tenant>.",
    "resourcePoolIds": "Resource pool id per environment and <environment>/<tenant>.",
    "portGroupIds": "Distributed port group id per segment.",
    "classificationTagIds": "Tag id per data class (category data-classification).",
    "environmentTagIds": "Tag id per environment (category environment).",
    "sensitiveStoragePolicyId": "VM storage policy placing sensitive VMs on encrypted datastores.",
    "encryptedDatastoreTagId": "Tag to put on encrypted datastores (the administrator applies it).",
    "contentLibraryId": "Golden-image content library (null without one).",
}
"""Every stack output the blueprint exports, with its description."""


def to_args(settings: Settings) -> VsphereLandingZoneArgs:
    """The component's arguments from the settings (same field names, common inputs grouped)."""
    return VsphereLandingZoneArgs(
        datacenter=settings.datacenter,
        cluster=settings.cluster,
        distributed_switch=settings.distributed_switch,
        environments=list(settings.environments),
        segments=list(settings.segments),
        access=list(settings.access),
        content_library=settings.content_library,
        allowed_vcenters=list(settings.allowed_vcenters),
        storage_policy=settings.storage_policy,
        common=CommonArgs(prefix=settings.prefix, tags=dict(settings.tags), protect=settings.protect),
    )


def check(settings: Settings) -> VsphereLandingZoneArgs:
    """Cross-field validation, pure: every problem names its ``kasbah:`` key."""
    args = to_args(settings)
    validate(args, KEY_PREFIX)
    return args
